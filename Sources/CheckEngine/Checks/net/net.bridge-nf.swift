import DoctorCore
import HostFacts

/// net.bridge-nf: with br_netfilter loaded and bridge-nf-call-iptables=1, bridged guest traffic passes the
/// host's FORWARD chain and is dropped unless a rule accepts it.
enum NetBridgeNF: CheckEvaluator {
    static let id = "net.bridge-nf"

    static let bridgeNetfilterKeys = ["net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables"]

    enum Condition: String, CaseIterable {
        case notLoaded = "not-loaded"
        /// Off now, but a sysctl file sets other values at boot.
        case notPersisted = "not-persisted"
        case iptablesOff = "iptables-off"
        case physdevAccepted = "physdev-accepted"
        case kubernetes
        /// Filtered without an accepting rule, and guests are on bridges (named, plural by `count`).
        case filteringGuests = "filtering-guests"
        /// Filtered without an accepting rule; no guest definition names a bridge, but bridges exist.
        case filteringBridges = "filtering-bridges"
        case noGuestBridges = "no-guest-bridges"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
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
            return .pass(.notLoaded, evidence: [Evidence(source: "/proc/sys/net/bridge", value: "absent")])
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
                return .warn(.notPersisted, ["drift": drift.joined(separator: "; ")], evidence: evidence)
            }
            return .pass(.iptablesOff, evidence: evidence)
        }
        if let rule = bridges?.physdevAcceptRule {
            evidence.append(Evidence(source: bridges?.savedRulesFile ?? "iptables", value: rule))
            return .pass(.physdevAccepted, evidence: evidence)
        }
        if bridges?.kubernetesNode == true {
            return .warn(.kubernetes, evidence: evidence)
        }
        let guestBridges = bridges?.bridges.filter { !$0.name.hasPrefix("docker") && !$0.name.hasPrefix("cni") } ?? []
        if !bridgedGuests.isEmpty {
            return .fail(.filteringGuests, listVariables("guests", bridgedGuests), evidence: evidence)
        }
        if !guestBridges.isEmpty {
            return .warn(.filteringBridges, ["bridges": guestBridges.map(\.name).joined(separator: ", ")], evidence: evidence)
        }
        return .pass(.noGuestBridges, evidence: evidence)
    }
}
