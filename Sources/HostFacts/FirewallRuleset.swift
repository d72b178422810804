import DoctorCore
import Foundation

/// The firewall ruleset as a saved listing shows it: `iptables-save` or `nft list ruleset` output kept by
/// a sos report (sos_commands/firewall_tables), or recorded at the top of a root (/iptables-save.txt,
/// /nft-ruleset.txt). The running kernel's ruleset cannot be read from files, and virt-doctor runs no
/// firewall commands itself, so a live host has no answer here.
public struct FirewallRuleset: Codable, Sendable, Equatable {
    public var file: String
    /// iptables-save or nft
    public var format: String
    public var ruleCount: Int
    /// Rules (lines) naming libvirt: a virbr bridge, a LIBVIRT_ chain or libvirt's nftables table, or masquerading.
    public var libvirtLines: [String]

    public func mentions(_ word: String) -> Bool { libvirtLines.contains { $0.contains(word) } }
    public var masquerades: Bool { libvirtLines.contains { $0.contains("MASQUERADE") || $0.contains("masquerade") } }

    static let candidates: [(path: String, format: String)] = [
        ("/iptables-save.txt", "iptables-save"), ("/nft-ruleset.txt", "nft"),
        ("/sos_commands/firewall_tables/iptables-save", "iptables-save"),
        ("/sos_commands/firewall_tables/nft_-a_list_ruleset", "nft"), ("/sos_commands/firewall_tables/nft_list_ruleset", "nft"),
        ("/sos_commands/networking/iptables-save", "iptables-save"), ("/sos_commands/networking/nft_list_ruleset", "nft"),
    ]
    static let maximumLines = 2000

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<FirewallRuleset> {
        var found: [FirewallRuleset] = []
        for candidate in candidates {
            guard let text = try? root.readTextIfPresent(candidate.path, limit: 8 << 20) else { continue }
            found.append(parse(text, file: candidate.path, format: candidate.format))
        }
        guard !found.isEmpty else {
            throw .absent("a saved firewall ruleset (iptables-save or nft list ruleset output, as a sos report keeps it)")
        }
        // iptables-save and nft can both hold rules (iptables-nft); together they are the ruleset.
        var merged = found[0]
        for other in found.dropFirst() {
            merged.ruleCount += other.ruleCount
            merged.libvirtLines += other.libvirtLines.prefix(max(0, maximumLines - merged.libvirtLines.count))
            merged.file += ", " + other.file
            if merged.format != other.format { merged.format += "+" + other.format }
        }
        return Sourced(merged, sources: found.map(\.file))
    }

    static func parse(_ text: String, file: String, format: String) -> FirewallRuleset {
        var rules = 0
        var lines: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline).prefix(200_000) {
            let line = TextChecks.trimmed(rawLine)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let isRule = format == "nft" ? !(line.hasPrefix("table ") || line.hasPrefix("chain ") || line.hasPrefix("}") || line.hasPrefix("type "))
                                         : line.hasPrefix("-A ")
            if isRule { rules += 1 }
            let lower = line.lowercased()
            if lines.count < maximumLines, line.count <= 1024,
               lower.contains("virbr") || lower.contains("libvirt") || lower.contains("masquerade") {
                lines.append(line)
            }
        }
        return FirewallRuleset(file: file, format: format, ruleCount: rules, libvirtLines: lines)
    }
}

extension Facts {
    public static let firewallRuleset = FactKey<FirewallRuleset>("net.firewall-ruleset", "Saved iptables-save / nft list ruleset output: rules naming libvirt's bridges and chains, masquerading") { store throws(FactError) in
        try FirewallRuleset.read(store.root)
    }
}
