import DoctorCore
import Foundation

/// Linux bridges and what is plugged into them (/sys/class/net/<bridge>/brif).
public struct BridgeInventory: Codable, Sendable, Equatable {
    public struct Bridge: Codable, Sendable, Equatable {
        public var name: String
        public var ports: [String]
    }

    public var bridges: [Bridge]
    /// Saved iptables rules that accept bridged traffic (`-m physdev --physdev-is-bridged -j ACCEPT`).
    public var physdevAcceptRule: String?
    public var savedRulesFile: String?
    /// Kubernetes needs bridge-nf-call-iptables=1; such hosts need the physdev rule instead of 0.
    public var kubernetesNode: Bool

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<BridgeInventory> {
        let interfaces = try root.list("/sys/class/net")
        var inventory = BridgeInventory(bridges: [], physdevAcceptRule: nil, savedRulesFile: nil, kubernetesNode: false)
        var sources = ["/sys/class/net"]
        for name in interfaces where root.exists("/sys/class/net/\(name)/bridge") {
            let ports = (try? root.list("/sys/class/net/\(name)/brif")) ?? []
            inventory.bridges.append(Bridge(name: name, ports: ports))
        }
        for path in ["/etc/sysconfig/iptables", "/etc/iptables/rules.v4", "/etc/iptables.rules"] {
            guard let text = try? root.readText(path, limit: 4 << 20) else { continue }
            inventory.savedRulesFile = path
            sources.append(path)
            inventory.physdevAcceptRule = text.split(separator: "\n").first {
                $0.contains("--physdev-is-bridged") && $0.contains("ACCEPT") && $0.contains("FORWARD")
            }.map(String.init)
            break
        }
        inventory.kubernetesNode = root.exists("/etc/kubernetes/kubelet.conf") || root.exists("/var/lib/kubelet/config.yaml")
        return Sourced(inventory, sources: sources)
    }
}

extension Facts {
    public static let bridges = FactKey<BridgeInventory>("net.bridges", "Linux bridges, their ports, saved physdev ACCEPT rules, Kubernetes presence") { store throws(FactError) in
        try BridgeInventory.read(store.root)
    }
}
