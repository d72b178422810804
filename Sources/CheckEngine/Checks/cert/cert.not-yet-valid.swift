import DoctorCore
import HostFacts

/// cert.not-yet-valid: a certificate whose notBefore is still ahead is rejected by every TLS peer.
enum CertNotYetValid: CheckEvaluator {
    static let id = "cert.not-yet-valid"

    enum Condition: String, CaseIterable {
        case noCertificates = "no-certificates"
        case allValid = "all-valid"
        /// `count` certificates start in the future.
        case future
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let all = try CertificateSupport.allCertificates(context)
        guard !all.isEmpty else { return .skip(.noCertificates) }
        let future = all.filter { $0.1.notBefore > context.now }
        let evidence = future.map { Evidence(source: $0.0.path, value: "not valid before \(CertificateSupport.stamp($0.1.notBefore))") }
        let now = CertificateSupport.stamp(context.now)
        if future.isEmpty {
            return .pass(.allValid, ["certificates": String(all.count), "now": now])
        }
        return .fail(.future, ["count": String(future.count), "now": now], evidence: evidence)
    }
}
