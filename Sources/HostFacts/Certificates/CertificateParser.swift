import Crypto
import DoctorCore
import Foundation
import SwiftASN1
import X509

/// One certificate as the inventory shows it. No key material: the public key is represented by the
/// SHA-256 of its SubjectPublicKeyInfo, which is enough to compare it with a private key's.
public struct CertificateRecord: Codable, Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var serialHex: String
    public var subjectAlternativeNames: [String]
    /// "RSA-2048", "EC-P256", "Ed25519", "DSA", or the algorithm OID when unknown.
    public var keyType: String
    public var notBefore: Date
    public var notAfter: Date
    public var sha256Fingerprint: String
    public var publicKeySHA256: String
    public var isCA: Bool
    public var selfIssued: Bool
    /// nil when swift-certificates accepted the certificate; otherwise why it did not, while the fields
    /// above were still read from the DER structure.
    public var strictParseProblem: String?
    /// The issuer's signature algorithm as openssl names it ("sha256WithRSAEncryption", "ecdsa-with-SHA1"),
    /// or its OID when unknown; nil in facts recorded before it was read.
    public var signatureAlgorithm: String? = nil

    /// The hash of the signature when the algorithm names one ("SHA1", "MD5", "SHA256"); nil for Ed25519,
    /// RSASSA-PSS (its hash sits in the parameters) and unknown algorithms.
    public var signatureHash: String? { signatureAlgorithm.flatMap { CertificateRecord.signatureHashes[$0] } }

    static let signatureHashes: [String: String] = [
        "md2WithRSAEncryption": "MD2", "md5WithRSAEncryption": "MD5", "sha1WithRSAEncryption": "SHA1",
        "sha224WithRSAEncryption": "SHA224", "sha256WithRSAEncryption": "SHA256", "sha384WithRSAEncryption": "SHA384",
        "sha512WithRSAEncryption": "SHA512", "ecdsa-with-SHA1": "SHA1", "ecdsa-with-SHA224": "SHA224",
        "ecdsa-with-SHA256": "SHA256", "ecdsa-with-SHA384": "SHA384", "ecdsa-with-SHA512": "SHA512",
        "dsaWithSHA1": "SHA1", "dsa_with_SHA224": "SHA224", "dsa_with_SHA256": "SHA256",
    ]

    public var lifetimeDays: Int { Int((notAfter.timeIntervalSince(notBefore) / 86_400).rounded()) }
    public var commonName: String? {
        subject.components(separatedBy: ", ").first { $0.hasPrefix("CN=") }.map { String($0.dropFirst(3)) }
    }
}

/// What a file holds: certificates, a private key, or something unreadable (with the reason).
public struct CertificateFile: Codable, Sendable, Equatable {
    public var path: String
    /// PEM, PEM bundle, DER, PKCS#7, PKCS#12, private key
    public var format: String
    public var certificates: [CertificateRecord]
    public var containsPrivateKey: Bool
    /// Why the file (or one of its blocks) could not be read; nil when everything was read.
    public var problem: String?
}

