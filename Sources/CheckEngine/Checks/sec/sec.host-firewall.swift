import DoctorCore
import HostFacts

/// sec.host-firewall: some firewall filters incoming traffic to the hypervisor, and is loaded at boot.
enum SecHostFirewall: CheckEvaluator {
    static let id = "sec.host-firewall"

    enum Condition: String, CaseIterable {
        case firewalld
        case savedRules = "saved-rules"
        case savedRulesUnverified = "saved-rules-unverified"
        case ufw
        case zoneAccepts = "zone-accepts"
        case notLoaded = "not-loaded"
        case openRules = "open-rules"
        case none
        /// No firewall configuration and no unit enablement: a partial copy, or a host without systemd.
        case unknown
    }

    /// The services that load each kind of saved ruleset at boot.
    static func loaders(_ kind: FirewallConfiguration.Ruleset.Kind) -> [String] {
        switch kind {
        case .iptables: ["iptables.service", "netfilter-persistent.service", "iptables-restore.service"]
        case .ip6tables: ["ip6tables.service", "netfilter-persistent.service"]
        case .nftables: ["nftables.service"]
        }
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let configuration = try context.fact(Facts.firewall).value
        let services = ServiceState(context)
        var evidence: [Evidence] = []

        if let firewalld = configuration.firewalld {
            evidence.append(Evidence(source: firewalld.zoneFile ?? "/etc/firewalld/firewalld.conf",
                                     value: "default zone \(firewalld.defaultZone), target \(firewalld.zoneTarget ?? "default")"))
            if let (how, proof) = services.on(units: ["firewalld.service"], processes: ["firewalld"]) {
                evidence.append(proof)
                if firewalld.zoneTarget?.uppercased() == "ACCEPT" {
                    return .warn(.zoneAccepts, ["zone": firewalld.defaultZone, "file": firewalld.zoneFile ?? "?"], evidence: evidence)
                }
                return .pass(.firewalld, ["zone": firewalld.defaultZone, "how": how], evidence: evidence)
            }
            evidence.append(Evidence(source: "firewalld.service", value: "installed, not enabled or running"))
        }
        if let ufw = configuration.ufw {
            evidence.append(Evidence(source: "/etc/ufw/ufw.conf", value: "ENABLED=\(ufw.enabled ? "yes" : "no"), DEFAULT_INPUT_POLICY=\(ufw.defaultInputPolicy ?? "?")"))
            if ufw.enabled, ["DROP", "REJECT"].contains(ufw.defaultInputPolicy?.uppercased() ?? "") {
                return .pass(.ufw, ["policy": ufw.defaultInputPolicy ?? ""], evidence: evidence)
            }
        }
        var filtering: [FirewallConfiguration.Ruleset] = []
        var open: [FirewallConfiguration.Ruleset] = []
        for ruleset in configuration.rulesets {
            evidence.append(Evidence(source: ruleset.file, value: "input policy \(ruleset.inputPolicy ?? "none"), \(ruleset.inputRules) input rules, \(ruleset.inputDropRules) drop or reject"))
            if ruleset.filtersInput { filtering.append(ruleset) } else { open.append(ruleset) }
        }
        var notLoaded: [FirewallConfiguration.Ruleset] = []
        for ruleset in filtering {
            if let (how, proof) = services.on(units: loaders(ruleset.kind)) {
                evidence.append(proof)
                return .pass(.savedRules, ["file": ruleset.file, "how": how], evidence: evidence)
            }
            notLoaded.append(ruleset)
        }
        if let ruleset = notLoaded.first {
            guard services.knowsEnablement else {
                return .pass(.savedRulesUnverified, ["file": ruleset.file], evidence: evidence)
            }
            return .warn(.notLoaded, ["file": ruleset.file, "loader": loaders(ruleset.kind)[0]], evidence: evidence)
        }
        if !open.isEmpty {
            return .warn(.openRules, ["files": open.map(\.file).joined(separator: ", ")], evidence: evidence)
        }
        if evidence.isEmpty, !services.knowsEnablement {
            return .skip(.unknown)
        }
        if evidence.isEmpty {
            evidence.append(Evidence(source: "/etc/firewalld, /etc/sysconfig/iptables, /etc/iptables, /etc/nftables.conf, /etc/ufw", value: "no firewall configuration"))
        }
        return .warn(.none, evidence: evidence)
    }
}
