import DoctorCore
import HostFacts

/// net.libvirt-nat-rules: an active libvirt NAT network whose firewall rules are gone (a firewall restart
/// or `service iptables restart` flushed them): its guests reach nothing beyond the host.
enum NetLibvirtNATRules: CheckEvaluator {
    static let id = "net.libvirt-nat-rules"

    enum Condition: String, CaseIterable {
        case noRuleset = "no-ruleset"
        case noActiveNAT = "no-active-nat"
        case present
        /// `{problems}` lists `no-bridge-rules` and `no-masquerade` fragments.
        case missing
        case noBridgeRules = "no-bridge-rules"
        case noMasquerade = "no-masquerade"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let active = NetGuests.networks(context).filter { $0.mode == "nat" && $0.active == true }
        guard !active.isEmpty else { return .skip(.noActiveNAT) }
        let ruleset: Sourced<FirewallRuleset>
        do throws(FactError) {
            ruleset = try context.fact(Facts.firewallRuleset)
        } catch .absent {
            return .skip(.noRuleset)
        }
        let rules = ruleset.value
        var evidence = [Evidence(source: rules.file, value: "\(rules.ruleCount) rules, \(rules.libvirtLines.count) naming libvirt, virbr or masquerading")]
        for line in rules.libvirtLines.prefix(6) { evidence.append(Evidence(source: rules.file, value: line)) }
        var problems: [String] = []
        for network in active {
            guard let bridge = network.bridge else { continue }
            if !rules.mentions(bridge) {
                problems.append(context.fragment(Condition.noBridgeRules, ["network": network.name, "bridge": bridge]))
            }
        }
        if !rules.masquerades {
            problems.append(context.fragment(Condition.noMasquerade))
        }
        let names = active.map { $0.name }.joined(separator: ", ")
        if !problems.isEmpty {
            return .warn(.missing, ["problems": problems.joined(separator: "; "), "networks": names], evidence: evidence)
        }
        return .pass(.present, ["networks": names], evidence: evidence)
    }
}
