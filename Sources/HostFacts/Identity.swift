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

/// The short answer the host checks need ("am I a guest, and of what"), taken from the full detection.
public struct GuestSignals: Codable, Sendable, Equatable {
    public var isVirtualMachine: Bool
    public var hypervisorVendor: String?
    public var container: String?
    public var evidence: [String]
    /// A confidential guest's technology as virt-what-cvm names it (amd-sev-snp, intel-tdx ...).
    public var confidential: String?

    public var hypervisorName: String? { hypervisorVendor.map(VirtualizationReport.displayName) }
    /// The confidential-computing technology as people write it ("AMD SEV-SNP").
    public var confidentialName: String? { confidential.map(ConfidentialGuest.displayName) }

    static func gather(_ store: FactStore) throws(FactError) -> Sourced<GuestSignals> {
        let detection = try store.sourced(Facts.virtualization).get()
        let report = detection.value
        var evidence = report.conclusions.map { "\($0.source): \($0.value) -> \($0.identifier)" }
        evidence += report.reasoning
        // The cpuinfo flag says "some hypervisor" even when nothing names it.
        var isVM = report.virtualMachine
        if !isVM, report.hypervisorHost == nil, let cpu = try? store.get(Facts.cpuInfo), cpu.hasAnywhere("hypervisor") {
            isVM = true
            evidence.append("/proc/cpuinfo: the 'hypervisor' flag is set")
        }
        return Sourced(GuestSignals(isVirtualMachine: isVM, hypervisorVendor: report.hypervisorVendor,
                                    container: report.container, evidence: evidence, confidential: report.confidential),
                       sources: detection.sources)
    }
}

/// The clocksource the kernel keeps time with. Guests should use the hypervisor's (kvm-clock, xen,
/// hyperv_clocksource_tsc_page) or a stable tsc.
public struct Clocksource: Codable, Sendable, Equatable {
    public var current: String
    public var available: [String]
}
