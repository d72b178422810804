import DoctorCore
import HostFacts

/// What the issue-12 network checks share: which guests sit on which bridge or libvirt network.
enum NetGuests {
    /// Bridge name -> guests with an `<interface type='bridge'>` on it; live libvirt first, else the files.
    static func bridgeUsers(_ context: EvaluationContext) -> (users: [String: [String]], source: String) {
        var users: [String: [String]] = [:]
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            for domain in snapshot.domains {
                for interface in domain.interfaces where interface.type == "bridge" {
                    if let bridge = interface.source, !(users[bridge] ?? []).contains(domain.name) { users[bridge, default: []].append(domain.name) }
                }
            }
            return (users, "libvirt \(snapshot.uri)")
        }
        for domain in context.optionalFact(Facts.libvirtDomains)?.value.domains ?? [] {
            for interface in domain.interfaces where interface.type == "bridge" {
                if let bridge = interface.source, !(users[bridge] ?? []).contains(domain.name) { users[bridge, default: []].append(domain.name) }
            }
        }
        return (users, "/etc/libvirt")
    }

    /// libvirt networks as (name, forward mode, bridge, active): live libvirt first, else the files.
    static func networks(_ context: EvaluationContext) -> [(name: String, mode: String?, bridge: String?, active: Bool?)] {
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            return snapshot.networks.map { ($0.name, $0.forwardMode, $0.bridge, $0.active) }
        }
        return (context.optionalFact(Facts.libvirtNetworks)?.value.networks ?? []).map { ($0.name, $0.forwardMode, $0.bridge, $0.active) }
    }

    /// Network name -> guests attached to it (`<interface type='network'>`).
    static func networkUsers(_ context: EvaluationContext) -> [String: [String]] {
        var users: [String: [String]] = [:]
        func add(_ name: String, _ interfaces: [LibvirtDomain.Interface]) {
            for interface in interfaces where interface.type == "network" {
                if let network = interface.source, !(users[network] ?? []).contains(name) { users[network, default: []].append(name) }
            }
        }
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            for domain in snapshot.domains { add(domain.name, domain.interfaces) }
        } else {
            for domain in context.optionalFact(Facts.libvirtDomains)?.value.domains ?? [] { add(domain.name, domain.interfaces) }
        }
        return users
    }
}
