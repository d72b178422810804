import DoctorCore
import HostFacts

/// net.default-network: libvirt's 'default' network exists, runs, starts at boot, and can forward, for the
/// guests that use it. A running libvirt is asked first (`live-` conditions); its files are the fallback.
enum NetDefaultNetwork: CheckEvaluator {
    static let id = "net.default-network"

    /// Conditions that name guests pass them with `listVariables("guests", ...)`: `count` picks the form.
    enum Condition: String, CaseIterable {
        case noConfiguration = "no-configuration"
        /// Not defined, and guests use it.
        case missing
        case missingUnused = "missing-unused"
        case forwardingOff = "forwarding-off"
        /// Defined but not running, and guests use it.
        case inactive
        /// Not autostarted; `-used` names the guests that then cannot start.
        case notAutostart = "not-autostart"
        case notAutostartUsed = "not-autostart-used"
        case autostarts
        case autostartsRunning = "autostarts-running"
        case liveMissing = "live-missing"
        case liveMissingUnused = "live-missing-unused"
        case liveForwardingOff = "live-forwarding-off"
        case liveInactive = "live-inactive"
        case liveNotAutostart = "live-not-autostart"
        case liveNotAutostartUsed = "live-not-autostart-used"
        case liveRunning = "live-running"
        case liveDefined = "live-defined"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        // A running libvirt knows for sure which networks are active; the files are the fallback.
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            return live(snapshot, context)
        }
        let inventory: Sourced<NetworkInventory>
        do throws(FactError) {
            inventory = try context.fact(Facts.libvirtNetworks)
        } catch .absent {
            return .skip(.noConfiguration)
        }
        let domains = context.optionalFact(Facts.libvirtDomains)?.value.domains ?? []
        let users = domains.filter { $0.interfaces.contains { $0.type == "network" && $0.source == "default" } }.map(\.name)
        let guests = listVariables("guests", users)
        var evidence = [Evidence(source: "/etc/libvirt/qemu/networks", value: inventory.value.networks.map(\.name).joined(separator: ", ").ifEmpty("no networks defined"))]
        for (file, reason) in inventory.value.unreadable.sorted(by: { $0.key < $1.key }) {
            evidence.append(Evidence(source: file, value: "unreadable", note: reason))
        }
        if !users.isEmpty { evidence.append(Evidence(source: "/etc/libvirt/qemu", value: "guests using 'default': \(users.joined(separator: ", "))")) }
        guard let network = inventory.value.network(named: "default") else {
            if !users.isEmpty {
                return .fail(.missing, guests, evidence: evidence)
            }
            return .pass(.missingUnused, evidence: evidence)
        }
        evidence.append(Evidence(source: network.file, value: "forward mode \(network.forwardMode ?? "none (isolated)"), bridge \(network.bridge ?? "?"), autostart \(network.autostart ? "yes" : "no")" + (network.active.map { ", \($0 ? "active" : "inactive")" } ?? "")))
        if network.needsIPForwarding, let mode = network.forwardMode, let forward = context.optionalFact(Facts.sysctl("net.ipv4.ip_forward")), forward.value == "0" {
            evidence.append(Evidence(source: forward.sources.first ?? "", value: "0"))
            return .fail(.forwardingOff, ["mode": mode], evidence: evidence)
        }
        if network.active == false && !users.isEmpty {
            // The autostart steps apply too when the network would not come back after a reboot either.
            return .fail(.inactive, guests, evidence: evidence, tags: network.autostart ? [] : [Condition.notAutostart.rawValue])
        }
        if !network.autostart {
            return users.isEmpty ? .warn(.notAutostart, evidence: evidence) : .warn(.notAutostartUsed, guests, evidence: evidence)
        }
        return .pass(network.active == true ? .autostartsRunning : .autostarts, evidence: evidence)
    }

    static func live(_ snapshot: LibvirtSnapshot, _ context: EvaluationContext) -> Outcome<Condition> {
        let users = snapshot.domains.filter { $0.interfaces.contains { $0.type == "network" && $0.source == "default" } }.map(\.name)
        let guests = listVariables("guests", users)
        var evidence = [Evidence(source: "libvirt \(snapshot.uri)", value: snapshot.networks.map { "\($0.name) (\($0.active ? "active" : "inactive"), autostart \($0.autostart == true ? "yes" : "no"))" }.joined(separator: ", ").ifEmpty("no networks"))]
        if !users.isEmpty { evidence.append(Evidence(source: "libvirt \(snapshot.uri)", value: "guests using 'default': \(users.joined(separator: ", "))")) }
        guard let network = snapshot.networks.first(where: { $0.name == "default" }) else {
            return users.isEmpty ? .pass(.liveMissingUnused, evidence: evidence) : .fail(.liveMissing, guests, evidence: evidence)
        }
        if let mode = network.forwardMode, mode == "nat" || mode == "route",
           let forward = context.optionalFact(Facts.sysctl("net.ipv4.ip_forward")), forward.value == "0", network.active {
            evidence.append(Evidence(source: forward.sources.first ?? "", value: "0"))
            return .fail(.liveForwardingOff, ["mode": mode], evidence: evidence)
        }
        if !network.active && !users.isEmpty {
            return .fail(.liveInactive, guests, evidence: evidence)
        }
        if network.autostart == false {
            return users.isEmpty ? .warn(.liveNotAutostart, evidence: evidence) : .warn(.liveNotAutostartUsed, guests, evidence: evidence)
        }
        return .pass(network.active ? .liveRunning : .liveDefined, evidence: evidence)
    }
}

extension String {
    /// The text, or `replacement` where it is empty ("none" in an evidence line).
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
