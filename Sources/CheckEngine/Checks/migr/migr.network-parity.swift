import DoctorCore
import HostFacts

/// migr.network-parity: libvirt reconnects a migrated guest's interfaces by name on the destination; a
/// libvirt network or host bridge of that name must exist there, or the migration is refused.
enum MigrNetworkParity: CheckEvaluator {
    static let id = "migr.network-parity"

    enum Condition: String, CaseIterable {
        case present
        case noInterfaces = "no-interfaces"
        case missing
        case networkInactive = "network-inactive"
        case destinationUnknown = "destination-unknown"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let guest = try MigrationSides.guest(context)
        let destination = try context.destination()
        var variables = ["guest": guest.name, "destination": MigrationSides.name(destination)]
        let wanted = guest.interfaces.compactMap { interface -> (kind: String, name: String)? in
            guard let name = interface.source, ["network", "bridge"].contains(interface.type) else { return nil }
            return (interface.type, name)
        }
        if wanted.isEmpty { return .pass(.noInterfaces, variables) }
        // What the destination has: libvirt networks (files, else its live answer) and Linux bridges.
        let live = try? destination.get(Facts.libvirt)
        var networks: [String: Bool?] = [:]
        if let files = try? destination.get(Facts.libvirtNetworks) {
            for network in files.networks { networks[network.name] = network.active }
        }
        for network in live?.networks ?? [] { networks[network.name] = network.active }
        var bridges = Set((try? destination.get(Facts.bridges))?.bridges.map(\.name) ?? [])
        for name in (try? destination.get(Facts.netInterfaces))?.bridges.map(\.name) ?? [] { bridges.insert(name) }
        // Networks libvirt runs create their own bridges (virbr0): a guest on bridge virbr0 is on the network.
        for network in live?.networks ?? [] { if let bridge = network.bridge { bridges.insert(bridge) } }
        // No networks directory in a libvirt configuration that is there means no networks defined.
        let networksAbsent: Bool
        switch destination.sourced(Facts.libvirtNetworks) {
        case .success: networksAbsent = false
        case .failure(.absent): networksAbsent = destination.root.exists("/etc/libvirt")
        case .failure: networksAbsent = false
        }
        let knowsNetworks = (try? destination.get(Facts.libvirtNetworks)) != nil || live != nil || networksAbsent
        let knowsBridges = (try? destination.get(Facts.bridges)) != nil || (try? destination.get(Facts.netInterfaces)) != nil || live != nil
        var missing: [String] = [], inactive: [String] = [], unknown: [String] = []
        var evidence: [Evidence] = [Evidence(source: guest.source, value: wanted.map { "\($0.kind) \($0.name)" }.joined(separator: ", "))]
        evidence.append(Evidence(source: "destination networks", value: networks.keys.sorted().joined(separator: ", ").ifEmpty("none")))
        evidence.append(Evidence(source: "destination bridges", value: bridges.sorted().joined(separator: ", ").ifEmpty("none")))
        for item in wanted {
            if item.kind == "network" {
                guard knowsNetworks else { unknown.append("network \(item.name)"); continue }
                switch networks[item.name] {
                case nil: missing.append("network \(item.name)")
                case .some(.some(false)): inactive.append(item.name)
                default: break
                }
            } else {
                guard knowsBridges else { unknown.append("bridge \(item.name)"); continue }
                if !bridges.contains(item.name) { missing.append("bridge \(item.name)") }
            }
        }
        if !missing.isEmpty { return .fail(.missing, variables.merging(listVariables("items", missing)) { $1 }, evidence: evidence) }
        if !inactive.isEmpty { return .fail(.networkInactive, variables.merging(listVariables("networks", inactive)) { $1 }, evidence: evidence) }
        if !unknown.isEmpty { return .skip(.destinationUnknown, variables.merging(listVariables("items", unknown)) { $1 }, evidence: evidence) }
        variables.merge(listVariables("items", wanted.map { "\($0.kind) \($0.name)" })) { $1 }
        return .pass(.present, variables, evidence: evidence)
    }
}
