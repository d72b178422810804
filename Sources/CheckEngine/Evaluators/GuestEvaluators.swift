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

    static let clocksource: Evaluator = { context throws(FactError) in
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine else { return .skip("Not a virtual machine.") }
        let source = try context.fact(Facts.clocksource).value
        let vendor = report.hypervisorName ?? "the hypervisor"
        let good: Set<String> = ["kvm-clock", "xen", "hyperv_clocksource_tsc_page", "hyperv_clocksource_msr", "arch_sys_counter", "timebase", "tod", "riscv_clocksource"]
        var evidence = [Evidence(source: "/sys/devices/system/clocksource/clocksource0/current_clocksource", value: source.current),
                        Evidence(source: "/sys/devices/system/clocksource/clocksource0/available_clocksource", value: source.available.joined(separator: " "))]
        if good.contains(source.current) {
            return .pass("The clock uses \(source.current), the paravirtual clock \(vendor) provides.", evidence: evidence)
        }
        if source.current == "tsc" {
            // A stable, invariant TSC is fine (VMware recommends it); an unstable one is what the watchdog catches.
            let cpu = context.optionalFact(Facts.cpuInfo)?.value
            let invariant = cpu.map { $0.hasEverywhere("constant_tsc") && $0.hasEverywhere("nonstop_tsc") } ?? false
            let unstable = context.optionalFact(Facts.kernelLog)?.value.contains("tsc unstable") ?? []
            if let line = unstable.first { evidence.append(Evidence(source: "kernel log", value: line)) }
            if invariant && unstable.isEmpty {
                return .pass("The clock uses an invariant TSC (constant_tsc, nonstop_tsc), which is as good as the paravirtual clock.", evidence: evidence)
            }
        }
        let better = source.available.first(where: good.contains)
        return Observation(.warn, "The clock uses \(source.current), not the paravirtual clock of \(vendor)" + (better.map { " (\($0) is available)" } ?? "") + ": guest time drifts and timer interrupts cost more.",
                           evidence: evidence, conditions: better == nil ? ["no-pv-clock"] : ["switch"],
                           variables: ["clocksource": better ?? "kvm-clock"])
    }

    static let timeSynchronization: Evaluator = { context throws(FactError) in
        if let signals = context.optionalFact(Facts.virtualMachine)?.value, let container = signals.container {
            return .skip("Inside a \(container) container the clock belongs to the host; check time synchronisation there.")
        }
        let sync = try context.fact(Facts.timeSync).value
        var evidence = [Evidence(source: "/proc/*/comm", value: sync.running.isEmpty ? "no time service running" : "running: " + sync.running.joined(separator: ", ")),
                        Evidence(source: "configuration", value: sync.configured.isEmpty ? "no time service configured" : "configured: " + sync.configured.joined(separator: ", "))]
        if let synchronized = sync.kernelSynchronized {
            evidence.append(Evidence(source: sync.synchronizedSource ?? "kernel", value: synchronized ? "clock synchronised" : "clock not synchronised (STA_UNSYNC)"))
        }
        if sync.running.isEmpty {
            return Observation(.warn, "No time service (chronyd, ntpd, systemd-timesyncd) is running: the clock drifts, which breaks certificates, logs correlation and migration.",
                               evidence: evidence, conditions: ["none"])
        }
        if sync.kernelSynchronized == false {
            return Observation(.warn, "\(sync.running.joined(separator: ", ")) is running but the kernel reports the clock as not synchronised: the time sources are unreachable or rejected.",
                               evidence: evidence, conditions: ["unsynchronized"])
        }
        return .pass("\(sync.running.joined(separator: ", ")) keeps the clock" + (sync.kernelSynchronized == true ? " and it is synchronised." : "."), evidence: evidence)
    }

    /// Extra kernel parameters the RHEL 5 era guides prescribe for KVM guests without the PV clock.
    static let kernelTimingParameters: Evaluator = { context throws(FactError) in
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine, report.hypervisorVendor == "KVM" else { return .skip("The table applies to KVM guests only.") }
        let release = try context.fact(Facts.osRelease).value
        let family = (release.idLike + [release.id ?? ""]).contains { ["rhel", "centos", "fedora"].contains($0) }
        guard family, let version = release.versionID.flatMap({ Double($0.split(separator: ".").prefix(2).joined(separator: ".")) }) else {
            return .pass("\(release.prettyName ?? "This distribution") is not a RHEL 3-5 family guest: current kernels use kvm-clock and need no extra timing parameters.")
        }
        guard version < 6 else {
            return .pass("\(release.prettyName ?? "RHEL \(version)") uses kvm-clock automatically; no extra timing parameters are needed.")
        }
        let arch = (try? context.fact(Facts.machine).value) ?? "x86_64"
        let is64 = arch == "x86_64"
        let pvClock = context.optionalFact(Facts.clocksource)?.value.current == "kvm-clock"
        let needed: [String]
        switch version {
        case 5.4...: needed = pvClock ? [] : (is64 ? ["divider=10", "notsc", "lpj="] : ["divider=10", "clocksource=acpi_pm", "lpj="])
        case 5.3..<5.4: needed = is64 ? ["divider=10", "notsc"] : ["divider=10", "clocksource=acpi_pm"]
        case 4.8..<5.0: needed = is64 ? ["notsc", "divider=10"] : ["clock=pmtmr", "divider=10"]
        default: needed = []
        }
        let cmdline = try context.fact(Facts.kernelCommandLine).value
        let missing = needed.filter { parameter in !cmdline.contains { $0 == parameter || (parameter.hasSuffix("=") && $0.hasPrefix(parameter)) } }
        let evidence = [Evidence(source: "/proc/cmdline", value: cmdline.joined(separator: " ")),
                        Evidence(source: "os release", value: "\(release.prettyName ?? "") (\(arch))")]
        if missing.isEmpty {
            return .pass(needed.isEmpty ? "This guest needs no extra timing parameters." : "The timing parameters this guest needs are set: \(needed.joined(separator: " ")).", evidence: evidence)
        }
        return Observation(.warn, "This RHEL \(release.versionID ?? "") \(arch) guest keeps time without the paravirtual clock and lacks kernel parameters: \(missing.joined(separator: " ")) (lpj= is the loops-per-jiffy value from the boot log).",
                           evidence: evidence, conditions: ["missing"], variables: ["parameters": missing.map { $0 == "lpj=" ? "lpj=<n>" : $0 }.joined(separator: " ")])
    }
}
