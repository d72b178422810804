import DoctorCore
import HostFacts

/// pvdrv.pci-slots: guests on the i440fx ('pc') machine close to the 28 PCI slots bus 0 offers for
/// devices; every virtio disk or NIC and every assigned host device takes one.
enum PVDrvPCISlots: CheckEvaluator {
    static let id = "pvdrv.pci-slots"

    enum Condition: String, CaseIterable {
        case noGuests = "no-guests"
        /// No guest uses a machine type with the flat 32-slot bus (all q35, or not KVM/QEMU).
        case noI440fx = "no-i440fx"
        case within
        case nearLimit = "near-limit"
    }

    /// Slots of bus 0 a guest can fill: 32 less the host bridge, the PIIX functions, and the VGA slot.
    static let usableSlots = 28
    static let warnAt = 26

    /// i440fx machine types: `pc`, `pc-i440fx-*`, `pc-0.x`/`pc-1.x`, `rhel6.x.0` (the old RHEL names).
    static func isI440fx(_ machine: String?) -> Bool {
        guard let machine else { return true }  // libvirt's x86 default before q35 became one
        return machine == "pc" || machine.hasPrefix("pc-i440fx") || machine.hasPrefix("pc-0.") || machine.hasPrefix("pc-1.")
            || machine.hasPrefix("rhel")
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.guestDefinitions).value
        var evidence = GuestDefinitionSupport.unreadableEvidence(inventory)
        let candidates = inventory.guests.filter { $0.format == "libvirt" && ($0.hypervisor == "kvm" || $0.hypervisor == "qemu") }
        guard !inventory.guests.isEmpty else { return .pass(.noGuests, evidence: evidence) }
        let flat = candidates.filter { isI440fx($0.machine) }
        guard !flat.isEmpty else { return .pass(.noI440fx, ["count": String(candidates.count)], evidence: evidence) }
        let usage = flat.map { ($0, CheckedNumbers.saturatingAdd($0.pciDevices, $0.unaddressedPCIDevices)) }.sorted { $0.1 > $1.1 }
        for (guest, used) in usage {
            evidence.append(Evidence(source: guest.file, value: "\(guest.name): machine \(guest.machine ?? "(default)"), \(used) PCI slots on bus 0 in use"
                                     + (guest.unaddressedPCIDevices > 0 ? " (\(guest.unaddressedPCIDevices) devices not yet given an address counted too)" : "")))
        }
        let crowded = usage.filter { $0.1 >= warnAt }
        if !crowded.isEmpty {
            var variables = ["guests": crowded.map { "\($0.0.name) (\($0.1) of \(usableSlots))" }.joined(separator: ", ")]
            variables["guest"] = crowded[0].0.name
            return .warn(.nearLimit, variables, evidence: evidence)
        }
        let top = usage[0]
        return .pass(.within, ["guest": top.0.name, "used": String(top.1), "limit": String(usableSlots), "count": String(flat.count)], evidence: evidence)
    }
}
