import Foundation

/// What leaves the host is scrubbed first: private keys are never collected, passwords in domain XML and
/// configuration are masked, and with --obfuscate host names and IP addresses become stable placeholders.
struct Redactor {
    struct Outcome {
        var contents: [UInt8]?
        var notes: [String]
    }

    static let secretFileSuffixes = [".key", ".key.nopass", ".p12", ".pfx", ".base64", "_id_rsa", "virsh_auth.conf", ".keytab"]

    /// The bytes that may go into the bundle for `path`, or nil (with the reason) when nothing may.
    static func scrub(_ bytes: [UInt8], path: String) -> Outcome {
        let lower = path.lowercased()
        if secretFileSuffixes.contains(where: lower.hasSuffix) || lower.contains("/private/") || lower.hasSuffix("key.pem") {
            return Outcome(contents: nil, notes: ["withheld: private key or credential file"])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            // Binary files are only collected when they are not secrets by name; they carry no text to mask.
            return Outcome(contents: bytes, notes: [])
        }
        var notes: [String] = []
        var scrubbed = text
        if scrubbed.contains("PRIVATE KEY-----") {
            scrubbed = removePrivateKeyBlocks(scrubbed)
            notes.append("private key block removed")
            if !scrubbed.contains("-----BEGIN") && scrubbed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return Outcome(contents: nil, notes: ["withheld: the file held only a private key"])
            }
        }
        let masked = maskPasswords(scrubbed)
        if masked != scrubbed { notes.append("passwords masked") }
        return Outcome(contents: Array(masked.utf8), notes: notes)
    }

    static func removePrivateKeyBlocks(_ text: String) -> String {
        var output: [Substring] = []
        var inKey = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-----BEGIN") && line.contains("PRIVATE KEY") { inKey = true; continue }
            if inKey { if line.hasPrefix("-----END") { inKey = false }; continue }
            output.append(line)
        }
        return output.joined(separator: "\n")
    }

    static let attributePattern = try! NSRegularExpression(pattern: #"(passwd|password|secret)=(['"])[^'"]*\2"#, options: [.caseInsensitive])
    static let settingPattern = try! NSRegularExpression(
        pattern: #"^(\s*[A-Za-z0-9_.-]*(?:password|passwd|secret|token|passphrase)[A-Za-z0-9_.-]*\s*[=:]\s*)(.+)$"#,
        options: [.caseInsensitive, .anchorsMatchLines])

    /// `passwd='x'` attributes (libvirt graphics) and `*password* = value` settings (qemu.conf, vdsm.conf,
    /// engine configuration), whatever the file.
    static func maskPasswords(_ text: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        var result = attributePattern.stringByReplacingMatches(in: text, range: range, withTemplate: "$1=$2(redacted)$2")
        let second = NSRange(result.startIndex..., in: result)
        result = settingPattern.stringByReplacingMatches(in: result, range: second, withTemplate: "$1\"(redacted)\"")
        return result
    }
}

/// Replaces host names and IP addresses with stable placeholders on whole words only: masking a host
/// named "vm" must leave "kvm" alone. The map stays outside the bundle, with the person who made it.
final class Obfuscator {
    private(set) var map: [String: String] = [:]
    private var names: [String]
    private var counters = ["host": 0, "ip": 0]
    static let ipv4 = try! NSRegularExpression(pattern: #"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])"#)
    static let keep: Set<String> = ["127.0.0.1", "0.0.0.0", "255.255.255.255", "255.255.255.0", "255.255.0.0", "255.0.0.0"]

    init(hostNames: [String]) {
        // Longest first, so the FQDN is replaced before its short form.
        names = Array(Set(hostNames.filter { $0.count >= 2 && $0 != "localhost" })).sorted { $0.count > $1.count }
        for name in names { placeholder(for: name, kind: "host") }
    }

    @discardableResult
    private func placeholder(for value: String, kind: String) -> String {
        if let existing = map[value] { return existing }
        counters[kind, default: 0] += 1
        let replacement = kind == "host" ? "host-\(counters[kind]!)" : "192.0.2.\(counters[kind]!)"   // TEST-NET-1
        map[value] = replacement
        return replacement
    }

    func apply(_ text: String) -> String {
        var result = text
        for name in names {
            let escaped = NSRegularExpression.escapedPattern(for: name)
            guard let pattern = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9_-])\(escaped)(?![A-Za-z0-9_-])") else { continue }
            result = pattern.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result),
                                                      withTemplate: NSRegularExpression.escapedTemplate(for: map[name]!))
        }
        let matches = Obfuscator.ipv4.matches(in: result, range: NSRange(result.startIndex..., in: result)).reversed()
        for match in matches {
            guard let range = Range(match.range, in: result) else { continue }
            let address = String(result[range])
            guard !Obfuscator.keep.contains(address), address.split(separator: ".").allSatisfy({ (Int($0) ?? 256) < 256 }) else { continue }
            result.replaceSubrange(range, with: placeholder(for: address, kind: "ip"))
        }
        return result
    }
}
