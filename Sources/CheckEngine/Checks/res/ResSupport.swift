import DoctorCore
import HostFacts

/// The guests as the resource checks (and sec.vnc-listen) see them: from live libvirt, or from the
/// definition files with autostarted guests counted as running.
enum LibvirtGuests {
    struct Guest {
        var name: String
        var running: Bool
        var vcpus: Int
        var memoryKiB: Int
        var graphics: [(type: String, listen: String?, passwordSet: Bool)]
    }

    /// Live libvirt when it answers; otherwise the definitions, counting autostarted guests as running.
    /// `source` is evidence text naming where the guests came from.
    static func load(_ context: EvaluationContext) throws(FactError) -> (guests: [Guest], source: String, live: Bool) {
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            return (snapshot.domains.map { Guest(name: $0.name, running: $0.state == "running" || $0.state == "paused" || $0.state == "blocked",
                                                  vcpus: $0.vcpus, memoryKiB: $0.memoryKiB,
                                                  graphics: $0.graphics.map { ($0.type, $0.listen, $0.passwordSet) }) },
                    "libvirt \(snapshot.uri)", true)
        }
        let inventory = try context.fact(Facts.libvirtDomains).value
        return (inventory.domains.map { Guest(name: $0.name, running: inventory.autostart.contains($0.name), vcpus: $0.vcpus,
                                              memoryKiB: $0.memoryKiB, graphics: $0.graphics.map { ($0.type, $0.listen, $0.passwordSet) }) },
                "/etc/libvirt (autostarted guests counted as running)", false)
    }
}
