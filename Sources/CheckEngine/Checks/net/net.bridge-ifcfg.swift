import DoctorCore
import HostFacts

/// net.bridge-ifcfg: bridge definitions on disk (ifcfg files, NetworkManager keyfiles, ifupdown) agree with
/// themselves, with the kernel's interfaces, and with the bridges guests are attached to.
enum NetBridgeIfcfg: CheckEvaluator {
    static let id = "net.bridge-ifcfg"

    enum Condition: String, CaseIterable {
        case noConfiguration = "no-configuration"
        case noBridges = "no-bridges"
        case consistent
        /// `{problems}` lists fragments; at least one is a fail fragment.
        case broken
        /// `{problems}` lists warn fragments only.
        case misconfigured
        // Fragments.
        case guestBridgeMissing = "guest-bridge-missing"
        case uplinkMissing = "uplink-missing"
        case typeCase = "type-case"
        case deviceMismatch = "device-mismatch"
        case hwaddrMismatch = "hwaddr-mismatch"
        case unknownBridge = "unknown-bridge"
        case mtuMismatch = "mtu-mismatch"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let config = context.optionalFact(Facts.netConfigFiles)
        let interfaces = context.optionalFact(Facts.netInterfaces)?.value
        let (guestBridges, guestSource) = NetGuests.bridgeUsers(context)
        let networkBridges = Set(NetGuests.networks(context).compactMap { $0.bridge })
        guard config != nil || !guestBridges.isEmpty else { return .skip(.noConfiguration) }
        var evidence: [Evidence] = []
        let files = config?.value
        let defined = (files?.definedBridges ?? []).union(networkBridges)
        let runtimeBridges = interfaces.map { Set($0.bridges.map(\.name)) }
        if let config {
            for file in config.value.ifcfg where file.looksLikeBridge || file.bridge != nil {
                evidence.append(Evidence(source: file.file, value: ["DEVICE", "TYPE", "BRIDGE", "HWADDR", "ONBOOT", "BOOTPROTO"]
                    .compactMap { key in file.values[key].map { "\(key)=\($0)" } }.joined(separator: " ")))
            }
            for (path, reason) in config.value.unreadable.sorted(by: { $0.key < $1.key }) {
                evidence.append(Evidence(source: path, value: "unreadable", note: reason))
            }
        }
        if let interfaces {
            evidence.append(Evidence(source: "/sys/class/net", value: interfaces.bridges.isEmpty ? "no bridges"
                : interfaces.bridges.map { "\($0.name) [\($0.ports.joined(separator: ", "))]" }.joined(separator: "; ")))
        }
        if !guestBridges.isEmpty {
            evidence.append(Evidence(source: guestSource, value: guestBridges.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value.joined(separator: ", "))" }.joined(separator: "; ")))
        }

        var failures: [String] = []
        var warnings: [String] = []
        // Bridges guests need: the kernel's list when captured, else what the files define.
        for (bridge, guests) in guestBridges.sorted(by: { $0.key < $1.key }) {
            let exists = runtimeBridges.map { $0.contains(bridge) } ?? defined.contains(bridge)
            if !exists {
                failures.append(context.fragment(Condition.guestBridgeMissing, ["bridge": bridge, "guests": guests.joined(separator: ", "), "count": String(guests.count)]))
            }
        }
        if let files {
            // A running bridge with configured ports, none of them attached: guests on it reach only each other.
            if let interfaces {
                for (bridge, ports) in files.configuredPorts.sorted(by: { $0.key < $1.key }) {
                    guard let running = interfaces.named(bridge), running.isBridge, !ports.isEmpty else { continue }
                    if !ports.contains(where: running.ports.contains) {
                        failures.append(context.fragment(Condition.uplinkMissing, ["bridge": bridge, "ports": ports.joined(separator: ", ")]))
                    }
                }
            }
            for file in files.ifcfg {
                if let type = file.type, file.looksLikeBridge, type != "Bridge" {
                    warnings.append(context.fragment(Condition.typeCase, ["file": file.file, "value": type]))
                }
                if let device = file.device, device != file.name {
                    warnings.append(context.fragment(Condition.deviceMismatch, ["file": file.file, "device": device, "name": file.name]))
                }
                // A bond takes over its slaves' addresses, so only files outside a bond are compared.
                if file.values["MASTER"] == nil, let written = file.hwaddr, let configured = MACAddress.normalized(written),
                   let actual = interfaces?.named(file.interfaceName)?.address, actual != configured {
                    warnings.append(context.fragment(Condition.hwaddrMismatch, ["file": file.file, "configured": configured, "actual": actual, "interface": file.interfaceName]))
                }
                if let bridge = file.bridge, !defined.contains(bridge), !(runtimeBridges?.contains(bridge) ?? false) {
                    warnings.append(context.fragment(Condition.unknownBridge, ["file": file.file, "bridge": bridge]))
                }
            }
        }
        // A physical port whose MTU differs from its bridge's: jumbo frames set on one side only.
        if let interfaces {
            for bridge in interfaces.bridges {
                guard let bridgeMTU = bridge.mtu else { continue }
                for port in bridge.ports {
                    guard let member = interfaces.named(port), member.physical, let portMTU = member.mtu, portMTU != bridgeMTU else { continue }
                    warnings.append(context.fragment(Condition.mtuMismatch, ["bridge": bridge.name, "bridgeMTU": String(bridgeMTU), "port": port, "portMTU": String(portMTU)]))
                }
            }
        }
        let problems = (failures + warnings).joined(separator: "; ")
        if !failures.isEmpty { return .fail(.broken, ["problems": problems], evidence: evidence) }
        if !warnings.isEmpty { return .warn(.misconfigured, ["problems": problems], evidence: evidence) }
        let known = defined.union(guestBridges.keys).union(files?.configuredPorts.keys.map { $0 } ?? [])
        if known.isEmpty { return .pass(.noBridges, evidence: evidence) }
        return .pass(.consistent, ["bridges": known.sorted().joined(separator: ", ")], evidence: evidence)
    }
}
