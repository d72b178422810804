import _CryptoExtras
import Crypto
import Foundation
import SwiftASN1

/// The certificates of a PKCS#12 archive (RFC 7292), as `openssl pkcs12 -nokeys` would print them. Only
/// certificate bags are read; key bags are skipped undecrypted, so no key material is ever derived.
///
/// Readable: certificate bags stored in the clear, and bags encrypted with PBES2 (PBKDF2 with HMAC-SHA1/224/
/// 256/384/512, AES-128/192/256-CBC), which OpenSSL 3 writes by default. Not readable: the legacy
/// pbeWithSHAAnd40BitRC2-CBC / 3DES encryption of OpenSSL 1.x archives; the answer then names the algorithm.
/// The MAC is not checked: a wrong password shows as a padding or structure failure of the decrypted bag.
enum PKCS12 {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static let data = "1.2.840.113549.1.7.1"
    static let encryptedData = "1.2.840.113549.1.7.6"
    static let certBag = "1.2.840.113549.1.12.10.1.3"
    static let x509Certificate = "1.2.840.113549.1.9.22.1"
    static let pbes2 = "1.2.840.113549.1.5.13"
    static let pbkdf2 = "1.2.840.113549.1.5.12"
    static let legacyNames: [String: String] = [
        "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4", "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
        "1.2.840.113549.1.12.1.3": "pbeWithSHAAnd3-KeyTripleDES-CBC", "1.2.840.113549.1.12.1.4": "pbeWithSHAAnd2-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.5": "pbeWithSHAAnd128BitRC2-CBC", "1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
    ]
    static let prfs: [String: KDF.Insecure.PBKDF2.HashFunction] = [
        "1.2.840.113549.2.7": .insecureSHA1, "1.2.840.113549.2.8": .insecureSHA224, "1.2.840.113549.2.9": .sha256,
        "1.2.840.113549.2.10": .sha384, "1.2.840.113549.2.11": .sha512,
    ]
    static let ciphers: [String: Int] = [
        "2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32,
    ]
    /// Bounds for hostile archives: PBKDF2 rounds (OpenSSL writes 2048), bags, nesting.
    static let maximumIterations = 1_000_000
    static let maximumBags = 256
    static let wrongPassword = Problem(description: "its certificates could not be decrypted with the password tried (the keystore has another one)")

    /// The DER of every X.509 certificate in the archive, in order.
    static func certificates(_ bytes: [UInt8], password: String) -> Result<[[UInt8]], Problem> {
        do {
            return .success(try read(bytes, password: password))
        } catch let problem as Problem {
            return .failure(problem)
        } catch {
            return .failure(Problem(description: "not a PKCS#12 archive (\(error))"))
        }
    }

