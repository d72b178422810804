import DoctorCore
import HostFacts

/// dom.autostart: which guests start when the host (libvirt or xendomains) starts, whether they fit in the
/// host's memory together, and autostart links left behind by guests that no longer exist.
enum DomAutostart: CheckEvaluator {
    static let id = "dom.autostart"

    enum Condition: String, CaseIterable {
        case noGuests = "no-guests"
        case noAutostart = "none"
        case listed
        case overcommitted
        case dangling
    }

    static func gib(_ kib: Int) -> String {
        // Tenths of a GiB, rounded to the nearest.
        let tenths = CheckedNumbers.saturatingAdd(CheckedNumbers.saturatingMultiply(kib, 10), 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.guestDefinitions)
        var evidence = GuestDefinitionSupport.unreadableEvidence(inventory.value)
        var autostart = inventory.value.autostart
        var source = inventory.sources.map { "\($0)/autostart" }.joined(separator: ", ").replacingOccurrences(of: "/etc/xen/autostart", with: "/etc/xen/auto")
        // A running libvirt knows its own flags; the links are the fallback.
        if let snapshot = context.optionalFact(Facts.libvirt)?.value, snapshot.domains.contains(where: { $0.autostart != nil }) {
            autostart = snapshot.domains.filter { $0.autostart == true }.map(\.name)
                + inventory.value.autostart.filter { name in inventory.value.guest(named: name)?.format == "xen-config" }
            source = "libvirt \(snapshot.uri)"
        }
        evidence.append(Evidence(source: source, value: autostart.isEmpty ? "no guest is marked to autostart" : "autostart: \(autostart.joined(separator: ", "))"))
        if !inventory.value.danglingAutostart.isEmpty {
            evidence.append(Evidence(source: "autostart links", value: "without a definition: \(inventory.value.danglingAutostart.joined(separator: ", "))"))
            var variables = listVariables("links", inventory.value.danglingAutostart)
            variables["guests"] = autostart.joined(separator: ", ")
            return .warn(.dangling, variables, evidence: evidence)
        }
        guard !inventory.value.guests.isEmpty else { return .pass(.noGuests, evidence: evidence) }
        guard !autostart.isEmpty else { return .pass(.noAutostart, ["count": String(inventory.value.guests.count)], evidence: evidence) }
        var variables = listVariables("guests", autostart)
        // Memory each autostarted libvirt guest is given, against the host's RAM.
        if let memory = context.optionalFact(Facts.memory)?.value, memory.memTotalKiB > 0,
           let domains = context.optionalFact(Facts.libvirtDomains)?.value.domains {
            let sizes = autostart.compactMap { name in domains.first { $0.name == name }?.memoryKiB }
            let total = CheckedNumbers.saturatingSum(sizes)
            evidence.append(Evidence(source: "/etc/libvirt/qemu, /proc/meminfo", value: "autostarted guests \(gib(total)) GiB, host RAM \(gib(memory.memTotalKiB)) GiB"))
            variables["need"] = gib(total)
            variables["ram"] = gib(memory.memTotalKiB)
            if total > memory.memTotalKiB {
                return .warn(.overcommitted, variables, evidence: evidence)
            }
        }
        return .pass(.listed, variables, evidence: evidence)
    }
}
