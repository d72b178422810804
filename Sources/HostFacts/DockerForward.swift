import DoctorCore
import Foundation

// issue 13 (hit-b): Docker beside bridged guests, and the FORWARD chain it closes.

/// Docker's daemon settings that decide whether it touches the host firewall (/etc/docker/daemon.json), and
/// the traces an installed Docker leaves in files (the daemon binary, the unit file).
public struct DockerDaemon: Codable, Sendable, Equatable {
    /// /etc/docker/daemon.json when present.
    public var configFile: String?
    /// The file is there but is not a JSON object (Docker itself refuses to start then).
    public var configError: String?
    /// `"iptables": false` — Docker leaves iptables alone (no FORWARD policy, no NAT for containers).
    public var iptables: Bool?
    /// `"ip-forward": false` — Docker does not enable forwarding, and so does not close FORWARD.
    public var ipForward: Bool?
    /// `"ip-forward-no-drop": true` (Docker 28+) — Docker enables forwarding without the DROP policy.
    public var ipForwardNoDrop: Bool?
    /// `"bridge"`: the bridge Docker uses instead of docker0 ("none" for no default bridge).
    public var bridge: String?
    /// Installed programs and units that show Docker is on the host.
    public var installed: [String]

    static let configPath = "/etc/docker/daemon.json"
    static let installedPaths = [
        "/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/lib/systemd/system/docker.service", "/lib/systemd/system/docker.service",
        "/etc/systemd/system/docker.service",
    ]

    /// daemon.json: a JSON object; unknown keys and non-boolean values are ignored. Total: any bytes give a value.
    public static func parseConfig(_ bytes: [UInt8], file: String) -> DockerDaemon {
        var daemon = DockerDaemon(configFile: file, installed: [])
        let trimmed = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        // An empty daemon.json is common ("{}" or nothing) and means the defaults.
        guard !trimmed.isEmpty else { return daemon }
        guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed), options: []) as? [String: Any] else {
            daemon.configError = "not a JSON object"
            return daemon
        }
        func flag(_ key: String) -> Bool? {
            // Booleans come back as NSNumbers of C type "c"; a number (`"iptables": 0`) is not a setting Docker accepts.
            guard let number = object[key] as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
            return number.boolValue
        }
        daemon.iptables = flag("iptables")
        daemon.ipForward = flag("ip-forward")
        daemon.ipForwardNoDrop = flag("ip-forward-no-drop")
        if let bridge = object["bridge"] as? String, !bridge.isEmpty, bridge.utf8.count <= 64 { daemon.bridge = bridge }
        return daemon
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<DockerDaemon> {
        var daemon = DockerDaemon(configFile: nil, installed: [])
        var sources: [String] = []
        do throws(FactError) {
            let bytes = try root.readBytes(configPath, limit: 1 << 20)
            daemon = parseConfig(bytes, file: configPath)
            sources.append(configPath)
        } catch .absent {
        } catch .notCaptured {
        }
        for path in installedPaths where root.exists(path) {
            daemon.installed.append(path)
            sources.append(path)
        }
        return Sourced(daemon, sources: sources.isEmpty ? [configPath, "/usr/bin/dockerd"] : sources)
    }
}

/// The filter table's FORWARD chain of a saved ruleset (`iptables-save` or `nft list ruleset` output, as a
/// sos report or a recording keeps it): its policy, and the rules in FORWARD and DOCKER-USER that accept
/// traffic by bridge or by physdev.
public struct ForwardChain: Codable, Sendable, Equatable {
    public struct AcceptRule: Codable, Sendable, Equatable {
        /// FORWARD or DOCKER-USER.
        public var chain: String
        /// `-i`/`iifname`, `-o`/`oifname` (a trailing `+` or `*` is a wildcard); nil when not matched.
        public var inInterface: String?
        public var outInterface: String?
        /// `-m physdev --physdev-is-bridged`.
        public var physdevBridged: Bool
        /// Other matches (protocol, addresses, connection state): the rule accepts only part of the traffic.
        public var restricted: Bool
        public var text: String

