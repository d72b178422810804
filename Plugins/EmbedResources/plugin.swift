import Foundation
import PackagePlugin

/// Compiles data directories of the package into Swift source, so the release binary carries its own
/// check catalog and report templates and works when copied alone to another host.
/// CheckEngine embeds `checks/`; Reporting embeds `report-templates/` without its `i18n/`, which
/// Localization embeds (the engine and the renderers both need the words, the engine not the templates).
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directoryName: String
        var extraArguments: [String] = []
        switch target.name {
        case "CheckEngine": directoryName = "checks"
        case "Reporting": directoryName = "report-templates"; extraArguments = ["--exclude", "i18n"]
        case "Localization": directoryName = "report-templates/i18n"
        default: return []
        }
        let source = context.package.directoryURL.appending(path: directoryName)
        let output = context.pluginWorkDirectoryURL.appending(path: "Embedded-\(target.name).swift")
        // Every file is an input, so editing a check or a template rebuilds the target.
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: source, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker {
                let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
                if isFile { inputs.append(url) }
            }
        }
        return [
            .buildCommand(
                displayName: "Embedding \(directoryName)/ into \(target.name)",
                executable: try context.tool(named: "EmbedGen").url,
                arguments: [source.path, output.path] + extraArguments,
                inputFiles: inputs.sorted { $0.path < $1.path },
                outputFiles: [output]
            ),
        ]
    }
}
