import DoctorCore
import HostFacts

/// cert.key-strength: RSA keys under 2048 bits, DSA keys and SHA-1 (or MD5) signatures, which current crypto
/// policies refuse (RHEL 9 DEFAULT, OpenSSL security level 2), over every certificate of the inventory.
enum CertKeyStrength: CheckEvaluator {
    static let id = "cert.key-strength"

    enum Condition: String, CaseIterable {
        case noCertificates = "no-certificates"
        /// `count` certificates read, every key and signature acceptable.
        case strong
        /// The sentence lists `{problems}`, made of the fragments below; `{paths}` names the files.
        case weak
        case rsaShort = "rsa-short"
        case dsaKey = "dsa-key"
        case weakSignature = "weak-signature"
    }

    /// The smallest RSA modulus OpenSSL accepts at security level 2 (112-bit security).
    static let minimumRSABits = 2048
    /// Hashes RHEL 9's DEFAULT policy and OpenSSL level 2 refuse in signatures.
    static let refusedHashes: Set<String> = ["SHA1", "MD5", "MD2"]

    /// The modulus size of "RSA-1024" or "RSA-PSS-1024".
    static func rsaBits(_ keyType: String) -> Int? {
        guard keyType.hasPrefix("RSA-"), let last = keyType.split(separator: "-").last else { return nil }
        return Int(last)
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try CertificateSupport.inventory(context)
        var evidence: [Evidence] = []
        var problems: [String] = []
        var paths: [String] = []
        var seen = Set<String>()
        var count = 0
        for entry in inventory.entries {
            for certificate in entry.file.certificates where seen.insert(certificate.sha256Fingerprint).inserted {
                count += 1
                let algorithm = certificate.signatureAlgorithm ?? "signature algorithm not read"
                var note: String?
                var found: [String] = []
                if let bits = rsaBits(certificate.keyType), bits < minimumRSABits {
                    found.append(context.fragment(Condition.rsaShort, ["path": entry.path, "bits": String(bits)]))
                } else if certificate.keyType == "DSA" {
                    found.append(context.fragment(Condition.dsaKey, ["path": entry.path]))
                }
                if let hash = certificate.signatureHash, refusedHashes.contains(hash) {
                    // A trust anchor's own signature is never checked (OpenSSL skips it at every level):
                    // a self-signed CA signed with SHA-1 still verifies. Its key size still counts.
                    if certificate.selfIssued {
                        note = "self-signed with \(algorithm): a trust anchor's own signature is not checked"
                    } else {
                        found.append(context.fragment(Condition.weakSignature, ["path": entry.path, "algorithm": algorithm]))
                    }
                }
                let subject = certificate.commonName.map { "CN=\($0), " } ?? ""
                evidence.append(Evidence(source: entry.path, value: "\(subject)\(certificate.keyType), \(algorithm)", note: note))
                if !found.isEmpty {
                    problems += found
                    if !paths.contains(entry.path) { paths.append(entry.path) }
                }
            }
        }
        guard count > 0 else { return .skip(.noCertificates) }
        if problems.isEmpty { return .pass(.strong, ["count": String(count)], evidence: evidence) }
        var values = listVariables("paths", paths)
        values["problems"] = problems.joined(separator: "; ")
        values["path"] = paths[0]
        return .fail(.weak, values, evidence: evidence)
    }
}
