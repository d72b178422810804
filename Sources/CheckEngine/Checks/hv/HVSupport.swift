import DoctorCore
import HostFacts

/// Which hypervisor a host runs, for hv.kernel-type and hv.grub-default.
enum HVSupport {
    enum Hypervisor { case xenDom0, xenGuest, kvm, none }

    /// The hypervisor a host runs: Xen (dom0), KVM (standard kernel with KVM), or none.
    static func classify(_ context: EvaluationContext) -> (kind: Hypervisor, evidence: [Evidence]) {
        var evidence: [Evidence] = []
        let release = context.optionalFact(Facts.kernelRelease)
        if let release { evidence.append(Evidence(source: release.sources.joined(separator: ", "), value: release.value)) }
        let xen = context.optionalFact(Facts.xen)
        if let xen {
            if let type = xen.value.sysHypervisorType { evidence.append(Evidence(source: "/sys/hypervisor/type", value: type)) }
            if let capabilities = xen.value.capabilities { evidence.append(Evidence(source: "/proc/xen/capabilities", value: capabilities.isEmpty ? "(empty)" : capabilities)) }
        }
        if xen?.value.isDom0 == true { return (.xenDom0, evidence) }
        if xen?.value.isXenDomain == true { return (.xenGuest, evidence) }
        if release?.value.hasSuffix("xen") == true { return (.xenDom0, evidence) }
        let modules = context.optionalFact(Facts.kernelModules)?.value
        let kvmUsable = context.optionalFact(Facts.kvmAPI)?.value.usable == true
        // The generic kvm module alone runs nothing; a vendor module or a device node must be there too.
        let vendorLoaded = KVMSupport.vendorModules.contains { modules?.isPresent($0) == true }
        let family = context.optionalFact(Facts.cpuInfo)?.value.family
        let genericSuffices = family != nil && family != "x86" && family != "ppc" && modules?.isPresent("kvm") == true
        if kvmUsable || vendorLoaded || genericSuffices || (try? context.root.captured("/dev/kvm")) == true {
            if let modules {
                evidence.append(Evidence(source: "kernel modules", value: (["kvm"] + KVMSupport.vendorModules).filter(modules.isPresent).joined(separator: ", ")))
            }
            return (.kvm, evidence)
        }
        return (.none, evidence)
    }
}
