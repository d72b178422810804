import DoctorCore

// issue 12 (remote): the host firewall as its configuration files describe it.

/// What the host's firewall configuration says about incoming traffic: firewalld (its default zone and
/// that zone's target), iptables rules saved for loading at boot, nftables rule files, and ufw.
public struct FirewallConfiguration: Codable, Sendable, Equatable {
    /// firewalld: the default zone of /etc/firewalld/firewalld.conf (public when unset) and its target
    /// (default, ACCEPT, DROP, %%REJECT%%) from /etc/firewalld/zones or /usr/lib/firewalld/zones.
    public struct Firewalld: Codable, Sendable, Equatable {
        public var defaultZone: String
        public var zoneTarget: String?
        public var zoneFile: String?
        /// Services and TCP ports the default zone opens (optional: recordings made before they existed).
        public var services: [String]? = nil
        public var tcpPorts: [PortRange]? = nil
    }

    /// An inclusive range of TCP ports a rule accepts (a single port is low == high).
    public struct PortRange: Codable, Sendable, Equatable, Hashable {
        public var low: Int
        public var high: Int
        public init(_ low: Int, _ high: Int) { self.low = low; self.high = high }
        public func contains(_ port: Int) -> Bool { port >= low && port <= high }

        /// "22", "49152:49215" (iptables), "49152-49215" (nftables, firewalld); nil for junk or an empty range.
        public static func parse<S: StringProtocol>(_ text: S) -> PortRange? {
            let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == ":" || $0 == "-" })
            guard (1...2).contains(parts.count), let low = Int(parts[0]), (0...65535).contains(low) else { return nil }
            let high = parts.count == 2 ? Int(parts[1]) ?? -1 : low
            guard (low...65535).contains(high) else { return nil }
            return PortRange(low, high)
        }
    }

    /// TCP ports firewalld's shipped services open, for the services the migration checks care about.
    public static let firewalldServicePorts: [String: [PortRange]] = [
        "ssh": [PortRange(22, 22)], "libvirt": [PortRange(16509, 16509)], "libvirt-tls": [PortRange(16514, 16514)],
        // oVirt's vdsm service: VDSM, consoles, and the migration range.
        "vdsm": [PortRange(54321, 54321), PortRange(5900, 6923), PortRange(49152, 49216)],
    ]

    /// One saved ruleset (iptables-save format, or an nftables file): whether it filters incoming traffic.
    public struct Ruleset: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case iptables, ip6tables, nftables }
        public var file: String
        public var kind: Kind
        /// The input chain's policy: ACCEPT, DROP (iptables); accept, drop (nftables); nil when none is set.
        public var inputPolicy: String?
        /// Rules in the input chain(s) that drop or reject.
        public var inputDropRules: Int
        /// All rules in the input chain(s).
        public var inputRules: Int
        /// TCP ports the input chain(s) accept by destination port (optional for older recordings).
        public var acceptedTCPPorts: [PortRange]? = nil

        /// Whether anything incoming is refused: a closed policy or at least one drop/reject rule.
        public var filtersInput: Bool {
            let policy = inputPolicy?.lowercased()
            return policy == "drop" || policy == "reject" || inputDropRules > 0
        }
    }

    public struct UFW: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var defaultInputPolicy: String?
        /// TCP ports the user's rules (/etc/ufw/user.rules) allow.
        public var acceptedTCPPorts: [PortRange]? = nil
    }

    /// Whether incoming TCP connections to `port` get through every filter this configuration sets up:
    /// nil when nothing filters input (open), true when each filtering layer accepts the port.
    public func accepts(tcpPort port: Int) -> Bool {
        if let firewalld {
            let target = firewalld.zoneTarget?.uppercased() ?? "DEFAULT"
            if target != "ACCEPT" {
                let ports = (firewalld.tcpPorts ?? []) + (firewalld.services ?? []).flatMap { FirewallConfiguration.firewalldServicePorts[$0] ?? [] }
                if !ports.contains(where: { $0.contains(port) }) { return false }
            }
        }
        for ruleset in rulesets where ruleset.filtersInput {
            if !(ruleset.acceptedTCPPorts ?? []).contains(where: { $0.contains(port) }) { return false }
        }
        if let ufw, ufw.enabled, (ufw.defaultInputPolicy ?? "DROP").uppercased() != "ACCEPT" {
            if !(ufw.acceptedTCPPorts ?? []).contains(where: { $0.contains(port) }) { return false }
        }
        return true
    }

    /// Whether anything filters incoming traffic at all.
    public var filtersInput: Bool {
        (firewalld.map { ($0.zoneTarget?.uppercased() ?? "DEFAULT") != "ACCEPT" } ?? false) || rulesets.contains(where: \.filtersInput)
            || (ufw.map { $0.enabled && ($0.defaultInputPolicy ?? "DROP").uppercased() != "ACCEPT" } ?? false)
    }

    public var firewalld: Firewalld?
    public var rulesets: [Ruleset]
    public var ufw: UFW?

    static let iptablesFiles: [(String, Ruleset.Kind)] = [
        ("/etc/sysconfig/iptables", .iptables), ("/etc/iptables/rules.v4", .iptables), ("/etc/iptables.rules", .iptables),
        ("/etc/sysconfig/ip6tables", .ip6tables), ("/etc/iptables/rules.v6", .ip6tables),
    ]
    static let nftablesFiles = ["/etc/nftables.conf", "/etc/sysconfig/nftables.conf"]
    static let nftablesDirectories = ["/etc/nftables"]

    // MARK: Parsers (total: any text gives a value)

    /// `iptables-save` output: tables start with `*filter`, chain policies are `:INPUT DROP [0:0]`, rules
    /// `-A INPUT ... -j REJECT --reject-with icmp-host-prohibited`; only the filter table counts.
    public static func parseIptablesSave(_ text: String, file: String, kind: Ruleset.Kind) -> Ruleset {
        var ruleset = Ruleset(file: file, kind: kind, inputPolicy: nil, inputDropRules: 0, inputRules: 0)
        var table = ""
        for raw in text.split(separator: "\n").prefix(500_000) {
            let line = TextChecks.trimmed(raw.prefix(8192))
            if line.hasPrefix("*") { table = String(line.dropFirst()); continue }
            guard table == "filter" else { continue }
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.count >= 2, words[0] == ":INPUT" {
                ruleset.inputPolicy = String(words[1])
            } else if words.count >= 2, words[0] == "-A", words[1] == "INPUT" || words[1] == "ufw-user-input" {
                if words[1] == "INPUT" { ruleset.inputRules += 1 }
                let jump = words.firstIndex(where: { $0 == "-j" || $0 == "--jump" }).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
                if words[1] == "INPUT", let jump, ["DROP", "REJECT"].contains(jump) {
                    ruleset.inputDropRules += 1
                }
                if jump == "ACCEPT", !words.contains("udp"), !words.contains("!") {
                    for (index, word) in words.enumerated() where (word == "--dport" || word == "--dports" || word == "--destination-port"
                                                                   || word == "--destination-ports") && index + 1 < words.count {
                        let ports = words[index + 1].split(separator: ",").compactMap { PortRange.parse($0) }
                        ruleset.acceptedTCPPorts = (ruleset.acceptedTCPPorts ?? []) + ports.prefix(1000)
                    }
                }
            }
        }
        return ruleset
    }

    /// An nftables file: every chain whose `type filter hook input` line is inside it, with that line's
    /// `policy`, and the rules of that chain that end in drop or reject. Nesting is followed by braces;
    /// comments (`#` to the end of the line) are ignored.
    public static func parseNftables(_ text: String, file: String) -> Ruleset {
        var ruleset = Ruleset(file: file, kind: .nftables, inputPolicy: nil, inputDropRules: 0, inputRules: 0)
        // Statements of the current chain, collected until its closing brace.
        var depth = 0
        var chainDepth: Int?
        var chainStatements: [String] = []
        var setDepth = 0
        func finishChain() {
            defer { chainStatements = []; chainDepth = nil; setDepth = 0 }
            guard chainStatements.contains(where: { $0.contains("hook input") && $0.contains("type filter") }) else { return }
            for statement in chainStatements {
                let words = statement.split(whereSeparator: { $0.isWhitespace || $0 == ";" })
                if statement.contains("hook input") {
                    if let index = words.firstIndex(of: "policy"), index + 1 < words.count {
                        let policy = String(words[index + 1])
                        // Several input chains: a closed one wins.
                        if ruleset.inputPolicy == nil || policy == "drop" { ruleset.inputPolicy = policy }
                    }
                    continue
                }
                ruleset.inputRules += 1
                if words.contains("drop") || words.contains("reject") { ruleset.inputDropRules += 1 }
                if words.contains("accept"), let dport = words.firstIndex(of: "dport"), dport > 0, words[dport - 1] == "tcp" {
                    ruleset.acceptedTCPPorts = (ruleset.acceptedTCPPorts ?? []) + nftablesPorts(words[(dport + 1)...]).prefix(1000)
                }
            }
        }
        for raw in text.split(separator: "\n").prefix(500_000) {
            var line = Substring(raw.prefix(8192))
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            var current = ""
            for character in line {
                switch character {
                case "{" where chainDepth != nil:
                    // An anonymous set inside a rule (`tcp dport { 22, 16514 } accept`) is part of the rule.
                    setDepth += 1
                    current.append(character)
                case "}" where setDepth > 0:
                    setDepth -= 1
                    current.append(character)
                case "{":
                    let head = TextChecks.trimmed(current)
                    depth += 1
                    if head.hasPrefix("chain ") { chainDepth = depth; chainStatements = [] }
                    current = ""
                case "}":
                    if chainDepth != nil, !TextChecks.trimmed(current).isEmpty { chainStatements.append(TextChecks.trimmed(current)) }
                    if let chain = chainDepth, chain == depth { finishChain() }
                    depth = max(0, depth - 1)
                    current = ""
                case ";":
                    // `type filter hook input priority 0; policy drop;` are two statements on one line.
                    if chainDepth != nil {
                        let statement = TextChecks.trimmed(current)
                        if statement.hasPrefix("policy"), let last = chainStatements.last, last.contains("hook input") {
                            chainStatements[chainStatements.count - 1] = last + " " + statement
                        } else if !statement.isEmpty {
                            chainStatements.append(statement)
                        }
                    }
                    current = ""
                default:
                    current.append(character)
                }
            }
            if chainDepth != nil, !TextChecks.trimmed(current).isEmpty { chainStatements.append(TextChecks.trimmed(current)) }
        }
        return ruleset
    }

    /// The ports after `tcp dport`: one port or range, or an anonymous set `{ 22, 49152-49215 }`.
    static func nftablesPorts(_ words: ArraySlice<Substring>) -> [PortRange] {
        guard let first = words.first else { return [] }
        let names = ["ssh": 22, "https": 443, "http": 80]
        func port(_ word: Substring) -> PortRange? {
            let trimmed = word.trimmingSetPunctuation()
            return PortRange.parse(trimmed) ?? names[String(trimmed)].map { PortRange($0, $0) }
        }
        guard first.hasPrefix("{") else { return port(first).map { [$0] } ?? [] }
        var ports: [PortRange] = []
        for word in words.prefix(2000) {
            if let range = port(word) { ports.append(range) }
            if word.contains("}") { break }
        }
        return ports
    }

    /// A firewalld zone file: `<zone target="DROP">`; no target attribute means "default" (reject what
    /// no service or port allows).
    static func zoneTarget(_ text: String) -> String {
        guard let root = try? XMLElement.parse(text, source: "zone") , root.name == "zone" else { return "default" }
        return root.attributes["target"] ?? "default"
    }

    /// What a zone file opens: `<service name="ssh"/>` and `<port protocol="tcp" port="49152-49215"/>`.
    static func zoneOpenings(_ text: String) -> ([String], [PortRange]) {
        guard let root = try? XMLElement.parse(text, source: "zone"), root.name == "zone" else { return ([], []) }
        let services = root.children("service").prefix(1000).compactMap { $0.attributes["name"] }
        let ports = root.children("port").prefix(1000).compactMap { element -> PortRange? in
            guard element.attributes["protocol"] == "tcp", let port = element.attributes["port"] else { return nil }
            return PortRange.parse(port)
        }
        return (services, ports)
    }

    // MARK: Reading a root

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<FirewallConfiguration> {
        var result = FirewallConfiguration(firewalld: nil, rulesets: [], ufw: nil)
        var sources: [String] = []
        if root.exists("/etc/firewalld") || root.exists("/usr/lib/firewalld") {
            var zone = "public"
            if let text = try? root.readTextIfPresent("/etc/firewalld/firewalld.conf", limit: 1 << 20) {
                sources.append("/etc/firewalld/firewalld.conf")
                for raw in text.split(separator: "\n").prefix(10_000) {
                    let line = TextChecks.trimmed(raw.prefix(4096))
                    if !line.hasPrefix("#"), let (key, value) = TextChecks.splitKeyValue(line, separator: "="), key == "DefaultZone", !value.isEmpty {
                        zone = String(TextChecks.unquoted(value).prefix(64))
                    }
                }
            }
            var firewalld = Firewalld(defaultZone: zone, zoneTarget: nil, zoneFile: nil)
            // A zone the administrator changed lives in /etc and hides the shipped one.
            for directory in ["/etc/firewalld/zones", "/usr/lib/firewalld/zones"] where !zone.contains("/") {
                let path = "\(directory)/\(zone).xml"
                guard let text = try? root.readTextIfPresent(path, limit: 1 << 20) else { continue }
                firewalld.zoneTarget = zoneTarget(text)
                (firewalld.services, firewalld.tcpPorts) = zoneOpenings(text)
                firewalld.zoneFile = path
                sources.append(path)
                break
            }
            result.firewalld = firewalld
        }
        for (path, kind) in iptablesFiles {
            guard let text = try? root.readTextIfPresent(path, limit: 8 << 20) else { continue }
            result.rulesets.append(parseIptablesSave(text, file: path, kind: kind))
            sources.append(path)
        }
        var nftables = nftablesFiles
        for directory in nftablesDirectories {
            for name in ((try? root.list(directory)) ?? []).prefix(1000) where name.hasSuffix(".nft") { nftables.append("\(directory)/\(name)") }
        }
        for path in nftables {
            guard let text = try? root.readTextIfPresent(path, limit: 8 << 20) else { continue }
            let ruleset = parseNftables(text, file: path)
            sources.append(path)
            // Files that only include others or define no input chain add nothing.
            if ruleset.inputPolicy != nil || ruleset.inputRules > 0 { result.rulesets.append(ruleset) }
        }
        if let text = try? root.readTextIfPresent("/etc/ufw/ufw.conf", limit: 1 << 16) {
            sources.append("/etc/ufw/ufw.conf")
            var ufw = UFW(enabled: false, defaultInputPolicy: nil)
            for raw in text.split(separator: "\n").prefix(10_000) {
                if let (key, value) = TextChecks.splitKeyValue(TextChecks.trimmed(raw.prefix(4096)), separator: "="), key == "ENABLED" {
                    ufw.enabled = TextChecks.unquoted(value).lowercased() == "yes"
                }
            }
            if let defaults = try? root.readTextIfPresent("/etc/default/ufw", limit: 1 << 16) {
                sources.append("/etc/default/ufw")
                for raw in defaults.split(separator: "\n").prefix(10_000) {
                    if let (key, value) = TextChecks.splitKeyValue(TextChecks.trimmed(raw.prefix(4096)), separator: "="), key == "DEFAULT_INPUT_POLICY" {
                        ufw.defaultInputPolicy = String(TextChecks.unquoted(value).prefix(16))
                    }
                }
            }
            if let rules = try? root.readTextIfPresent("/etc/ufw/user.rules", limit: 8 << 20) {
                sources.append("/etc/ufw/user.rules")
                ufw.acceptedTCPPorts = parseIptablesSave("*filter\n" + rules, file: "/etc/ufw/user.rules", kind: .iptables).acceptedTCPPorts ?? []
            }
            result.ufw = ufw
        }
        return Sourced(result, sources: sources.isEmpty ? ["/etc/firewalld", "/etc/sysconfig/iptables", "/etc/nftables.conf"] : sources)
    }
}

extension Facts {
    public static let firewall = FactKey<FirewallConfiguration>(
        "firewall.config", "firewalld default zone, saved iptables rules, nftables rule files and ufw settings") { store throws(FactError) in
        try FirewallConfiguration.read(store.root)
    }
}

private extension Substring {
    /// `{22,` -> `22`: the braces and commas around an element of an nftables set.
    func trimmingSetPunctuation() -> Substring {
        var text = self
        while let first = text.first, "{,".contains(first) { text.removeFirst() }
        while let last = text.last, "},".contains(last) { text.removeLast() }
        return text
    }
}
