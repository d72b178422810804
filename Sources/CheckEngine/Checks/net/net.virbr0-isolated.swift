import DoctorCore
import HostFacts

/// net.virbr0-isolated: the bridge of a libvirt NAT (or isolated) network has only guest ports; a physical
/// NIC enslaved to it, now or by a configuration file, breaks both the NIC and the NAT network.
enum NetVirbr0Isolated: CheckEvaluator {
    static let id = "net.virbr0-isolated"

    enum Condition: String, CaseIterable {
        case noNATBridge = "no-nat-bridge"
        case isolated
        /// `{problems}` lists `physical-port` and `configured-port` fragments.
        case physicalAttached = "physical-attached"
        case physicalPort = "physical-port"
        case configuredPort = "configured-port"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        // Bridges of libvirt networks that are not themselves bridged to the LAN; virbr0 when none is defined.
        var natBridges = Set(NetGuests.networks(context).filter { $0.mode == nil || $0.mode == "nat" || $0.mode == "route" || $0.mode == "open" }
            .compactMap { $0.bridge })
        let interfaces = context.optionalFact(Facts.netInterfaces)?.value
        if interfaces?.named("virbr0")?.isBridge == true { natBridges.insert("virbr0") }
        let files = context.optionalFact(Facts.netConfigFiles)?.value
        if files?.configuredPorts["virbr0"] != nil { natBridges.insert("virbr0") }
        guard !natBridges.isEmpty else { return .skip(.noNATBridge) }
        var evidence: [Evidence] = []
        var problems: [String] = []
        for bridge in natBridges.sorted() {
            if let running = interfaces?.named(bridge), running.isBridge {
                evidence.append(Evidence(source: "/sys/class/net/\(bridge)/brif", value: running.ports.isEmpty ? "no ports" : running.ports.joined(separator: ", ")))
                let physical = running.ports.filter { interfaces?.named($0)?.physical == true }
                if !physical.isEmpty {
                    problems.append(context.fragment(Condition.physicalPort, ["bridge": bridge, "ports": physical.joined(separator: ", ")]))
                }
            }
            for file in files?.ifcfg ?? [] where file.bridge == bridge {
                evidence.append(Evidence(source: file.file, value: "BRIDGE=\(bridge)"))
                problems.append(context.fragment(Condition.configuredPort, ["bridge": bridge, "interface": file.interfaceName, "file": file.file]))
            }
            for connection in files?.nmConnections ?? [] where connection.portType == "bridge" && connection.controller == bridge {
                evidence.append(Evidence(source: connection.file, value: "master=\(bridge)"))
                problems.append(context.fragment(Condition.configuredPort, ["bridge": bridge, "interface": connection.interfaceName ?? connection.id ?? "?", "file": connection.file]))
            }
            for stanza in files?.ifupdownBridges ?? [] where stanza.name == bridge && !stanza.ports.isEmpty {
                evidence.append(Evidence(source: stanza.file, value: "bridge_ports \(stanza.ports.joined(separator: " "))"))
                problems.append(context.fragment(Condition.configuredPort, ["bridge": bridge, "interface": stanza.ports.joined(separator: ", "), "file": stanza.file]))
            }
        }
        if !problems.isEmpty {
            return .fail(.physicalAttached, ["problems": problems.joined(separator: "; ")], evidence: evidence)
        }
        return .pass(.isolated, ["bridges": natBridges.sorted().joined(separator: ", ")], evidence: evidence)
    }
}
