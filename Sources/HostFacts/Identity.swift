import DoctorCore
import Foundation

/// Xen's fingerprints. `/proc/xen/capabilities` says `control_d` only in dom0.
public struct XenState: Codable, Sendable, Equatable {
    public var sysHypervisorType: String?
    public var capabilities: String?
    public var procXenPresent = false

    public var isDom0: Bool { capabilities?.contains("control_d") == true }
    public var isXenDomain: Bool { sysHypervisorType == "xen" || procXenPresent || capabilities != nil }
}

/// Signs that this system is a virtual machine or a container. Issue-level detail (vendor from CPUID,
/// virt-what identifiers) builds on this; the host checks need to know "am I a guest, and of what".
public struct GuestSignals: Codable, Sendable, Equatable {
    public var isVirtualMachine: Bool
    public var hypervisorVendor: String?
    public var container: String?
    public var evidence: [String]

    static let dmiVendors: [(String, String)] = [
        ("qemu", "QEMU/KVM"), ("kvm", "KVM"), ("red hat", "KVM (Red Hat)"), ("ovirt", "KVM (oVirt)"),
        ("vmware", "VMware"), ("virtualbox", "VirtualBox"), ("innotek", "VirtualBox"), ("xen", "Xen"),
        ("microsoft corporation", "Hyper-V"), ("bochs", "Bochs"), ("parallels", "Parallels"),
        ("amazon ec2", "AWS Nitro (KVM)"), ("google", "Google Compute Engine (KVM)"), ("bhyve", "bhyve"),
        ("nutanix", "Nutanix AHV (KVM)"), ("openstack", "OpenStack (KVM)"),
    ]

    static func gather(_ store: FactStore) -> Sourced<GuestSignals> {
        let root = store.root
        var signals = GuestSignals(isVirtualMachine: false, hypervisorVendor: nil, container: nil, evidence: [])
        var sources: [String] = []
        if let cpu = try? store.get(Facts.cpuInfo), cpu.hasAnywhere("hypervisor") {
            signals.isVirtualMachine = true
            signals.evidence.append("/proc/cpuinfo: the 'hypervisor' flag is set (the CPU says it runs under a hypervisor)")
            sources.append("/proc/cpuinfo")
        }
        if let xen = try? store.get(Facts.xen), xen.isXenDomain, !xen.isDom0 {
            signals.isVirtualMachine = true
            signals.hypervisorVendor = "Xen"
            signals.evidence.append("/sys/hypervisor/type or /proc/xen: a Xen domain that is not dom0")
            sources.append("/sys/hypervisor/type")
        }
        for file in ["sys_vendor", "product_name", "bios_vendor"] {
            let path = "/sys/class/dmi/id/\(file)"
            guard let value = (try? root.readText(path)).map({ TextChecks.trimmed($0) }), !value.isEmpty else { continue }
            let lower = value.lowercased()
            // Amazon's bare-metal instances carry "Amazon EC2" in DMI too; only count it with "metal" absent.
            if let match = dmiVendors.first(where: { lower.contains($0.0) }), !lower.contains("metal") {
                if signals.hypervisorVendor == nil { signals.hypervisorVendor = match.1 }
                signals.isVirtualMachine = true
                signals.evidence.append("\(path): \(value)")
                sources.append(path)
            }
        }
        if root.exists("/.dockerenv") {
            signals.container = "docker"
            signals.evidence.append("/.dockerenv exists")
        } else if root.exists("/run/.containerenv") {
            signals.container = "podman"
            signals.evidence.append("/run/.containerenv exists")
        } else if let environ = try? root.readBytes("/proc/1/environ", limit: 1 << 20) {
            let entries = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let entry = entries.first(where: { $0.hasPrefix("container=") }) {
                signals.container = String(entry.dropFirst("container=".count))
                signals.evidence.append("/proc/1/environ: \(entry)")
            }
        }
        return Sourced(signals, sources: sources)
    }
}

/// The clocksource the kernel keeps time with. Guests should use the hypervisor's (kvm-clock, xen,
/// hyperv_clocksource_tsc_page) or a stable tsc.
public struct Clocksource: Codable, Sendable, Equatable {
    public var current: String
    public var available: [String]
}