enum CertificateParser {
    static let certificateLabels: Set<String> = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]
    static let keyLabels: Set<String> = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"]

    struct PEMBlock {
        var label: String
        var der: [UInt8]?
    }

    /// Every `-----BEGIN X-----` block, in order; text outside blocks is ignored (as openssl does).
    static func pemBlocks(_ text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var label: String?
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = TextChecks.trimmed(rawLine)
            if label == nil, line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
                label = String(line.dropFirst(11).dropLast(5))
                body = ""
            } else if let current = label, line == "-----END \(current)-----" {
                blocks.append(PEMBlock(label: current, der: Data(base64Encoded: body, options: .ignoreUnknownCharacters).map { Array($0) }))
                label = nil
            } else if label != nil, !line.contains(":") {
                body += line   // RFC 1421 headers ("Proc-Type: ...") carry a colon
            }
        }
        if let label { blocks.append(PEMBlock(label: label, der: nil)) }  // no END line: truncated
        return blocks
    }

    static func read(_ bytes: [UInt8], path: String) -> CertificateFile {
        var file = CertificateFile(path: path, format: "", certificates: [], containsPrivateKey: false, problem: nil)
        let lower = path.lowercased()
        if lower.hasSuffix(".p12") || lower.hasSuffix(".pfx") {
            file.format = "PKCS#12"
            file.problem = "a PKCS#12 archive is protected by a password and is not read; export its certificate with `openssl pkcs12 -in \(path) -nokeys -out cert.pem` and pass that with --cert"
            return file
        }
        guard !bytes.isEmpty else {
            file.format = "empty"
            file.problem = "the file is empty"
            return file
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN ") {
            let blocks = pemBlocks(text)
            var problems: [String] = []
            for (index, block) in blocks.enumerated() {
                if keyLabels.contains(block.label) {
                    file.containsPrivateKey = true
                    continue
                }
                guard let der = block.der, !der.isEmpty else {
                    problems.append("PEM block \(index + 1) (\(block.label)) is truncated or not valid base64")
                    continue
                }
                if certificateLabels.contains(block.label) {
                    do { file.certificates.append(try record(der)) } catch { problems.append("certificate \(index + 1): \(error)") }
                } else if block.label == "PKCS7" {
                    do { file.certificates += try pkcs7Certificates(der).map(record) } catch { problems.append("PKCS#7 block: \(error)") }
                } else {
                    problems.append("PEM block \(index + 1) is a \(block.label), not a certificate")
                }
            }
            let certificateCount = file.certificates.count
            file.format = blocks.contains { $0.label == "PKCS7" } ? "PKCS#7 (PEM)"
                : certificateCount > 1 ? "PEM bundle" : certificateCount == 0 && file.containsPrivateKey ? "private key" : "PEM"
            if certificateCount == 0 && !file.containsPrivateKey && problems.isEmpty { problems.append("no certificate in the PEM text") }
            file.problem = problems.isEmpty ? nil : problems.joined(separator: "; ")
            return file
        }
        file.format = "DER"
        guard bytes.first == 0x30 else {
            file.problem = "neither PEM text nor a DER certificate (the first byte is 0x\(String(format: "%02x", bytes[0])))"
            return file
        }
        do {
            if let certificates = try? pkcs7Certificates(bytes), !certificates.isEmpty {
                file.format = "PKCS#7 (DER)"
                file.certificates = try certificates.map(record)
            } else {
                file.certificates = [try record(bytes)]
            }
        } catch {
            file.problem = "\(error)"
        }
        return file
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads one DER certificate: strictly with swift-certificates when it can, and in any case the
    /// inventory fields straight from the structure, so an unusual but well-formed certificate (a DSA key,
    /// a negative serial) still gets its dates checked.
    static func record(_ der: [UInt8]) throws -> CertificateRecord {
        let root: ASN1Node
        do {
            root = try DER.parse(der)
        } catch {
            throw ParseError(description: "not a DER structure (\(error)); the file may be truncated")
        }
        guard case .constructed(let top) = root.content, let tbs = top.first(where: { _ in true }),
              case .constructed(let tbsChildren) = tbs.content else {
            throw ParseError(description: "not an X.509 certificate: no TBSCertificate sequence")
        }
        var fields = Array(tbsChildren)
        if let first = fields.first, first.identifier.tagClass == .contextSpecific, first.identifier.tagNumber == 0 {
            fields.removeFirst()  // [0] version
        }
        guard fields.count >= 6 else { throw ParseError(description: "TBSCertificate has \(fields.count) fields, at least 6 expected") }
        let serial = fields[0], issuer = fields[2], validity = fields[3], subject = fields[4], spki = fields[5]
        guard case .constructed(let times) = validity.content, Array(times).count == 2 else {
            throw ParseError(description: "the validity field is not two times")
        }
        let timeNodes = Array(times)
        let notBefore = try time(timeNodes[0], field: "notBefore")
        let notAfter = try time(timeNodes[1], field: "notAfter")

        for (name, node) in [("subject", subject), ("issuer", issuer)] where !validStrings(node) {
            throw ParseError(description: "the \(name) holds a UTF8String that is not valid UTF-8 (openssl refuses this certificate too)")
        }
        var record = CertificateRecord(
            subject: distinguishedName(subject), issuer: distinguishedName(issuer), serialHex: serialHex(serial),
            subjectAlternativeNames: [], keyType: keyType(spki), notBefore: notBefore, notAfter: notAfter,
            sha256Fingerprint: hex(Array(SHA256.hash(data: der))),
            publicKeySHA256: hex(Array(SHA256.hash(data: Array(spki.encodedBytes)))),
            isCA: false, selfIssued: false, strictParseProblem: nil)
        record.signatureAlgorithm = signatureAlgorithm(Array(top))
        record.selfIssued = issuer.encodedBytes.elementsEqual(subject.encodedBytes)
        do {
            let certificate = try Certificate(derEncoded: der)
            if let names = try? certificate.extensions.subjectAlternativeNames, !names.isEmpty {
                record.subjectAlternativeNames = names.map { name in
                    switch name {
                    case .dnsName(let value): "DNS:\(value)"
                    case .ipAddress(let value): "IP:" + ipAddress(Array(value.bytes))
                    case .rfc822Name(let value): "email:\(value)"
                    case .uniformResourceIdentifier(let value): "URI:\(value)"
                    default: "\(name)"
                    }
                }
            }
            if record.subjectAlternativeNames.isEmpty { record.subjectAlternativeNames = fallbackSubjectAlternativeNames(fields) }
            if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { record.isCA = true }
        } catch {
            record.strictParseProblem = "\(error)"
            record.subjectAlternativeNames = fallbackSubjectAlternativeNames(fields)
        }
        return record
    }

    /// UTCTime (YYMMDDHHMMSSZ, years 50-99 are 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ).
    static func time(_ node: ASN1Node, field: String) throws -> Date {
        guard case .primitive(let bytes) = node.content else { throw ParseError(description: "\(field) is not a time value") }
        let text = String(decoding: bytes, as: UTF8.self)
        var digits = text
        let invalid = ParseError(description: "\(field) is not a valid time: \"\(text)\" (openssl prints \"Bad time value\")")
        // RFC 5280: UTCTime is exactly YYMMDDHHMMSSZ, GeneralizedTime exactly YYYYMMDDHHMMSSZ.
        if node.identifier == .utcTime {
            guard text.count == 13, let year = Int(text.prefix(2)) else { throw invalid }
            digits = (year >= 50 ? "19" : "20") + text
        } else if node.identifier == .generalizedTime {
            guard text.count == 15 else { throw invalid }
        } else {
            throw ParseError(description: "\(field) is neither UTCTime nor GeneralizedTime")
        }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        let chars = Array(digits)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            return Int(String(chars[range]))
        }
        guard digits.hasSuffix("Z"), chars.count >= 15,
              let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(8..<10), let minute = number(10..<12), let second = number(12..<14),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            throw invalid
        }
        components.year = year; components.month = month; components.day = day
        components.hour = hour; components.minute = minute; components.second = second
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components) else { throw ParseError(description: "\(field) is not a valid date: \(text)") }
        return date
    }

    static let attributeNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
        "2.5.4.5": "serialNumber", "2.5.4.4": "SN", "2.5.4.42": "GN", "1.2.840.113549.1.9.1": "emailAddress",
        "0.9.2342.19200300.100.1.25": "DC", "2.5.4.9": "street", "2.5.4.17": "postalCode", "2.5.4.12": "title",
    ]

    /// "CN=host, O=example.test" in the order the certificate stores it (as openssl shows it).
    static func distinguishedName(_ node: ASN1Node) -> String {
        guard case .constructed(let sets) = node.content else { return "" }
        var parts: [String] = []
        for set in sets {
            guard case .constructed(let attributes) = set.content else { continue }
            for attribute in attributes {
                guard case .constructed(let pair) = attribute.content else { continue }
                let items = Array(pair)
                guard items.count == 2, let oid = try? ASN1ObjectIdentifier(derEncoded: items[0]) else { continue }
                let name = attributeNames[oid.description] ?? oid.description
                var value = "?"
                if case .primitive(let bytes) = items[1].content {
                    value = items[1].identifier == ASN1Identifier(tagWithNumber: 30, tagClass: .universal)
                        ? String(decoding: stride(from: 0, to: bytes.count - 1, by: 2).flatMap { i -> [UInt8] in
                            [bytes[bytes.startIndex + i + 1]] }, as: UTF8.self)  // BMPString, ASCII subset
                        : String(decoding: bytes, as: UTF8.self)
                }
                parts.append("\(name)=\(value)")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// Every UTF8String in a name decodes as UTF-8.
    static func validStrings(_ node: ASN1Node) -> Bool {
        switch node.content {
        case .primitive(let bytes):
            return node.identifier != .utf8String || String(validating: Array(bytes), as: UTF8.self) != nil
        case .constructed(let children):
            return children.allSatisfy(validStrings)
        }
    }

    static func serialHex(_ node: ASN1Node) -> String {
        guard case .primitive(let bytes) = node.content, !bytes.isEmpty else { return "" }
        if bytes.first! & 0x80 != 0 {
            // Negative: two's complement, shown like openssl with a leading minus.
            var magnitude = bytes.map { ~$0 }
            var index = magnitude.count - 1
            while index >= 0 {
                let (sum, overflow) = magnitude[index].addingReportingOverflow(1)
                magnitude[index] = sum
                if !overflow { break }
                index -= 1
            }
            let digits = hex(Array(magnitude.drop { $0 == 0 })).uppercased()
            return "-" + (digits.isEmpty ? "0" : digits)
        }
        let trimmed = Array(bytes.drop { $0 == 0 })
        return trimmed.isEmpty ? "00" : hex(trimmed).uppercased()
    }

    static let keyAlgorithms: [String: String] = [
        "1.2.840.113549.1.1.1": "RSA", "1.2.840.113549.1.1.10": "RSA-PSS", "1.2.840.10045.2.1": "EC",
        "1.3.101.112": "Ed25519", "1.3.101.113": "Ed448", "1.2.840.10040.4.1": "DSA",
        "1.2.643.2.2.19": "GOST R 34.10-2001", "1.2.643.7.1.1.1.1": "GOST R 34.10-2012-256", "1.2.643.7.1.1.1.2": "GOST R 34.10-2012-512",
        "2.16.840.1.101.3.4.3.17": "ML-DSA-44", "2.16.840.1.101.3.4.3.18": "ML-DSA-65", "2.16.840.1.101.3.4.3.19": "ML-DSA-87",
    ]
    static let curves: [String: String] = [
        "1.2.840.10045.3.1.7": "P256", "1.3.132.0.34": "P384", "1.3.132.0.35": "P521", "1.3.132.0.10": "secp256k1",
    ]

    static let signatureAlgorithms: [String: String] = [
        "1.2.840.113549.1.1.2": "md2WithRSAEncryption", "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5": "sha1WithRSAEncryption", "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
        "1.2.840.113549.1.1.11": "sha256WithRSAEncryption", "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13": "sha512WithRSAEncryption", "1.2.840.113549.1.1.10": "rsassaPss",
        "1.2.840.10045.4.1": "ecdsa-with-SHA1", "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2": "ecdsa-with-SHA256", "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4": "ecdsa-with-SHA512", "1.2.840.10040.4.3": "dsaWithSHA1",
        "2.16.840.1.101.3.4.3.1": "dsa_with_SHA224", "2.16.840.1.101.3.4.3.2": "dsa_with_SHA256",
        "1.3.101.112": "ED25519", "1.3.101.113": "ED448",
        "1.2.643.7.1.1.3.2": "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)",
        "1.2.643.7.1.1.3.3": "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)",
        "1.2.643.2.2.3": "GOST R 34.11-94 with GOST R 34.10-2001",
    ]

    /// The outer signatureAlgorithm of a Certificate (its second element): the algorithm the issuer signed with.
    static func signatureAlgorithm(_ top: [ASN1Node]) -> String? {
        guard top.count >= 2, case .constructed(let parts) = top[1].content, let first = parts.first(where: { _ in true }),
              let oid = try? ASN1ObjectIdentifier(derEncoded: first) else { return nil }
        return signatureAlgorithms[oid.description] ?? oid.description
    }

    static func keyType(_ spki: ASN1Node) -> String {
        guard case .constructed(let parts) = spki.content, let algorithm = parts.first(where: { _ in true }),
              case .constructed(let algorithmParts) = algorithm.content else { return "unknown" }
        let items = Array(algorithmParts)
        guard let first = items.first, let oid = try? ASN1ObjectIdentifier(derEncoded: first) else { return "unknown" }
        let name = keyAlgorithms[oid.description] ?? "unknown algorithm \(oid.description)"
        if name == "EC" {
            if items.count > 1, let curve = try? ASN1ObjectIdentifier(derEncoded: items[1]) {
                return "EC-" + (curves[curve.description] ?? curve.description)
            }
            return "EC (explicit curve parameters)"
        }
        if name == "RSA" || name == "RSA-PSS" {
            // subjectPublicKey BIT STRING wraps RSAPublicKey ::= SEQUENCE { modulus INTEGER, exponent INTEGER }.
            if let key = Array(parts).last, let bits = try? ASN1BitString(derEncoded: key),
               let inner = try? DER.parse(Array(bits.bytes)), case .constructed(let numbers) = inner.content,
               let modulus = numbers.first(where: { _ in true }), case .primitive(let value) = modulus.content {
                return "\(name)-\(Array(value.drop { $0 == 0 }).count * 8)"
            }
        }
        return name
    }

    /// SANs from the raw extension, for certificates swift-certificates would not take.
    static func fallbackSubjectAlternativeNames(_ fields: [ASN1Node]) -> [String] {
        guard let extensionsWrapper = fields.first(where: { $0.identifier.tagClass == .contextSpecific && $0.identifier.tagNumber == 3 }),
              case .constructed(let wrapper) = extensionsWrapper.content, let list = wrapper.first(where: { _ in true }),
              case .constructed(let extensions) = list.content else { return [] }
        for ext in extensions {
            guard case .constructed(let parts) = ext.content else { continue }
            let items = Array(parts)
            guard let oid = items.first.flatMap({ try? ASN1ObjectIdentifier(derEncoded: $0) }), oid.description == "2.5.29.17",
                  let value = items.last, case .primitive(let octets) = value.content,
                  let names = try? DER.parse(Array(octets)), case .constructed(let entries) = names.content else { continue }
            return entries.compactMap { entry in
                guard case .primitive(let bytes) = entry.content else { return "(directory name)" }
                switch entry.identifier.tagNumber {
                case 2: return "DNS:" + String(decoding: bytes, as: UTF8.self)
                case 7: return "IP:" + ipAddress(Array(bytes))
                case 1: return "email:" + String(decoding: bytes, as: UTF8.self)
                case 6: return "URI:" + String(decoding: bytes, as: UTF8.self)
                default: return "other"
                }
            }
        }
        return []
    }

    /// Certificates inside a PKCS#7 SignedData (`ContentInfo { 1.2.840.113549.1.7.2, [0] SignedData }`).
    static func pkcs7Certificates(_ der: [UInt8]) throws -> [[UInt8]] {
        let root = try DER.parse(der)
        guard case .constructed(let info) = root.content else { return [] }
        let items = Array(info)
        guard items.count == 2, let oid = try? ASN1ObjectIdentifier(derEncoded: items[0]), oid.description == "1.2.840.113549.1.7.2",
              case .constructed(let explicit) = items[1].content, let signedData = explicit.first(where: { _ in true }),
              case .constructed(let signedFields) = signedData.content else { return [] }
        guard let certificates = signedFields.first(where: { $0.identifier.tagClass == .contextSpecific && $0.identifier.tagNumber == 0 }),
              case .constructed(let list) = certificates.content else { return [] }
        return list.map { Array($0.encodedBytes) }
    }

    static func ipAddress(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count, by: 2).map { String(format: "%x", Int(bytes[$0]) << 8 | Int(bytes[min($0 + 1, bytes.count - 1)])) }.joined(separator: ":")
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// SHA-256 of the public key a PEM private key file holds, without keeping the key: only used to
    /// compare with a certificate's. Returns nil with a reason when the key cannot be read.
    static func publicKeyHash(ofPrivateKeyPEM text: String) -> Result<String, ParseError> {
        let blocks = pemBlocks(text).filter { keyLabels.contains($0.label) }
        guard let block = blocks.first else { return .failure(ParseError(description: "no private key block")) }
        if block.label == "ENCRYPTED PRIVATE KEY" {
            return .failure(ParseError(description: "the private key is encrypted; it cannot be compared without its passphrase"))
        }
        do {
            let key = try Certificate.PrivateKey(pemEncoded: text.components(separatedBy: "\n")
                .drop { !$0.hasPrefix("-----BEGIN \(block.label)") }.joined(separator: "\n"))
            var serializer = DER.Serializer()
            try serializer.serialize(key.publicKey)
            return .success(hex(Array(SHA256.hash(data: serializer.serializedBytes))))
        } catch {
            return .failure(ParseError(description: "the private key could not be read (\(type(of: error)))"))
        }
    }
}