        /// Whether the rule accepts all traffic bridged by `bridge` (in and out are the bridge itself).
        public func accepts(bridge: String) -> Bool {
            guard !restricted else { return false }
            if physdevBridged { return true }
            guard inInterface != nil || outInterface != nil else { return false }
            return [inInterface, outInterface].allSatisfy { name in name.map { ForwardChain.interface($0, matches: bridge) } ?? true }
        }
    }

    public var file: String
    /// ACCEPT or DROP (upper case); nil when the ruleset has no filter FORWARD chain (the kernel default: accept).
    public var policy: String?
    public var acceptRules: [AcceptRule]
    /// Chains named DOCKER, DOCKER-USER or DOCKER-FORWARD: Docker manages this ruleset.
    public var dockerChains: Bool

    static let maximumRules = 500

    static func interface(_ pattern: String, matches name: String) -> Bool {
        if pattern.hasSuffix("+") || pattern.hasSuffix("*") { return name.hasPrefix(pattern.dropLast()) }
        return pattern == name
    }

    /// `iptables-save` output; only `*filter` counts.
    public static func parseIptablesSave(_ text: String, file: String) -> ForwardChain {
        var chain = ForwardChain(file: file, policy: nil, acceptRules: [], dockerChains: false)
        var table = ""
        for raw in text.split(separator: "\n").prefix(500_000) {
            let line = TextChecks.trimmed(raw.prefix(8192))
            if line.hasPrefix("*") { table = String(line.dropFirst()); continue }
            guard table == "filter" else { continue }
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count >= 2 else { continue }
            if words[0].hasPrefix(":") {
                let name = String(words[0].dropFirst())
                if name.hasPrefix("DOCKER") { chain.dockerChains = true }
                if name == "FORWARD" { chain.policy = words[1].uppercased() }
                continue
            }
            guard words[0] == "-A", ["FORWARD", "DOCKER-USER"].contains(words[1]) else { continue }
            guard let jump = words.firstIndex(where: { $0 == "-j" || $0 == "--jump" }), jump + 1 < words.count,
                  words[jump + 1] == "ACCEPT", chain.acceptRules.count < maximumRules else { continue }
            var rule = AcceptRule(chain: words[1], inInterface: nil, outInterface: nil, physdevBridged: false, restricted: false,
                                  text: String(line.prefix(512)))
            var index = 2
            while index < jump {
                let word = words[index]
                let next = index + 1 < jump ? words[index + 1] : nil
                switch word {
                case "-i", "--in-interface": rule.inInterface = next; index += 2
                case "-o", "--out-interface": rule.outInterface = next; index += 2
                case "-m", "--match":
                    if next != "physdev" && next != "comment" { rule.restricted = true }
                    index += 2
                case "--physdev-is-bridged": rule.physdevBridged = true; index += 1
                case "--comment":
                    // iptables-save quotes a comment with blanks: `--comment "bridged guests"`.
                    index += 1
                    if index < jump, words[index].hasPrefix("\""), !(words[index].count >= 2 && words[index].hasSuffix("\"")) {
                        index += 1
                        while index < jump, !words[index].hasSuffix("\"") { index += 1 }
                    }
                    index += 1
                case "!":
                    // A negated match (`! -o br0`) excludes traffic.
                    rule.restricted = true; index += 1
                default:
                    rule.restricted = true; index += 1
                }
            }
            chain.acceptRules.append(rule)
        }
        return chain
    }

