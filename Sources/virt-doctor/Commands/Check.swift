import ArgumentParser
import CheckEngine
import Reporting

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the machine and print a scored report with remediation steps.")

    @OptionGroup var machine: MachineOptions
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Who the report is for; auto picks from what the machine is.")
    var profile: ProfileChoice = .auto

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339), e.g. to see what will have expired by then.", valueName: "instant"))
    var now: String?

    @Option(help: ArgumentHelp("Seconds one check may take before it is reported as an error (more than 0, at most \(OptionLimits.maximumSeconds)).", valueName: "seconds"))
    var timeout: Double = DiagnosisOptions.defaultCheckTimeout

    @OptionGroup var certificateOptions: CertificateOptions

    @Flag(help: "Never colour the text report.")
    var noColor = false

    func validate() throws {
        try OptionLimits.checkSeconds(timeout, option: "--timeout")
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        try Exit.guarding {
            let catalog = try catalogOptions.catalog()
            try selection.check(against: catalog)
            var options = try machine.diagnosisOptions()
            options.profile = profile.profile
            options.now = try now.map(parseInstant)
            options.only = selection.onlySelectors
            options.skip = selection.skipSelectors
            options.checkTimeout = timeout
            options.certificateWarningDays = certificateOptions.certWarnDays
            options.extraCertificatePaths = certificateOptions.cert
            options.language = languageOptions.language
            let report = try Diagnosis.run(options, catalog: catalog).report
            let target = OutputTarget(path: output)
            try target.write(try Renderer().render(report, format: format, color: target.wantsColor && !noColor))
            if let code = selection.failOn.exitCode(for: report) { throw code }
        }
    }
}
