import ArgumentParser
import Bundles
import CheckEngine
import Foundation
import Reporting

struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect this machine's evidence, facts and report into one archive for offline analysis.",
        discussion: """
            Writes virt-doctor-<host>-<UTC time>.tar.gz (mode 0600): manifest.json, facts.json, report.json,
            report.html, and the raw evidence laid out like the root, so the archive works as --root and with
            `virt-doctor analyze`. Private keys are never collected; passwords are masked; --obfuscate also
            replaces host names and IP addresses (the map is written beside the archive, not into it).
            """)

    @OptionGroup var machine: MachineOptions

    @Option(help: ArgumentHelp("Directory for the archive, or its file name.", valueName: "dir|file"))
    var output: String?

    @Option(help: ArgumentHelp("Only logs changed in this period (48h, 7d; at most 10 years).", valueName: "duration"))
    var since: String?

    @Option(name: .customLong("max-size"), help: ArgumentHelp("Stop adding files beyond this size (200M; 1 byte to 64G).", valueName: "size"))
    var maxSize: String = "200M"

    @Flag(help: "Replace host names and IP addresses with placeholders.")
    var obfuscate = false

    @Option(help: "Also print the report in this format (it is in the bundle as report.json and report.html either way).")
    var format: ReportFormat?

    @Option(help: "Who the report is for; auto picks from what the machine is.")
    var profile: ProfileChoice = .auto

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339).", valueName: "instant"))
    var now: String?

    @Sendable static func progressLine(_ step: String, _ elapsed: Double, _ bytes: Int) {
        let tenths = Int((elapsed * 10).rounded())
        let line = "\r\u{1B}[Kcollecting: \(step)  \(tenths / 10).\(tenths % 10) s  \(bytes / 1024) KiB" + (step == "done" ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }

    func validate() throws {
        if let since, parseDuration(since) == nil {
            throw ValidationError("--since expects a duration such as 48h or 7d (a plain number with s, m, h, d or w, at most 10 years)")
        }
        if parseSize(maxSize) == nil { throw ValidationError("--max-size expects a size such as 200M (digits with K, M or G, from 1 byte to 64G)") }
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        try Exit.guarding {
            // A progress line only on a terminal; quiet when piped or in CI logs.
            let progress: (@Sendable (String, Double, Int) -> Void)? = isatty(STDERR_FILENO) == 1 ? Collect.progressLine : nil
            let instant = try now.map(parseInstant)
            var options = CollectOptions(
                root: try machine.hostRoot(), output: output, since: since.flatMap(parseDuration), maximumBytes: parseSize(maxSize) ?? (200 << 20),
                obfuscate: obfuscate, profile: profile.profile, now: instant, libvirtURI: machine.connect,
                commandLine: CommandLine.arguments, progress: progress)
            options.libvirtTimeout = machine.libvirtTimeout
            let result = try Bundles.Collector.collect(options)
            var text = "\(result.archivePath)  (\(result.archiveBytes / 1024) KiB, \(result.manifest.files.count) files)\n"
            if let map = result.obfuscationMapPath { text += "obfuscation map (keep it, do not send it): \(map)\n" }
            for collector in result.manifest.collectors where collector.status != "ok" {
                text += "note: collector \(collector.name) \(collector.status): \(collector.note ?? "")\n"
            }
            if let format {
                // Judge the archive just written, with the built-in catalog the collector used, so what is
                // printed is exactly what `virt-doctor analyze` on the bundle will say later.
                do {
                    let analysis = try Analyzer.analyze(
                        bundle: result.archivePath, catalog: try Catalog.builtIn(), profile: profile.profile, now: instant)
                    text += try Renderer().render(analysis.report, format: format, color: false)
                } catch {
                    text += "note: the bundle was written, but its report could not be printed: \(error)\n"
                }
            }
            Print.text(text)
        }
    }
}
