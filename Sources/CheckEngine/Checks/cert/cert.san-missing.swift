import DoctorCore
import HostFacts

/// cert.san-missing: VDSM and engine certificates need a subjectAltName (the VDSM one naming this host).
enum CertSANMissing: CheckEvaluator {
    static let id = "cert.san-missing"

    enum Condition: String, CaseIterable {
        case noCertificates = "no-certificates"
        case present
        /// The sentence lists `{problems}`, made of the fragments below.
        case missing
        case fileWithoutSAN = "file-without-san"
        case hostNotNamed = "host-not-named"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let entries = try CertificateSupport.inventory(context).entries.filter { [.vdsm, .engine].contains($0.role) && $0.file.certificates.first?.isCA == false }
        guard !entries.isEmpty else { return .skip(.noCertificates) }
        let host = CertificateSupport.hostName(context)
        var evidence: [Evidence] = []
        var missing: [String] = []
        for entry in entries {
            guard let certificate = entry.file.certificates.first else { continue }
            evidence.append(Evidence(source: entry.path, value: certificate.subjectAlternativeNames.isEmpty ? "no subjectAltName" : certificate.subjectAlternativeNames.joined(separator: ", ")))
            if certificate.subjectAlternativeNames.isEmpty {
                missing.append(context.fragment(Condition.fileWithoutSAN, ["path": entry.path]))
            } else if entry.role == .vdsm, let host, !certificate.subjectAlternativeNames.contains("DNS:\(host)") {
                missing.append(context.fragment(Condition.hostNotNamed, ["path": entry.path, "host": host]))
            }
        }
        if missing.isEmpty { return .pass(.present, evidence: evidence) }
        return .warn(.missing, ["problems": missing.joined(separator: "; ")], evidence: evidence)
    }
}
