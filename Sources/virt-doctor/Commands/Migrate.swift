import ArgumentParser
import Bundles
import CheckEngine
import DoctorCore
import HostFacts
import Reporting

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge whether guests can live-migrate from one host to another: versions, CPUs, networks, storage, ports, SSH, clocks.",
        discussion: """
            SOURCE and DEST are each a bundle written by `virt-doctor collect`, a sos report (archive or extracted folder) or a \
            directory laid out like /. On the source host itself, `virt-doctor migrate --to qemu+ssh://dest/system` judges the \
            live machine against what the destination's libvirt answers (read-only); checks that need the destination's files \
            then say so.
            """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Argument(help: ArgumentHelp("The host the guests run on now: a bundle, a sos report or a directory root (default with --to: this machine).", valueName: "source"))
    var source: String?

    @Argument(help: ArgumentHelp("The host they would move to (omit with --to).", valueName: "dest"))
    var destination: String?

    @Option(name: .customLong("to"), help: ArgumentHelp("Ask the destination's libvirt at this URI (read-only) instead of reading its evidence.", valueName: "uri"))
    var destinationURI: String?

    @Option(name: .customLong("connect"), help: ArgumentHelp("libvirt URI of the source when it is this machine (default: what virsh uses).", valueName: "uri"))
    var sourceURI: String?

    @Option(name: .customLong("libvirt-timeout"), help: ArgumentHelp("Seconds a libvirt may take to answer (more than 0, at most \(OptionLimits.maximumSeconds)).", valueName: "seconds"))
    var libvirtTimeout: Double = DiagnosisOptions.defaultLibvirtTimeout

    @Option(name: .customLong("guest"), help: ArgumentHelp("Judge only this guest (repeatable); default: every guest defined on the source.", valueName: "name"))
    var guests: [String] = []

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339); default: the source's collection time.", valueName: "instant"))
    var now: String?

    @Flag(help: "Never colour the text report.")
    var noColor = false

    func validate() throws {
        try OptionLimits.checkSeconds(libvirtTimeout, option: "--libvirt-timeout")
        if let now { _ = try parseInstant(now) }
        switch (source, destination, destinationURI) {
        case (nil, _, nil): throw ValidationError("give the source and the destination (two bundles, sos reports or directories), or --to URI")
        case (_, nil, nil): throw ValidationError("give the destination too, or --to URI to ask its libvirt")
        case (_, .some, .some): throw ValidationError("give either a destination or --to, not both")
        default: break
        }
    }

    func run() throws {
        try Exit.guarding("cannot judge the migration") {
            let catalog = try catalogOptions.catalog()
            try selection.check(against: catalog)
            var base = DiagnosisOptions(now: try now.map(parseInstant), libvirtTimeout: libvirtTimeout)
            base.only = selection.onlySelectors
            base.skip = selection.skipSelectors
            base.language = languageOptions.language
            let (sourceOptions, sourceEvidence) = try side(source, base: base, libvirtURI: sourceURI)
            let destinationOptions: DiagnosisOptions
            let destinationEvidence: OpenedEvidence?
            if let destinationURI {
                var options = base
                options.root = .libvirtConnection(destinationURI)
                options.libvirtURI = destinationURI
                (destinationOptions, destinationEvidence) = (options, nil)
            } else {
                (destinationOptions, destinationEvidence) = try side(destination, base: base, libvirtURI: nil)
            }
            var report: Report
            do {
                report = try MigrationDiagnosis.run(source: sourceOptions, destination: destinationOptions, requestedGuests: guests,
                                                    catalog: catalog).report
            } catch let unknown as MigrationDiagnosis.UnknownGuest {
                throw ValidationError("--guest: \(unknown)")
            }
            // A bundle describes its own host: the collector's view beats what a copy of /etc can tell.
            if let sourceEvidence, let host = sourceEvidence.recordedHost {
                report.host = host
                report.evidence = sourceEvidence.evidenceSource
            }
            if let destinationEvidence, let host = destinationEvidence.recordedHost {
                report.destination = host
                report.destinationEvidence = destinationEvidence.evidenceSource
            }
            let target = OutputTarget(path: output)
            try target.write(try Renderer().render(report, format: format, color: target.wantsColor && !noColor))
            if let code = selection.failOn.exitCode(for: report) { throw code }
        }
    }

    /// One side's options: the live machine (nil path), or the evidence at `path`.
    func side(_ path: String?, base: DiagnosisOptions, libvirtURI: String?) throws -> (DiagnosisOptions, OpenedEvidence?) {
        guard let path, path != "/" else {
            var options = base
            options.libvirtURI = libvirtURI
            return (options, nil)
        }
        let opened: OpenedEvidence
        do {
            opened = try OpenedEvidence.open(path)
        } catch {
            throw ToolFailure("cannot read \(path): \(error)")
        }
        return (opened.diagnosisOptions(base), opened)
    }
}