    static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let items) = node.content else { throw Problem(description: "not a PKCS#12 archive: a SEQUENCE was expected") }
        return Array(items)
    }

    static func oid(_ node: ASN1Node) throws -> String {
        try ASN1ObjectIdentifier(derEncoded: node).description
    }

    /// The bytes of an OCTET STRING, of an explicit [0] around one, or of an implicit [0] OCTET STRING; BER's
    /// constructed strings are the concatenation of their parts.
    static func octets(_ node: ASN1Node, depth: Int = 0) throws -> [UInt8] {
        switch node.content {
        case .primitive(let bytes): return Array(bytes)
        case .constructed(let items):
            guard depth < 8 else { throw Problem(description: "strings nested too deeply in the archive") }
            var result: [UInt8] = []
            for item in items { result += try octets(item, depth: depth + 1) }
            return result
        }
    }

    static func read(_ bytes: [UInt8], password: String) throws -> [[UInt8]] {
        let pfx = try children(BER.parse(bytes))
        guard pfx.count >= 2, let version = try? Int(derEncoded: pfx[0]), version == 3 else {
            throw Problem(description: "not a PKCS#12 archive (no version 3 PFX structure)")
        }
        let authSafe = try children(pfx[1])
        guard authSafe.count == 2, try oid(authSafe[0]) == data else { throw Problem(description: "the archive is signed with a public key (not password-protected), which is not read") }
        let contents = try children(BER.parse(octets(authSafe[1])))
        var found: [[UInt8]] = []
        for info in contents.prefix(maximumBags) {
            let parts = try children(info)
            guard parts.count == 2 else { continue }
            let type = try oid(parts[0])
            let safeContents: [UInt8]
            if type == data {
                safeContents = try octets(parts[1])
            } else if type == encryptedData {
                let encrypted = try children(parts[1])
                // [0] { EncryptedData { version, EncryptedContentInfo { type, algorithm, [0] ciphertext } } }
                guard let sequence = encrypted.first else { throw Problem(description: "an empty EncryptedData") }
                let fields = try children(sequence)
                guard fields.count >= 2 else { throw Problem(description: "EncryptedData without content") }
                let content = try children(fields[1])
                guard content.count >= 3 else { throw Problem(description: "EncryptedData without content") }
                safeContents = try decrypt(content[1], ciphertext: octets(content[2]), password: password)
            } else {
                continue  // envelopedData (public-key protected): not readable without the recipient's key
            }
            let parsed: ASN1Node
            do {
                parsed = try BER.parse(safeContents)
            } catch {
                // A wrong password decrypts to noise that may still end in valid padding (1 time in 256).
                throw type == encryptedData ? wrongPassword : Problem(description: "a damaged SafeContents in the archive")
            }
            for bag in try children(parsed).prefix(maximumBags) {
                let bagParts = try children(bag)
                guard bagParts.count >= 2, try oid(bagParts[0]) == certBag else { continue }
                let certificateBag = try children(bagParts[1])
                guard let value = certificateBag.first else { continue }
                let fields = try children(value)
                guard fields.count == 2, try oid(fields[0]) == x509Certificate else { continue }
                found.append(try octets(fields[1]))
            }
        }
        guard !found.isEmpty else { throw Problem(description: "the archive holds no X.509 certificate") }
        return found
    }

    static func decrypt(_ algorithm: ASN1Node, ciphertext: [UInt8], password: String) throws -> [UInt8] {
        let parts = try children(algorithm)
        guard let first = parts.first else { throw Problem(description: "an empty encryption AlgorithmIdentifier") }
        let name = try oid(first)
        if let legacy = legacyNames[name] {
            throw Problem(description: "its certificates are encrypted with \(legacy) (OpenSSL 1.x and older engines), which is not read; compare with `openssl pkcs12 -legacy -nokeys`")
        }
        guard name == pbes2, parts.count == 2 else { throw Problem(description: "its certificates are encrypted with \(name), which is not read") }
        let scheme = try children(parts[1])
        guard scheme.count == 2 else { throw Problem(description: "PBES2 parameters are incomplete") }
        let kdf = try children(scheme[0])
        guard kdf.count == 2, try oid(kdf[0]) == pbkdf2 else { throw Problem(description: "PBES2 with a key derivation other than PBKDF2 is not read") }
        let kdfParameters = try children(kdf[1])
        guard kdfParameters.count >= 2 else { throw Problem(description: "PBKDF2 parameters are incomplete") }
        let salt = try octets(kdfParameters[0])
        guard let iterations = try? Int(derEncoded: kdfParameters[1]), (1...maximumIterations).contains(iterations) else {
            throw Problem(description: "PBKDF2 iteration count is missing or above \(maximumIterations)")
        }
        var prf = KDF.Insecure.PBKDF2.HashFunction.insecureSHA1
        for extra in kdfParameters.dropFirst(2) where extra.identifier == .sequence {
            let prfParts = try children(extra)
            guard let prfOID = prfParts.first.flatMap({ try? oid($0) }), let known = prfs[prfOID] else {
                throw Problem(description: "PBKDF2 with an unknown pseudo-random function")
            }
            prf = known
        }
        let cipher = try children(scheme[1])
        guard cipher.count == 2, let keyLength = ciphers[try oid(cipher[0])] else {
            throw Problem(description: "PBES2 with a cipher other than AES-CBC is not read")
        }
        let iv = try octets(cipher[1])
        guard iv.count == 16, ciphertext.count % 16 == 0, !ciphertext.isEmpty else { throw Problem(description: "AES-CBC data of an invalid size") }
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: prf,
                                                   outputByteCount: keyLength, unsafeUncheckedRounds: iterations)
        do {
            return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw wrongPassword
        }
    }
}
