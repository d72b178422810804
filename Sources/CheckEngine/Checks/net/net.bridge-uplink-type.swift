import DoctorCore
import HostFacts

/// net.bridge-uplink-type: a bridge whose uplink is a wireless NIC (most Wi-Fi drivers cannot be bridged),
/// and, for information, guests on NAT networks, which cannot keep their address when migrated.
enum NetBridgeUplinkType: CheckEvaluator {
    static let id = "net.bridge-uplink-type"

    enum Condition: String, CaseIterable {
        case noInterfaces = "no-interfaces"
        case noBridges = "no-bridges"
        case wired
        case natGuests = "nat-guests"
        /// `{problems}` lists `wireless-port` and `wireless-configured` fragments.
        case wireless
        case wirelessPort = "wireless-port"
        case wirelessConfigured = "wireless-configured"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let interfaces: InterfaceInventory
        do throws(FactError) {
            interfaces = try context.fact(Facts.netInterfaces).value
        } catch .absent {
            return .skip(.noInterfaces)
        }
        let files = context.optionalFact(Facts.netConfigFiles)?.value
        var evidence: [Evidence] = []
        var problems: [String] = []
        let wireless = Set(interfaces.interfaces.filter(\.wireless).map(\.name))
        if !wireless.isEmpty { evidence.append(Evidence(source: "/sys/class/net/*/wireless", value: wireless.sorted().joined(separator: ", "))) }
        for bridge in interfaces.bridges {
            evidence.append(Evidence(source: "/sys/class/net/\(bridge.name)/brif", value: bridge.ports.isEmpty ? "no ports" : bridge.ports.joined(separator: ", ")))
            let radios = bridge.ports.filter(wireless.contains)
            if !radios.isEmpty { problems.append(context.fragment(Condition.wirelessPort, ["bridge": bridge.name, "ports": radios.joined(separator: ", ")])) }
        }
        for (bridge, ports) in (files?.configuredPorts ?? [:]).sorted(by: { $0.key < $1.key }) {
            let running = Set(interfaces.named(bridge)?.ports ?? [])
            for port in ports where wireless.contains(port) && !running.contains(port) {
                problems.append(context.fragment(Condition.wirelessConfigured, ["bridge": bridge, "port": port]))
            }
        }
        if !problems.isEmpty { return .warn(.wireless, ["problems": problems.joined(separator: "; ")], evidence: evidence) }
        let natNetworks = Set(NetGuests.networks(context).filter { $0.mode == "nat" }.map { $0.name })
        let natGuests = NetGuests.networkUsers(context).filter { natNetworks.contains($0.key) }.flatMap { $0.value }
        let wiredBridges = interfaces.bridges.filter { bridge in bridge.ports.contains { interfaces.named($0)?.physical == true } }.map(\.name)
        if !natGuests.isEmpty {
            return .pass(.natGuests, listVariables("guests", Array(Set(natGuests)).sorted()), evidence: evidence)
        }
        if !wiredBridges.isEmpty { return .pass(.wired, ["bridges": wiredBridges.joined(separator: ", ")], evidence: evidence) }
        return .pass(.noBridges, evidence: evidence)
    }
}
