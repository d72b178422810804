import DoctorCore
import HostFacts

/// net.ip-forward: libvirt's NAT and routed networks need the host to forward IPv4, now and after a reboot.
enum NetIPForward: CheckEvaluator {
    static let id = "net.ip-forward"

    enum Condition: String, CaseIterable {
        /// On, and libvirt NAT networks use it (or none are defined).
        case on
        case onForNAT = "on-for-nat"
        /// On now, but a sysctl file switches it off at the next boot.
        case offAtBoot = "off-at-boot"
        /// On now, but nothing sets it at boot and no libvirt network would switch it on again.
        case notPersisted = "not-persisted"
        /// Off while NAT/routed networks run: their guests are cut off.
        case offInUse = "off-in-use"
        /// Off, NAT networks defined but not running.
        case offDefined = "off-defined"
        case offUnneeded = "off-unneeded"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let forward = try context.fact(Facts.sysctl("net.ipv4.ip_forward"))
        var evidence = [Evidence(source: forward.sources.first ?? "/proc/sys/net/ipv4/ip_forward", value: forward.value)]
        let persisted = context.optionalFact(Facts.persistedSysctls)?.value.settings["net.ipv4.ip_forward"]
        if let persisted { evidence.append(Evidence(source: "\(persisted.file):\(persisted.line)", value: "net.ipv4.ip_forward = \(persisted.value)")) }
        let inventory = context.optionalFact(Facts.libvirtNetworks)?.value
        let natNetworks = inventory?.networks.filter(\.needsIPForwarding) ?? []
        let running = natNetworks.filter { $0.active == true || ($0.active == nil && $0.autostart) }
        if !natNetworks.isEmpty {
            evidence.append(Evidence(source: "/etc/libvirt/qemu/networks", value: natNetworks.map { "\($0.name) (\($0.forwardMode ?? "?")\($0.active == true ? ", active" : "")\($0.autostart ? ", autostart" : ""))" }.joined(separator: ", ")))
        }
        let networks = listVariables("networks", natNetworks.map(\.name))
        if forward.value == "1" {
            if let persisted, persisted.value == "0" {
                return .warn(.offAtBoot, ["file": persisted.file], evidence: evidence)
            }
            if persisted == nil && natNetworks.isEmpty {
                return .warn(.notPersisted, evidence: evidence)
            }
            return natNetworks.isEmpty ? .pass(.on, evidence: evidence) : .pass(.onForNAT, networks, evidence: evidence)
        }
        if !running.isEmpty {
            return .fail(.offInUse, listVariables("networks", running.map(\.name)), evidence: evidence)
        }
        if !natNetworks.isEmpty {
            return .warn(.offDefined, networks, evidence: evidence)
        }
        return .pass(.offUnneeded, evidence: evidence)
    }
}
