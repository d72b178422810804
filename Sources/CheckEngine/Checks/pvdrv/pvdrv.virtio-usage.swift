import DoctorCore
import HostFacts

/// pvdrv.virtio-usage: a guest's NICs and disks use the paravirtual drivers its hypervisor offers, not
/// emulated hardware.
enum PVDrvVirtioUsage: CheckEvaluator {
    static let id = "pvdrv.virtio-usage"

    enum Condition: String, CaseIterable {
        case notAVM = "not-a-vm"
        /// A hypervisor this check has no driver list for: `{hypervisor}` names it.
        case noExpectations = "no-expectations"
        /// As above, for a hypervisor without a name.
        case unknownHypervisor = "unknown-hypervisor"
        case noDevices = "no-devices"
        /// `{problems}` joins the fragments below, in the order the devices were met.
        case emulated
        case paravirtual
        case emulatedNIC = "emulated-nic"
        case emulatedDisk = "emulated-disk"
        case unboundVirtio = "unbound-virtio"
    }

    /// The remediation step for each hypervisor family.
    static let tags = ["virtio", "xen", "hyperv", "vmware"]

    /// Drivers that mean "paravirtual" and "emulated" per hypervisor vendor (lscpu names).
    struct DriverExpectation {
        var paravirtualNIC: Set<String>
        var paravirtualDisk: Set<String>
        var emulated: Set<String>
        /// The tag of the remediation step.
        var install: String
    }

    static let expectations: [String: DriverExpectation] = [
        "KVM": .init(paravirtualNIC: ["virtio_net"], paravirtualDisk: ["virtio_blk", "virtio_scsi"],
                     emulated: ["e1000", "e1000e", "8139cp", "8139too", "ne2k-pci", "pcnet32", "ata_piix", "ahci", "ata_generic", "sym53c8xx", "megaraid_sas"],
                     install: "virtio"),
        "QEMU": .init(paravirtualNIC: ["virtio_net"], paravirtualDisk: ["virtio_blk", "virtio_scsi"],
                      emulated: ["e1000", "e1000e", "8139cp", "8139too", "ne2k-pci", "pcnet32", "ata_piix", "ahci", "ata_generic"],
                      install: "virtio"),
        "Xen": .init(paravirtualNIC: ["vif"], paravirtualDisk: ["vbd"],
                     emulated: ["8139cp", "8139too", "e1000", "ne2k-pci", "ata_piix", "ata_generic"], install: "xen"),
        "Microsoft": .init(paravirtualNIC: ["hv_netvsc"], paravirtualDisk: ["hv_storvsc"],
                           emulated: ["tulip", "de2104x", "ata_piix", "ata_generic"], install: "hyperv"),
        "VMware": .init(paravirtualNIC: ["vmxnet3"], paravirtualDisk: ["vmw_pvscsi"],
                        emulated: ["e1000", "e1000e", "pcnet32", "vmxnet", "mptspi", "mptsas", "ata_piix", "ahci"], install: "vmware"),
    ]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine, let vendor = report.hypervisorVendor, let expected = expectations[vendor] else {
            guard report.virtualMachine else { return .skip(.notAVM) }
            guard let name = report.hypervisorName else { return .skip(.unknownHypervisor) }
            return .skip(.noExpectations, ["hypervisor": name])
        }
        let devices = try context.fact(Facts.guestDevices).value
        var evidence: [Evidence] = []
        var emulated: [String] = []
        let kinds: [(label: String, devices: [DeviceWithDrivers], paravirtual: Set<String>, fragment: Condition)] = [
            ("NIC", devices.nics, expected.paravirtualNIC, .emulatedNIC),
            ("disk", devices.disks, expected.paravirtualDisk, .emulatedDisk),
        ]
        for kind in kinds {
            for device in kind.devices {
                evidence.append(Evidence(source: device.sysfsPath, value: "\(kind.label) \(device.name): \(device.drivers.isEmpty ? "no driver" : device.drivers.joined(separator: " <- "))"))
                if device.drivers.contains(where: kind.paravirtual.contains) { continue }
                if let driver = device.drivers.first(where: expected.emulated.contains) {
                    emulated.append(context.fragment(kind.fragment, ["device": device.name, "driver": driver]))
                }
            }
        }
        // The PCI inventory catches paravirtual devices the guest has no driver for at all.
        if let pci = context.optionalFact(Facts.pci)?.value, vendor == "KVM" || vendor == "QEMU" {
            let unbound = pci.devices.filter { $0.vendorID == "1af4" && $0.driver == nil }
            for device in unbound {
                evidence.append(Evidence(source: "PCI \(device.address)", value: "\(device.deviceName ?? "virtio device \(device.deviceID)") without a driver"))
                emulated.append(context.fragment(Condition.unboundVirtio, ["address": device.address]))
            }
        }
        guard !devices.nics.isEmpty || !devices.disks.isEmpty else {
            return .skip(.noDevices, evidence: evidence)
        }
        let hypervisor = report.hypervisorName ?? vendor
        if !emulated.isEmpty {
            return .warn(.emulated, ["hypervisor": hypervisor, "problems": emulated.joined(separator: "; ")],
                         evidence: evidence, tags: [expected.install])
        }
        return .pass(.paravirtual, ["hypervisor": hypervisor], evidence: evidence)
    }
}
