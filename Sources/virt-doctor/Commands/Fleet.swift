import ArgumentParser
import Bundles
import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Reporting

struct Fleet: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One report for many hosts: a hosts × checks matrix, problems across the fleet, cross-host findings and a migration matrix.",
        discussion: """
            Each INPUT is a bundle written by `virt-doctor collect`, a sos report (archive or extracted folder), a directory \
            laid out like /, or a directory holding any of these (one level down). An input that cannot be read is named and \
            the others are still reported. Exit status: 0 every host healthy, 2 a host or a cross-host problem, 1 an input \
            could not be read.
            """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Argument(help: ArgumentHelp("Bundles, sos reports, directory roots, or directories holding them.", valueName: "input"))
    var inputs: [String] = []

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Evaluate every host as of this instant (RFC 3339); default: each host's collection time.", valueName: "instant"))
    var now: String?

    @Flag(help: "Never colour the text report.")
    var noColor = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one input: bundles, sos reports, directory roots or directories holding them") }
        if let now { _ = try parseInstant(now) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// Archives a directory of bundles may hold.
    static let archiveSuffixes = [".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar"]

    /// The inputs with each directory that is not itself evidence replaced by the bundles, sos reports and
    /// roots it holds; `unreadable` gets the directories that hold none.
    static func expand(_ inputs: [String], unreadable: inout [(String, String)]) -> [String] {
        var result: [String] = []
        for input in inputs {
            guard isDirectory(input) else { result.append(input); continue }
            let evidenceError: Error
            do {
                _ = try EvidenceOpening.open(directory: input)
                result.append(input)
                continue
            } catch {
                evidenceError = error
            }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).sorted()
            let base = input.hasSuffix("/") ? String(input.dropLast()) : input
            let children = names.filter { !$0.hasPrefix(".") }.map { base + "/" + $0 }.filter { path in
                isDirectory(path) || archiveSuffixes.contains { path.hasSuffix($0) }
            }
            if children.isEmpty {
                unreadable.append((input, "it holds no bundle, sos report or root, and is none itself (\(evidenceError))"))
            }
            result += children
        }
        return result
    }

    func run() throws {
        try Exit.guarding("cannot judge the fleet") {
            let catalog = try catalogOptions.catalog()
            var base = DiagnosisOptions(now: try now.map(parseInstant))
            base.language = languageOptions.language
            var failures: [(String, String)] = []
            let paths = Self.expand(inputs, unreadable: &failures)
            var builder = try FleetBuilder(catalog: catalog, language: base.language, expectedHosts: paths.count)
            for path in paths {
                // Each host is opened, judged and let go: only small values stay for the cross-host parts.
                do {
                    let opened = try OpenedEvidence.open(path)
                    try builder.add(input: path, options: opened.diagnosisOptions(base), notes: opened.notes) { report in
                        opened.describe(&report, profileChosen: false)
                    }
                } catch {
                    failures.append((path, "\(error)"))
                }
            }
            for (input, reason) in failures {
                builder.addUnreadable(input: input, reason: reason)
                Print.note("cannot read \(input): \(reason)")
            }
            let fleet = builder.finish(generatedAt: base.clock, now: base.now)
            let target = OutputTarget(path: output)
            try target.write(try Renderer().render(fleet: fleet, format: format, color: target.wantsColor && !noColor))
            if !failures.isEmpty { throw ExitCode(1) }
            if !fleet.healthy { throw ExitCode(2) }
        }
    }
}
