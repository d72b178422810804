import ArgumentParser
import Bundles
import CheckEngine
import Reporting

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge a collected bundle or a sos report offline: the same report as on the host, plus known errors in its logs.")

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Argument(help: "A bundle written by virt-doctor collect, or a sos report (its .tar.xz/.tar.gz/.tar.bz2 archive or the extracted folder).")
    var bundle: String

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Judge with another profile than the one recorded.")
    var profile: ProfileChoice = .auto

    @Option(help: ArgumentHelp("Evaluate as of another instant than the collection's (RFC 3339).", valueName: "instant"))
    var now: String?

    @Flag(help: "Never colour the text report.")
    var noColor = false

    func validate() throws {
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        // Whatever went wrong (a hostile archive, an unwritable --output), one sentence and exit code 1.
        try Exit.guarding("cannot analyze \(bundle)") {
            let catalog = try catalogOptions.catalog()
            try selection.check(against: catalog)
            var options = DiagnosisOptions(profile: profile.profile, now: try now.map(parseInstant))
            options.only = selection.onlySelectors
            options.skip = selection.skipSelectors
            options.language = languageOptions.language
            let analysis = try Analyzer.analyze(bundle: bundle, catalog: catalog, options: options)
            let target = OutputTarget(path: output)
            try target.write(try analysis.rendered(format: format, color: target.wantsColor && !noColor))
            if let code = selection.failOn.exitCode(for: analysis.report) { throw code }
        }
    }
}
