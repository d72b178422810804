import DoctorCore
import HostFacts

/// kvm.modules-loaded: the generic kvm module and, on x86 and POWER, a vendor module that drives it.
enum KVMModulesLoaded: CheckEvaluator {
    static let id = "kvm.modules-loaded"

    enum Condition: String, CaseIterable {
        case loaded
        /// The listing lacks modules, but /dev/kvm answers (odd kernels): not a problem.
        case listingIncomplete = "listing-incomplete"
        case xenKernel = "xen-kernel"
        case noModuleSupport = "no-module-support"
        /// kvm is loaded, its vendor module (kvm_intel / kvm_amd) is not.
        case vendorNotLoaded = "vendor-not-loaded"
        /// Neither kvm nor the vendor module this CPU needs.
        case neitherLoaded = "neither-loaded"
        /// kvm is missing on an architecture where it needs no vendor module.
        case kvmNotLoaded = "kvm-not-loaded"
        /// POWER: kvm and kvm_pr (supervisor mode emulated in software) without kvm_hv, the module that uses
        /// the hardware hypervisor mode (virt-host-validate's "for PowerPC KVM module loaded").
        case powerHVMissing = "power-hv-missing"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.kernelModules)
        let modules = inventory.value
        let machine = context.optionalFact(Facts.machine)?.value ?? ""
        let cpuFamily = context.optionalFact(Facts.cpuInfo)?.value.family ?? "unknown"
        // uname -m decides where it is known (ppc64, ppc64le); cpuinfo's layout otherwise.
        let family = machine.hasPrefix("ppc") ? "ppc" : cpuFamily
        let present = (["kvm"] + KVMSupport.vendorModules).filter(modules.isPresent)
        let describe = present.map { name in
            modules.builtIn.contains(name) ? "\(name) (built in)" : name
        }
        var evidence = [Evidence(source: inventory.sources.joined(separator: ", "),
                                 value: present.isEmpty ? "no kvm modules" : describe.joined(separator: ", "))]
        if !modules.loadableModulesSupported {
            evidence.append(Evidence(source: "/proc/modules", value: "absent: this kernel has no loadable module support"))
        }
        let needsVendor = family == "x86" || family == "ppc"
        // On POWER only kvm_hv runs guests at hardware speed; kvm_pr alone is a fallback, not readiness.
        let vendorPresent = family == "ppc" ? modules.isPresent("kvm_hv")
                                            : KVMSupport.vendorModules.contains(where: modules.isPresent)
        if modules.isPresent("kvm") && (!needsVendor || vendorPresent) {
            return .pass(.loaded, ["modules": describe.joined(separator: ", ")], evidence: evidence)
        }
        if family == "ppc" && modules.isPresent("kvm") && modules.isPresent("kvm_pr") {
            if !machine.isEmpty { evidence.append(Evidence(source: "uname -m", value: machine)) }
            return .fail(.powerHVMissing, ["module": "kvm_hv"], evidence: evidence)
        }
        // Modules that are missing from the listing while /dev/kvm answers are not a problem (odd kernels).
        if let kvm = context.optionalFact(Facts.kvmAPI)?.value, kvm.usable {
            evidence.append(Evidence(source: "/dev/kvm", value: "KVM_GET_API_VERSION = \(kvm.apiVersion ?? 0)"))
            return .pass(.listingIncomplete, evidence: evidence)
        }
        if let xen = context.optionalFact(Facts.xen)?.value, xen.isDom0 {
            return .fail(.xenKernel, evidence: evidence)
        }
        let vendor = family == "ppc" ? "kvm_hv"
            : context.optionalFact(Facts.cpuInfo)?.value.virtualizationExtension == "svm" ? "kvm_amd" : "kvm_intel"
        let variables = ["module": vendor]
        if !modules.loadableModulesSupported {
            return .fail(.noModuleSupport, variables, evidence: evidence)
        }
        // kvm loaded without a vendor module where none is needed passed above, so these three are all.
        if modules.isPresent("kvm") { return .fail(.vendorNotLoaded, variables, evidence: evidence) }
        return .fail(needsVendor ? .neitherLoaded : .kvmNotLoaded, variables, evidence: evidence)
    }
}
