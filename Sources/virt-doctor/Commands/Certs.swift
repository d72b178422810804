import ArgumentParser
import CheckEngine
import Foundation

struct Certs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inventory every certificate found: subject, issuer, serial, SANs, key, validity, days left, state.",
        discussion: """
            Looks where oVirt/HOSTVM, libvirt, QEMU, Xen and the engine keep certificates, where qemu.conf,
            libvirtd.conf and vdsm.conf say they are, and in every --cert path. Private keys are read only to
            compare them with their certificates; no key material is printed. --format prometheus writes the
            node_exporter textfile-collector format for fleet alerting.
            """)

    @OptionGroup var machine: MachineOptions
    @OptionGroup var certificateOptions: CertificateOptions

    enum Format: String, ExpressibleByArgument { case text, json, prometheus }

    @Option(help: "Output format.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339).", valueName: "instant"))
    var now: String?

    func validate() throws {
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        try Exit.guarding {
            // A folder of certificates is evidence enough when --cert points into it.
            var options = try machine.diagnosisOptions(accepting: certificateOptions.cert)
            options.extraCertificatePaths = certificateOptions.cert
            // Collected evidence (a sos report) is judged as of its collection unless --now says otherwise.
            let instant = try now.map(parseInstant) ?? options.root.evidence.collectedAt ?? Date()
            let listing = CertificateListing.make(options.factStore(), now: instant, warningDays: certificateOptions.certWarnDays)
            switch format {
            case .text: Print.text(listing.text())
            case .json: Print.text(try listing.json())
            case .prometheus: Print.text(listing.prometheus())
            }
        }
    }
}
