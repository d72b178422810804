import Foundation
import HostFacts

/// What leaves the host is scrubbed first, deny by default:
/// - binary files are withheld unless their format is known to be public (X.509 certificates, which are
///   parsed to prove it, and the SMBIOS table the detection reads);
/// - private keys are recognised by content wherever they are (PEM blocks in any file, DER, base64 DER,
///   PuTTY key files), not only by file name;
/// - every text file goes through a scrubber for its format (XML, JSON, or lines: key=value, INI, shell,
///   YAML, engine-setup answers, environment blocks, logs) that masks the value of every secret-looking
///   setting, plus the scrubbers for credentials in URIs and qemu secret objects, which apply to any text.
/// Values are replaced by "(redacted)", never removed, so a check still sees that a password is set.
struct Redactor {
    struct Outcome {
        var contents: [UInt8]?
        var notes: [String]
    }

    /// Files that are secrets by their name alone, withheld whatever they contain.
    static let secretFileSuffixes = [".key", ".key.nopass", ".p12", ".pfx", ".base64", "_id_rsa", "virsh_auth.conf", ".keytab", ".ppk",
                                     "/id_rsa", "/id_dsa", "/id_ecdsa", "/id_ed25519", ".jks", ".keystore", ".truststore", "/passwd.db",
                                     "/shadow", "/gshadow", "master-key.aes", ".gpg", ".asc"]

    /// Binary files the checks read whose format holds no secret: the SMBIOS table (vendor and product names,
    /// which the detection needs).
    static let knownBinaryPaths: Set<String> = ["/sys/firmware/dmi/tables/DMI", "/sys/firmware/dmi/tables/smbios_entry_point"]

    /// The bytes that may go into the bundle for the evidence file `path`, or nil (with the reason) when nothing may.
    static func scrub(_ bytes: [UInt8], path: String) -> Outcome {
        let lower = path.lowercased()
        if secretFileSuffixes.contains(where: lower.hasSuffix) || lower.contains("/private/") || lower.hasSuffix("key.pem") {
            return Outcome(contents: nil, notes: ["withheld: private key or credential file"])
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { return scrubBinary(bytes, path: path) }
        if TextScrubbers.containsPuTTYKey(bytes) {
            return Outcome(contents: nil, notes: ["withheld: PuTTY private key"])
        }
        var notes: [String] = []
        var text = TextScrubbers.removeBase64PrivateKeys(TextScrubbers.removePEMPrivateKeys(bytes))
        if text != bytes {
            notes.append("private key removed")
            // A file that was only a key is withheld rather than sent as an empty shell.
            let rest = text.split(separator: UInt8(ascii: "\n")).filter { line in
                !line.allSatisfy(\.isWhitespace) && !line.elementsEqual(Redaction.keyRemoved)
            }
            if rest.isEmpty { return Outcome(contents: nil, notes: ["withheld: the file held only a private key"]) }
        }
        let before = text
        text = scrubText(text, format: format(of: text, path: path), maskNumbers: true)
        if text != before { notes.append("secrets masked") }
        return Outcome(contents: text, notes: notes)
    }

    /// The tool's own documents (facts.json, report.json, the manifest, the sidecar): values read from the
    /// host may be quoted in them, so they are scrubbed too; they are never withheld.
    static func scrubDocument(_ bytes: [UInt8], path: String) -> [UInt8] {
        let text = TextScrubbers.removeBase64PrivateKeys(TextScrubbers.removePEMPrivateKeys(bytes))
        return scrubText(text, format: format(of: text, path: path), maskNumbers: false)
    }

    /// A command line as recorded in the manifest: URIs lose their passwords, `--password=x` and
    /// `--password x` their values.
    static func scrubArguments(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var maskNext = false
        for argument in arguments {
            if maskNext, !argument.isEmpty {
                result.append(String(decoding: Redaction.mask, as: UTF8.self))
                maskNext = false
                continue
            }
            let bytes = Array(argument.utf8)
            if argument.hasPrefix("-"), !argument.contains("="), SecretNames.classify(bytes) == .secret { maskNext = true }
            let scrubbed = TextScrubbers.maskURICredentials(TextScrubbers.maskQemuSecretObjects(TextScrubbers.maskInlineSettings(bytes)))
            result.append(String(decoding: scrubbed, as: UTF8.self))
        }
        return result
    }

    enum Format { case xml, json, lines }

    static func format(of text: [UInt8], path: String) -> Format {
        let lower = path.lowercased()
        let first = text.first { !$0.isWhitespace && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if lower.hasSuffix(".xml") || first == UInt8(ascii: "<") { return .xml }
        // JSON only when it is JSON: an INI file also starts with "[", and read as JSON its settings would
        // not be seen as settings.
        if lower.hasSuffix(".json") || first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
           (try? JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed])) != nil {
            return .json
        }
        return .lines
    }

    static func scrubText(_ text: [UInt8], format: Format, maskNumbers: Bool) -> [UInt8] {
        var result: [UInt8]
        switch format {
        case .xml: result = XMLScrubber.scrub(text)
        case .json: result = JSONScrubber.scrub(text, maskNumbers: maskNumbers)
        case .lines: result = TextScrubbers.scrubLines(text)
        }
        result = TextScrubbers.maskQemuSecretObjects(result)
        return TextScrubbers.maskURICredentials(result)
    }

    /// Deny by default: a binary file leaves only when its format is known to carry no secret.
    static func scrubBinary(_ bytes: [UInt8], path: String) -> Outcome {
        if knownBinaryPaths.contains(path) { return Outcome(contents: bytes, notes: []) }
        switch KeyMaterial.classifyDER(bytes) {
        case .certificates: return Outcome(contents: bytes, notes: [])
        case .privateKey: return Outcome(contents: nil, notes: ["withheld: DER private key"])
        case .unknown: return Outcome(contents: nil, notes: ["withheld: binary file of a format virt-doctor does not know to be free of secrets"])
        }
    }
}
