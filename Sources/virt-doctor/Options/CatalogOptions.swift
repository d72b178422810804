import ArgumentParser
import CheckEngine
import Foundation
import Localization

struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Add or override checks with the YAML files in this directory.", valueName: "dir"))
    var checksDir: String?

    func catalog() throws -> Catalog {
        var catalog: Catalog
        do {
            catalog = try Catalog.builtIn()
        } catch {
            throw ToolFailure("the built-in check catalog is broken: \(error)")
        }
        if let checksDir {
            do {
                try catalog.merge(directory: checksDir)
            } catch {
                throw ToolFailure("--checks-dir: \(error)")
            }
        }
        return catalog
    }
}

/// The language of the report's words: --lang, else the locale (LC_ALL, LC_MESSAGES, LANG) when this build
/// ships it, else English. Commands, paths and quoted software messages stay as they are in every language.
struct LanguageOptions: ParsableArguments {
    @Option(name: .customLong("lang"), help: ArgumentHelp("Language of the report: \(Strings.available.joined(separator: ", ")) (default: from LANG, else en).", valueName: "code"))
    var lang: String?

    func validate() throws {
        if let lang, !Strings.available.contains(lang.lowercased()) {
            throw ValidationError("--lang \(lang): no translation; available: \(Strings.available.joined(separator: ", "))")
        }
    }

    var language: String {
        lang?.lowercased() ?? Strings.language(fromEnvironment: ProcessInfo.processInfo.environment) ?? Strings.defaultLanguage
    }

    var strings: Strings { (try? Strings.load(language)) ?? .english }
}

/// Which checks run and when the command fails: the same on `check` and `analyze`.
struct SelectionOptions: ParsableArguments {
    @Option(parsing: .singleValue, help: ArgumentHelp("Run only these checks or areas (comma-separated, repeatable): cpu,net.ip-forward", valueName: "ids"))
    var only: [String] = []

    @Option(parsing: .singleValue, help: ArgumentHelp("Leave out these checks or areas (comma-separated, repeatable).", valueName: "ids"))
    var skip: [String] = []

    @Option(name: .customLong("fail-on"), help: "Exit with status 2 when a check fails (fail), fails or warns (warn), or never.")
    var failOn: FailOn = .fail

    var onlySelectors: [String] { Self.split(only) }
    var skipSelectors: [String] { Self.split(skip) }

    /// Every selector must name a check or an area of the catalog: a typo must not silently run nothing.
    func check(against catalog: Catalog) throws {
        for selector in onlySelectors + skipSelectors
        where !catalog.checks.contains(where: { $0.id == selector || $0.area == selector || $0.id.hasPrefix(selector + ".") }) {
            throw ValidationError("'\(selector)' names no check or area; see `virt-doctor list`")
        }
    }

    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
