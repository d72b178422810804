import DoctorCore
import HostFacts

enum NetworkEvaluators {
    static let bridgeNetfilterKeys = ["net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables"]

    static let bridgeNetfilter: Evaluator = { context throws(FactError) in
        var runtime: [String: String] = [:]
        var evidence: [Evidence] = []
        for key in bridgeNetfilterKeys {
            switch context.facts.sourced(Facts.sysctl(key)) {
            case .success(let value):
                runtime[key] = value.value
                evidence.append(Evidence(source: value.sources.first ?? key, value: value.value))
            case .failure(.absent):
                continue
            case .failure(let error):
                throw error
            }
        }
        guard !runtime.isEmpty else {
            return .pass("Bridge netfilter (br_netfilter) is not loaded: traffic crossing a bridge is not sent through iptables.",
                         evidence: [Evidence(source: "/proc/sys/net/bridge", value: "absent")])
        }
        let persisted = context.optionalFact(Facts.persistedSysctls)?.value
        let bridges = context.optionalFact(Facts.bridges)?.value
        let domains = context.optionalFact(Facts.libvirtDomains)?.value.domains ?? []
        let bridgedGuests = domains.filter { $0.interfaces.contains { $0.type == "bridge" } }.map(\.name)
        if let bridges {
            evidence.append(Evidence(source: "/sys/class/net", value: bridges.bridges.isEmpty ? "no bridges" : bridges.bridges.map { "\($0.name) [\($0.ports.joined(separator: ", "))]" }.joined(separator: "; ")))
        }
        if !bridgedGuests.isEmpty {
            evidence.append(Evidence(source: "/etc/libvirt/qemu", value: "guests on a bridge: \(bridgedGuests.joined(separator: ", "))"))
        }
        // Persisted values that disagree with the running ones flip at the next boot.
        var drift: [String] = []
        for (key, value) in runtime.sorted(by: { $0.key < $1.key }) {
            if let setting = persisted?.settings[key], setting.value != value {
                drift.append("\(key) is \(value) now but \(setting.file):\(setting.line) sets \(setting.value)")
            }
        }
        if runtime["net.bridge.bridge-nf-call-iptables"] == "0" {
            if !drift.isEmpty {
                return Observation(.warn, "Bridged traffic bypasses iptables now, but the boot configuration disagrees: \(drift.joined(separator: "; ")).",
                                   evidence: evidence, conditions: ["not-persisted"])
            }
            return .pass("bridge-nf-call-iptables is 0: guest traffic on bridges is not filtered by the host firewall.", evidence: evidence)
        }
        if let rule = bridges?.physdevAcceptRule {
            evidence.append(Evidence(source: bridges?.savedRulesFile ?? "iptables", value: rule))
            return .pass("Bridged traffic goes through iptables, and the saved rules accept it (--physdev-is-bridged).", evidence: evidence)
        }
        if bridges?.kubernetesNode == true {
            return Observation(.warn, "bridge-nf-call-iptables is 1, which Kubernetes requires on this node; make sure the FORWARD chain accepts bridged guest traffic with a physdev rule rather than setting it to 0.",
                               evidence: evidence, conditions: ["kubernetes"])
        }
        let guestBridges = bridges?.bridges.filter { !$0.name.hasPrefix("docker") && !$0.name.hasPrefix("cni") } ?? []
        if !bridgedGuests.isEmpty {
            return Observation(.fail, "Guest traffic on bridges is passed to iptables (bridge-nf-call-iptables=1) and no saved rule accepts it: \(NamedList("guest", "guests", bridgedGuests).phrase) can lose network access to the FORWARD chain's policy.",
                               evidence: evidence, conditions: ["filtering"])
        }
        if !guestBridges.isEmpty {
            return Observation(.warn, "Bridged traffic is passed to iptables (bridge-nf-call-iptables=1) and no saved rule accepts it; guests attached to \(guestBridges.map(\.name).joined(separator: ", ")) may be blocked by the FORWARD chain.",
                               evidence: evidence, conditions: ["filtering"])
        }
        return .pass("bridge-nf-call-iptables is 1, but no bridge carries guest traffic on this host.", evidence: evidence)
    }

