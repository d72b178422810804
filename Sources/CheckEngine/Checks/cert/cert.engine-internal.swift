import DoctorCore
import Foundation
import HostFacts

/// cert.engine-internal: the engine's service certificates (apache, websocket-proxy, imageio-proxy, engine ...)
/// signed by the engine CA, which engine-setup renews, or by another CA, which it leaves alone; and each `.cer`
/// the same certificate as its PKCS#12 keystore, where the keystore can be read.
enum CertEngineInternal: CheckEvaluator {
    static let id = "cert.engine-internal"
    /// `renew-manually` selects the manual renewal steps, `keystore` the keystore ones.
    static let tags = ["renew-manually", "keystore"]

    enum Condition: String, CaseIterable {
        case noCertificates = "no-certificates"
        /// The CA could not be read and no keystore could be compared: `{reason}`.
        case noCA = "no-ca"
        /// `{certificates}` signed by the engine CA, `{compared}` of `{keystores}` keystores hold the same certificate.
        case internalOnly = "internal"
        /// As `internal`, with no keystore present to compare.
        case internalNoKeystores = "internal-no-keystores"
        /// The sentence lists `{problems}`, made of the fragments below.
        case attention
        case thirdParty = "third-party"
        case keystoreDiffers = "keystore-differs"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let pki = try context.fact(Facts.enginePKI).value
        guard !pki.certificates.isEmpty else { return .skip(.noCertificates) }
        let inventory = context.optionalFact(Facts.certificates)?.value
        var evidence: [Evidence] = []
        if let problem = pki.caProblem {
            evidence.append(Evidence(source: pki.caPath, value: "not read", note: problem))
        } else if let subject = pki.caSubject {
            evidence.append(Evidence(source: pki.caPath, value: "engine CA: \(subject)"))
        }
        var problems: [String] = []
        var tags: [String] = []
        var signedByCA: [String] = []
        var values: [String: String] = [:]
        var keystores = 0
        var compared = 0
        for certificate in pki.certificates {
            let record = inventory?.entry(at: certificate.path)?.file.certificates.first
            let until = record.map { CertificateSupport.stamp($0.notAfter) } ?? "its expiry"
            switch certificate.signedByEngineCA {
            case true?:
                signedByCA.append(certificate.path)
                evidence.append(Evidence(source: certificate.path, value: "signed by the engine CA" + (record.map { ", valid until \(CertificateSupport.stamp($0.notAfter))" } ?? "")))
            case false?:
                let issuer = certificate.issuer ?? "another CA"
                problems.append(context.fragment(Condition.thirdParty, ["path": certificate.path, "issuer": issuer, "until": until]))
                evidence.append(Evidence(source: certificate.path, value: "signed by \(issuer), not by the engine CA"))
                if !tags.contains("renew-manually") { tags.append("renew-manually") }
                if values["path"] == nil { values["path"] = certificate.path; values["name"] = certificate.name }
            case nil:
                evidence.append(Evidence(source: certificate.path, value: "issuer not judged", note: certificate.problem ?? pki.caProblem))
            }
            guard let keystore = certificate.keystorePath else { continue }
            keystores += 1
            guard let held = certificate.keystoreCertificates, let fingerprint = certificate.sha256Fingerprint else {
                evidence.append(Evidence(source: keystore, value: "not compared", note: certificate.keystoreProblem ?? certificate.problem))
                continue
            }
            compared += 1
            if held.contains(fingerprint) {
                evidence.append(Evidence(source: keystore, value: "holds the same certificate as \(certificate.name).cer"))
            } else if certificate.signedByEngineCA == false {
                // The documented replacement of the web certificate by a third-party one changes the .cer and
                // the .key.nopass and leaves the keystore with the engine CA's certificate: expected, not a fault.
                evidence.append(Evidence(source: keystore, value: "holds another certificate", note: "expected after a third-party certificate replaced \(certificate.name).cer"))
            } else {
                problems.append(context.fragment(Condition.keystoreDiffers, ["path": certificate.path, "keystore": keystore]))
                evidence.append(Evidence(source: keystore, value: "holds another certificate than \(certificate.name).cer"))
                if !tags.contains("keystore") { tags.append("keystore") }
                if values["keystore"] == nil { values["keystore"] = keystore; values["certificate"] = certificate.path }
            }
        }
        if (pki.caProblem != nil || signedByCA.isEmpty) && problems.isEmpty {
            return .skip(.noCA, ["reason": pki.caProblem ?? pki.certificates.compactMap(\.problem).first ?? "no certificate could be judged", "ca": pki.caPath], evidence: evidence)
        }
        if problems.isEmpty {
            values = listVariables("certificates", signedByCA)
            values["keystores"] = String(keystores)
            values["compared"] = String(compared)
            return .pass(keystores == 0 ? .internalNoKeystores : .internalOnly, values, evidence: evidence)
        }
        let status: Status = tags.contains("keystore") ? .fail : .warn
        values["problems"] = problems.joined(separator: "; ")
        return Outcome(status, .attention, values, evidence: evidence, tags: tags)
    }
}
