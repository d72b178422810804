import Foundation
import SwiftASN1

/// What a binary (DER) blob is, as far as deciding whether it may leave the host.
public enum BinaryKind: Equatable, Sendable {
    /// One or more X.509 certificates (plain DER or PKCS#7) and nothing else: public by design.
    case certificates
    /// A private key: PKCS#8 (plain or encrypted), PKCS#1 RSA, SEC1 EC, or OpenSSL DSA.
    case privateKey
    /// Anything else.
    case unknown
}

/// Recognises key material by its structure rather than its file name, for the bundle's redaction.
public enum KeyMaterial {
    public static func classifyDER(_ bytes: [UInt8]) -> BinaryKind {
        guard bytes.first == 0x30, bytes.count < 16 << 20 else { return .unknown }
        if isPrivateKeyDER(bytes) { return .privateKey }
        let file = CertificateParser.read(bytes, path: "")
        if !file.certificates.isEmpty, file.problem == nil, !file.containsPrivateKey { return .certificates }
        return .unknown
    }

    /// The ASN.1 shapes of private keys. Certificates never match: their first element is a SEQUENCE
    /// (TBSCertificate), while every private key format starts with an INTEGER version or, encrypted,
    /// with an AlgorithmIdentifier followed by an OCTET STRING.
    public static func isPrivateKeyDER(_ bytes: [UInt8]) -> Bool {
        guard bytes.first == 0x30, let root = try? DER.parse(bytes), root.identifier == .sequence,
              case .constructed(let children) = root.content else { return false }
        let items = Array(children)
        guard let first = items.first else { return false }
        if first.identifier == .integer {
            let kinds = items.dropFirst().map(\.identifier)
            // PKCS#8 PrivateKeyInfo: version, AlgorithmIdentifier, OCTET STRING privateKey, ...
            if kinds.count >= 2, kinds[0] == .sequence, kinds[1] == .octetString { return true }
            // SEC1 ECPrivateKey: version 1, OCTET STRING privateKey, [0] parameters, [1] publicKey.
            if kinds.count >= 1, kinds[0] == .octetString { return true }
            // PKCS#1 RSAPrivateKey (9 INTEGERs) and OpenSSL's DSA key (6 INTEGERs).
            if items.count >= 6, items.allSatisfy({ $0.identifier == .integer }) { return true }
            return false
        }
        // PKCS#8 EncryptedPrivateKeyInfo: AlgorithmIdentifier (with its OID), OCTET STRING encryptedData.
        if items.count == 2, first.identifier == .sequence, items[1].identifier == .octetString,
           case .constructed(let algorithm) = first.content, algorithm.first(where: { _ in true })?.identifier == .objectIdentifier {
            return true
        }
        return false
    }
}