    static let defaultNetwork: Evaluator = { context throws(FactError) in
        // A running libvirt knows for sure which networks are active; the files are the fallback.
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            return liveDefaultNetwork(snapshot, context)
        }
        let inventory: Sourced<NetworkInventory>
        do throws(FactError) {
            inventory = try context.fact(Facts.libvirtNetworks)
        } catch .absent {
            return .skip("libvirt's network configuration (/etc/libvirt/qemu/networks) is not present: libvirt is not installed here, or its networks are managed elsewhere.")
        }
        let domains = context.optionalFact(Facts.libvirtDomains)?.value.domains ?? []
        let users = domains.filter { $0.interfaces.contains { $0.type == "network" && $0.source == "default" } }.map(\.name)
        let guests = NamedList("guest", "guests", users)
        var evidence = [Evidence(source: "/etc/libvirt/qemu/networks", value: inventory.value.networks.map(\.name).joined(separator: ", ").ifEmpty("no networks defined"))]
        for (file, reason) in inventory.value.unreadable.sorted(by: { $0.key < $1.key }) {
            evidence.append(Evidence(source: file, value: "unreadable", note: reason))
        }
        if !users.isEmpty { evidence.append(Evidence(source: "/etc/libvirt/qemu", value: "guests using 'default': \(users.joined(separator: ", "))")) }
        guard let network = inventory.value.network(named: "default") else {
            if !users.isEmpty {
                return Observation(.fail, "The network 'default' is not defined, but \(guests.phrase) \(guests.verb("uses", "use")) it: starting \(guests.isSingle ? "it" : "them") fails with \"Network not found: no network with matching name 'default'\".",
                                   evidence: evidence, conditions: ["missing"])
            }
            return .pass("No 'default' network is defined and no guest uses one.", evidence: evidence)
        }
        evidence.append(Evidence(source: network.file, value: "forward mode \(network.forwardMode ?? "none (isolated)"), bridge \(network.bridge ?? "?"), autostart \(network.autostart ? "yes" : "no")" + (network.active.map { ", \($0 ? "active" : "inactive")" } ?? "")))
        if network.needsIPForwarding, let forward = context.optionalFact(Facts.sysctl("net.ipv4.ip_forward")), forward.value == "0" {
            evidence.append(Evidence(source: forward.sources.first ?? "", value: "0"))
            return Observation(.fail, "The 'default' network uses \(network.forwardMode!) forwarding, but IPv4 forwarding is off: its guests cannot reach the outside network.",
                               evidence: evidence, conditions: ["forwarding-off"])
        }
        if network.active == false && !users.isEmpty {
            return Observation(.fail, "The 'default' network is not running and \(guests.phrase) \(guests.verb("uses", "use")) it: starting \(guests.isSingle ? "it" : "them") fails with \"network 'default' is not active\".",
                               evidence: evidence, conditions: ["inactive"] + (network.autostart ? [] : ["not-autostart"]))
        }
        if !network.autostart {
            return Observation(.warn, "The 'default' network is defined but not marked autostart: after a reboot it stays down" + (users.isEmpty ? "." : " and \(guests.phrase) cannot start."),
                               evidence: evidence, conditions: ["not-autostart"])
        }
        return .pass("The 'default' network is defined and starts with libvirt" + (network.active == true ? " (running now)." : "."), evidence: evidence)
    }
}

extension NetworkEvaluators {
    static func liveDefaultNetwork(_ snapshot: LibvirtSnapshot, _ context: EvaluationContext) -> Observation {
        let users = snapshot.domains.filter { $0.interfaces.contains { $0.type == "network" && $0.source == "default" } }.map(\.name)
        let guests = NamedList("guest", "guests", users)
        var evidence = [Evidence(source: "libvirt \(snapshot.uri)", value: snapshot.networks.map { "\($0.name) (\($0.active ? "active" : "inactive"), autostart \($0.autostart == true ? "yes" : "no"))" }.joined(separator: ", ").ifEmpty("no networks"))]
        if !users.isEmpty { evidence.append(Evidence(source: "libvirt \(snapshot.uri)", value: "guests using 'default': \(users.joined(separator: ", "))")) }
        guard let network = snapshot.networks.first(where: { $0.name == "default" }) else {
            return users.isEmpty ? .pass("libvirt has no 'default' network and no guest uses one.", evidence: evidence)
                : Observation(.fail, "\(guests.phrase.capitalizedFirst) \(guests.verb("uses", "use")) the network 'default', which libvirt does not have.", evidence: evidence, conditions: ["missing"])
        }
        if network.forwardMode == "nat" || network.forwardMode == "route",
           let forward = context.optionalFact(Facts.sysctl("net.ipv4.ip_forward")), forward.value == "0", network.active {
            evidence.append(Evidence(source: forward.sources.first ?? "", value: "0"))
            return Observation(.fail, "The 'default' network is active with \(network.forwardMode!) forwarding, but IPv4 forwarding is off: its guests cannot reach the outside network.",
                               evidence: evidence, conditions: ["forwarding-off"])
        }
        if !network.active && !users.isEmpty {
            return Observation(.fail, "The 'default' network is not running and \(guests.phrase) \(guests.verb("uses", "use")) it.", evidence: evidence, conditions: ["inactive"])
        }
        if network.autostart == false {
            return Observation(.warn, "The 'default' network does not start with libvirt: after a reboot it stays down" + (users.isEmpty ? "." : " and \(guests.phrase) cannot start."),
                               evidence: evidence, conditions: ["not-autostart"])
        }
        return .pass("libvirt's 'default' network is \(network.active ? "running" : "defined") and starts with libvirt.", evidence: evidence)
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
