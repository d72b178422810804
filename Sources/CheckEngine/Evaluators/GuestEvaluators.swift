import DoctorCore
import Foundation
import HostFacts

/// Guest-side judgement: what a guest on a given hypervisor needs.
enum GuestEvaluators {
    /// Drivers that mean "paravirtual" and "emulated" per hypervisor vendor (lscpu names).
    struct DriverExpectation {
        var paravirtualNIC: Set<String>
        var paravirtualDisk: Set<String>
        var emulated: Set<String>
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

    static func describe(_ report: VirtualizationReport) -> String {
        var parts: [String] = []
        if report.virtualMachine {
            parts.append("a \(report.hypervisorName ?? "virtual machine") guest (\(report.virtualizationType == "para" ? "paravirtualized" : "full virtualization"))")
        }
        if let container = report.container { parts.append("inside a \(container) container") }
        if let host = report.hypervisorHost { parts.append("a hypervisor host (\(host))") }
        return parts.isEmpty ? "bare metal: no hypervisor or container found" : parts.joined(separator: ", ")
    }

    static let virtualizationType: Evaluator = { context throws(FactError) in
        let report = try GuestSupport.detection(context)
        var evidence = report.conclusions.map { Evidence(source: $0.source, value: $0.value, note: "-> \($0.identifier)") }
        evidence += report.reasoning.map { Evidence(source: "vendor and type", value: $0) }
        evidence += report.limitations.map { Evidence(source: "not readable", value: $0) }
        let identifiers = report.identifiers.isEmpty ? "nothing (bare metal)" : report.identifiers.joined(separator: ", ")
        var summary = "This system is \(describe(report)). virt-what would print: \(identifiers)."
        if !report.limitations.isEmpty {
            // Unreadable evidence can hide a container or a hypervisor: say the answer may be incomplete.
            summary += " Some evidence could not be read (\(report.limitations.count) file\(report.limitations.count == 1 ? "" : "s")), so the answer may be incomplete."
        }
        if context.profile == .guest || !report.virtualMachine {
            return .pass(summary, evidence: evidence)
        }
        // A hypervisor host that is itself a guest: every guest it runs is nested.
        return Observation(.warn, summary + " Guests started here are nested: slower, and dependent on the outer host exposing virtualization (nested) and on its capacity.",
                           evidence: evidence, conditions: ["nested"])
    }

    static let paravirtualDrivers: Evaluator = { context throws(FactError) in
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine, let vendor = report.hypervisorVendor, let expected = expectations[vendor] else {
            return .skip(report.virtualMachine
                         ? "No driver expectations for \(report.hypervisorName ?? "this hypervisor")."
                         : "Not a virtual machine: there are no paravirtual drivers to use.")
        }
        let devices = try context.fact(Facts.guestDevices).value
        var evidence: [Evidence] = []
        var emulated: [String] = []
        for (kind, list, paravirtual) in [("NIC", devices.nics, expected.paravirtualNIC), ("disk", devices.disks, expected.paravirtualDisk)] {
            for device in list {
                evidence.append(Evidence(source: device.sysfsPath, value: "\(kind) \(device.name): \(device.drivers.isEmpty ? "no driver" : device.drivers.joined(separator: " <- "))"))
                if device.drivers.contains(where: paravirtual.contains) { continue }
                if let driver = device.drivers.first(where: expected.emulated.contains) {
                    emulated.append("\(kind) \(device.name) uses the emulated \(driver) driver")
                }
            }
        }
        // The PCI inventory catches paravirtual devices the guest has no driver for at all.
        if let pci = context.optionalFact(Facts.pci)?.value, vendor == "KVM" || vendor == "QEMU" {
            let unbound = pci.devices.filter { $0.vendorID == "1af4" && $0.driver == nil }
            for device in unbound {
                evidence.append(Evidence(source: "PCI \(device.address)", value: "\(device.deviceName ?? "virtio device \(device.deviceID)") without a driver"))
                emulated.append("the virtio device at \(device.address) has no driver bound")
            }
        }
        guard !devices.nics.isEmpty || !devices.disks.isEmpty else {
            return .skip("No network interfaces or disks with drivers are visible (a container sees the host's sysfs only partly).", evidence: evidence)
        }
        if !emulated.isEmpty {
            return Observation(.warn, "\(report.hypervisorName ?? vendor) offers paravirtual devices, but " + emulated.joined(separator: "; ") + ": emulated hardware costs CPU on the host and is several times slower.",
                               evidence: evidence, conditions: [expected.install])
        }
        return .pass("Every NIC and disk uses \(report.hypervisorName ?? vendor)'s paravirtual drivers.", evidence: evidence)
    }
}
