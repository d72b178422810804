import DoctorCore
import HostFacts

/// cert.key-match: the private key beside each certificate must be the certificate's own.
enum CertKeyMatch: CheckEvaluator {
    static let id = "cert.key-match"
    /// Set when the first mismatched pair is the VNC console's.
    static let tags = ["vnc"]

    enum Condition: String, CaseIterable {
        case noKeys = "no-keys"
        /// `{keys}`, `count` of them, belong to other certificates.
        case mismatch
        /// `count` pairs compared, all matching.
        case match
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let entries = try CertificateSupport.inventory(context).entries.filter { $0.keyPath != nil }
        guard !entries.isEmpty else { return .skip(.noKeys) }
        var evidence: [Evidence] = []
        var mismatched: [InventoryEntry] = []
        for entry in entries {
            if let matches = entry.keyMatches {
                evidence.append(Evidence(source: "\(entry.path) + \(entry.keyPath!)", value: matches ? "the key belongs to the certificate" : "the key belongs to another certificate"))
                if !matches { mismatched.append(entry) }
            } else {
                evidence.append(Evidence(source: entry.keyPath!, value: "not compared", note: entry.keyProblem))
            }
        }
        if let first = mismatched.first {
            var values = listVariables("keys", mismatched.map { $0.keyPath! })
            values["certificate"] = first.path
            values["key"] = first.keyPath!
            return .fail(.mismatch, values, evidence: evidence, tags: first.role == .vnc ? ["vnc"] : [])
        }
        let compared = entries.filter { $0.keyMatches != nil }.count
        return .pass(.match, ["count": String(compared)], evidence: evidence)
    }
}
