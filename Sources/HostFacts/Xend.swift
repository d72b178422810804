import DoctorCore

/// The legacy Xen management daemon (xend, removed in Xen 4.5): whether its toolstack is installed and
/// configured, and the settings of /etc/xen/xend-config.sxp.
///
///     (xend-http-server no)
///     (xend-relocation-server yes)
///     (xend-relocation-hosts-allow '^localhost$ ^xen2\\.example\\.test$')
///     (network-script 'network-bridge netdev=eth0')
public struct XendState: Codable, Sendable, Equatable {
    /// /etc/xen/xend-config.sxp when present.
    public var configFile: String?
    /// Top-level `(name value)` settings; a value that is itself a list is kept as its text.
    public var settings: [String: String]
    /// /usr/sbin/xend exists: the xend toolstack is installed.
    public var xendInstalled: Bool
    /// /etc/xen/xl.conf exists: the xl toolstack is configured.
    public var xlConfigured: Bool

    public static let configPath = "/etc/xen/xend-config.sxp"

    /// The settings of an SXP file. Total: any text gives settings or a FactError.
    public static func parseSXP(_ text: String, source: String) throws(FactError) -> [String: String] {
        try TextChecks.requireText(text, source: source)
        let bytes = Array(text.utf8)
        var settings: [String: String] = [:]
        var index = 0
        var depth = 0
        var itemStart = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "#") where depth == 0:
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // Skip a quoted string (with backslash escapes) wherever it is.
                index += 1
                while index < bytes.count, bytes[index] != byte {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                guard index < bytes.count else { throw .unparsable(source: source, detail: "unterminated string") }
            case UInt8(ascii: "("):
                if depth == 0 { itemStart = index }
                depth += 1
                guard depth <= 64 else { throw .unparsable(source: source, detail: "lists nested deeper than 64") }
            case UInt8(ascii: ")"):
                guard depth > 0 else { throw .unparsable(source: source, detail: "')' without '(' at byte \(index)") }
                depth -= 1
                if depth == 0, let (name, value) = setting(String(decoding: bytes[(itemStart + 1)..<index], as: UTF8.self)) {
                    settings[name] = value
                    guard settings.count <= 4096 else { throw .unparsable(source: source, detail: "too many settings") }
                }
            default:
                if depth == 0, byte != 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                    throw .unparsable(source: source, detail: "text outside a (name value) list at byte \(index)")
                }
            }
            index += 1
        }
        guard depth == 0 else { throw .unparsable(source: source, detail: "unbalanced parentheses") }
        return settings
    }

    /// `xend-port 8000` -> ("xend-port", "8000"); a quoted value loses its quotes.
    static func setting(_ inner: String) -> (String, String)? {
        let trimmed = TextChecks.trimmed(inner)
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            return trimmed.isEmpty ? nil : (trimmed, "")
        }
        let name = String(trimmed[..<space])
        guard !name.isEmpty, name.count <= 128, !name.contains("("), !name.contains("'") else { return nil }
        let value = TextChecks.unquoted(TextChecks.trimmed(trimmed[space...]))
        return (name, value)
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<XendState> {
        var state = XendState(configFile: nil, settings: [:], xendInstalled: root.exists("/usr/sbin/xend"),
                              xlConfigured: root.exists("/etc/xen/xl.conf"))
        var sources: [String] = []
        if let text = try root.readTextIfPresent(configPath, limit: 1 << 20) {
            state.configFile = configPath
            state.settings = try parseSXP(text, source: configPath)
            sources.append(configPath)
        }
        guard state.configFile != nil || state.xendInstalled || state.xlConfigured else {
            throw .absent("a Xen toolstack (/etc/xen/xend-config.sxp, /usr/sbin/xend, /etc/xen/xl.conf)")
        }
        if state.xendInstalled { sources.append("/usr/sbin/xend") }
        if state.xlConfigured { sources.append("/etc/xen/xl.conf") }
        return Sourced(state, sources: sources)
    }
}

extension Facts {
    public static let xend = FactKey<XendState>("xen.xend", "Xen toolstack (xend or xl) and the settings of /etc/xen/xend-config.sxp") { store throws(FactError) in
        try XendState.read(store.root)
    }
}