    /// `nft list ruleset` output: the `filter` table of family ip (or inet), chain FORWARD (iptables-nft's
    /// name) or any chain hooked at forward; rules ending in `accept`.
    public static func parseNft(_ text: String, file: String) -> ForwardChain {
        var chain = ForwardChain(file: file, policy: nil, acceptRules: [], dockerChains: false)
        var table: String?
        var current: String?
        var depth = 0
        for raw in text.split(separator: "\n").prefix(500_000) {
            var line = TextChecks.trimmed(raw.prefix(8192))
            if let hash = line.firstIndex(of: "#") { line = TextChecks.trimmed(line[..<hash]) }
            let words = line.split(whereSeparator: { $0.isWhitespace || $0 == ";" }).map(String.init)
            let opens = line.filter { $0 == "{" }.count, closes = line.filter { $0 == "}" }.count
            defer {
                depth = max(0, depth + opens - closes)
                if depth == 0 { table = nil; current = nil } else if depth == 1 { current = nil }
            }
            if depth == 0, words.first == "table", words.count >= 3 {
                table = words[1] == "ip" || words[1] == "inet" ? words[2] : nil
                continue
            }
            guard table != nil, depth >= 1 else { continue }
            if depth == 1, words.first == "chain", words.count >= 2 {
                current = words[1]
                if words[1].hasPrefix("DOCKER") { chain.dockerChains = true }
                continue
            }
            guard let name = current else { continue }
            if words.contains("hook"), words.contains("forward"), words.contains("filter") || name == "FORWARD" {
                if let index = words.firstIndex(of: "policy"), index + 1 < words.count {
                    let policy = words[index + 1].uppercased()
                    // Several forward chains: a closed one wins.
                    if chain.policy == nil || policy == "DROP" { chain.policy = policy }
                } else if chain.policy == nil {
                    chain.policy = "ACCEPT"
                }
                continue
            }
            guard ["FORWARD", "DOCKER-USER"].contains(name), words.last == "accept", chain.acceptRules.count < maximumRules else { continue }
            var rule = AcceptRule(chain: name, inInterface: nil, outInterface: nil, physdevBridged: false, restricted: false,
                                  text: String(line.prefix(512)))
            var index = 0
            while index < words.count - 1 {
                let word = words[index]
                let next = index + 1 < words.count ? TextChecks.unquoted(words[index + 1]) : nil
                switch word {
                case "iifname", "iif": rule.inInterface = next; index += 2
                case "oifname", "oif": rule.outInterface = next; index += 2
                case "counter": index += 1
                case "packets", "bytes": index += 2
                case "xt":
                    // iptables-nft prints `xt match "physdev"` for -m physdev.
                    if words.dropFirst(index).prefix(3).contains(where: { $0.contains("physdev") }) { rule.physdevBridged = true } else { rule.restricted = true }
                    index += 3
                case "meta":
                    // `meta ibrname "br0"`: bridged through br0.
                    if index + 2 < words.count, words[index + 1] == "ibrname" || words[index + 1] == "obrname" {
                        rule.physdevBridged = true; index += 3
                    } else { rule.restricted = true; index += 1 }
                default:
                    rule.restricted = true; index += 1
                }
            }
            chain.acceptRules.append(rule)
        }
        return chain
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<ForwardChain> {
        var found: [ForwardChain] = []
        for candidate in FirewallRuleset.candidates {
            guard let text = try? root.readTextIfPresent(candidate.path, limit: 8 << 20) else { continue }
            found.append(candidate.format == "nft" ? parseNft(text, file: candidate.path) : parseIptablesSave(text, file: candidate.path))
        }
        guard var merged = found.first else {
            throw root.isLive
                ? .absent("the running firewall ruleset (virt-doctor runs no iptables-save; record it as /iptables-save.txt)")
                : root.liveOnly("a saved firewall ruleset (iptables-save or nft list ruleset output)")
        }
        // iptables-save (legacy or nft) and nft show the same kernel ruleset from two sides: DROP anywhere wins.
        for other in found.dropFirst() {
            if other.policy == "DROP" || merged.policy == nil { merged.policy = other.policy ?? merged.policy }
            merged.acceptRules += other.acceptRules.prefix(max(0, maximumRules - merged.acceptRules.count))
            merged.dockerChains = merged.dockerChains || other.dockerChains
            merged.file += ", " + other.file
        }
        return Sourced(merged, sources: found.map { $0.file })
    }
}

extension Facts {
    public static let dockerDaemon = FactKey<DockerDaemon>("docker.daemon", "Docker's daemon.json firewall settings (iptables, ip-forward, ip-forward-no-drop, bridge) and its installed program and unit") { store throws(FactError) in
        try DockerDaemon.read(store.root)
    }

    public static let forwardChain = FactKey<ForwardChain>("net.forward-chain", "Policy of the saved filter FORWARD chain and the rules in FORWARD and DOCKER-USER that accept bridged traffic") { store throws(FactError) in
        try ForwardChain.read(store.root)
    }
}
