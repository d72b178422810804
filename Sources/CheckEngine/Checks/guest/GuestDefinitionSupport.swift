import DoctorCore
import HostFacts

/// What the host-side guest checks of issue 12 share: the guest definitions and their evidence lines.
enum GuestDefinitionSupport {
    /// One evidence line per definition file that could not be read.
    static func unreadableEvidence(_ inventory: GuestDefinitions) -> [Evidence] {
        inventory.unreadable.sorted { $0.key < $1.key }.map { Evidence(source: $0.key, value: "unreadable", note: $0.value) }
    }

    /// "web01 (kvm, /etc/libvirt/qemu/web01.xml)"
    static func describe(_ guest: GuestDefinition) -> String {
        var kind = guest.hypervisor.isEmpty ? "no type" : guest.hypervisor
        if guest.paravirtualized { kind += " paravirtualized" }
        return "\(guest.name) (\(kind))"
    }
}
