import DoctorCore
import Foundation
import HostFacts

/// cert.subject: the VDSM certificate's subject names this host and the engine CA's organisation.
enum CertSubject: CheckEvaluator {
    static let id = "cert.subject"

    enum Condition: String, CaseIterable {
        case noVDSM = "no-vdsm"
        case fits
        /// The sentence lists `{problems}`, made of the fragments below.
        case mismatch
        case commonNameDiffers = "common-name-differs"
        case organisationDiffers = "organisation-differs"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try CertificateSupport.inventory(context)
        guard let vdsm = inventory.entries(.vdsm).first, let certificate = vdsm.file.certificates.first else {
            return .skip(.noVDSM)
        }
        var evidence = [Evidence(source: vdsm.path, value: "subject \(certificate.subject)")]
        var problems: [String] = []
        let hostName = CertificateSupport.hostName(context)
        if let host = hostName {
            evidence.append(Evidence(source: "host name", value: host))
            if let cn = certificate.commonName, cn != host, !(host.split(separator: ".").first.map { cn == String($0) } ?? false) {
                problems.append(context.fragment(Condition.commonNameDiffers, ["cn": cn, "host": host]))
            }
        }
        let organization = { (dn: String) in dn.components(separatedBy: ", ").first { $0.hasPrefix("O=") } }
        if let ca = inventory.entries(.engineCA).first?.file.certificates.first {
            evidence.append(Evidence(source: inventory.entries(.engineCA).first!.path, value: "CA subject \(ca.subject)"))
            if let want = organization(ca.subject), organization(certificate.subject) != want {
                problems.append(context.fragment(Condition.organisationDiffers, ["organisation": want]))
            }
        }
        if problems.isEmpty { return .pass(.fits, ["subject": certificate.subject], evidence: evidence) }
        return .warn(.mismatch, ["problems": problems.joined(separator: "; "), "host": hostName ?? "<host-fqdn>"], evidence: evidence)
    }
}
