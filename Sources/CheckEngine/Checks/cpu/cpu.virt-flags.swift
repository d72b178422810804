import DoctorCore
import Foundation
import HostFacts

/// cpu.virt-flags: KVM needs vmx (Intel) or svm (AMD) on every logical CPU, unless /dev/kvm proves that
/// KVM works without them (nested or paravirtual KVM).
enum CPUVirtFlags: CheckEvaluator {
    static let id = "cpu.virt-flags"

    enum Condition: String, CaseIterable {
        case s390SIE = "s390-sie"
        /// Not x86: the flags do not exist there; kvm.device-usable decides.
        case notX86 = "not-x86"
        case present
        /// The flag is on some logical CPUs only.
        case uneven
        /// No flag, yet /dev/kvm answers. The sentence names the module that provides KVM when one is
        /// loaded and says so when this host is itself a virtual machine: one condition per combination.
        case worksUnflagged = "works-unflagged"
        case worksUnflaggedThroughModule = "works-unflagged-through-module"
        case worksUnflaggedInVM = "works-unflagged-in-vm"
        case worksUnflaggedThroughModuleInVM = "works-unflagged-through-module-in-vm"
        /// No flag, and only root may ask /dev/kvm whether KVM works anyway.
        case needsRoot = "needs-root"
        /// No flag, but the copied evidence lists /dev/kvm and never asked it (a sos report of a host with
        /// nested or paravirtual KVM looks exactly like this): unknown, not "cannot run".
        case nodeNotProbed = "node-not-probed"
        /// A virtual machine without nested virtualization; with or without the outer hypervisor's name.
        case guest
        case guestOnHypervisor = "guest-on-hypervisor"
        /// A Xen dom0 without the flag: paravirtualized guests only.
        case xen
        case absent
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let cpu = try context.fact(Facts.cpuInfo)
        var evidence = [Evidence(source: "/proc/cpuinfo", value: "flags: " + CPUSupport.describeFlags(cpu.value))]
        guard cpu.value.family == "x86" else {
            if cpu.value.family == "s390", cpu.value.hasAnywhere("sie") {
                return .pass(.s390SIE, evidence: evidence)
            }
            return .skip(.notX86, ["family": cpu.value.family], evidence: evidence)
        }
        let kvm = context.optionalFact(Facts.kvmAPI)?.value
        if let kvm, let version = kvm.apiVersion {
            evidence.append(Evidence(source: "/dev/kvm", value: "KVM_GET_API_VERSION = \(version)"))
        }
        if let flag = cpu.value.virtualizationExtension {
            let name = CPUSupport.extensionName(flag)
            let lacking = cpu.value.cpus(lacking: flag)
            if lacking.isEmpty {
                return .pass(.present, ["extension": name], evidence: evidence)
            }
            return .warn(.uneven, ["extension": name, "cpus": lacking.map(String.init).joined(separator: ", ")], evidence: evidence)
        }
        let guest = context.optionalFact(Facts.virtualMachine)?.value
        if let kvm, kvm.usable {
            let provider = kvmProvider(context)
            let inVM = guest?.isVirtualMachine == true
            let condition: Condition = switch (provider != nil, inVM) {
            case (false, false): .worksUnflagged
            case (true, false): .worksUnflaggedThroughModule
            case (false, true): .worksUnflaggedInVM
            case (true, true): .worksUnflaggedThroughModuleInVM
            }
            var variables = ["api": String(kvm.apiVersion ?? 0)]
            if let provider { variables["module"] = provider }
            return .pass(condition, variables, evidence: evidence)
        }
        if let kvm, kvm.errorNumber == EACCES || kvm.failure?.hasSuffix("Permission denied") == true {
            evidence.append(Evidence(source: "/dev/kvm", value: kvm.failure ?? "permission denied"))
            // KVM may well work (nested or paravirtual KVM hides the flags); only root can ask the device.
            return Outcome(.error, .needsRoot, evidence: evidence)
        }
        if case .failure(let error) = context.facts.sourced(Facts.kvmAPI), error.isUnknownFromEvidence,
           let node = context.optionalFact(Facts.kvmDevice)?.value, node.kind == .charDevice {
            evidence.append(Evidence(source: "/dev/kvm", value: "character device; " + error.description))
            return .skip(.nodeNotProbed, ["module": kvmProvider(context) ?? "no KVM vendor module seen", "reason": error.description], evidence: evidence)
        }
        if let guest, guest.isVirtualMachine {
            evidence.append(contentsOf: guest.evidence.map { Evidence(source: "virtualization", value: $0) })
            if let hypervisor = guest.hypervisorName {
                return .fail(.guestOnHypervisor, ["hypervisor": hypervisor], evidence: evidence)
            }
            return .fail(.guest, evidence: evidence)
        }
        if let xen = context.optionalFact(Facts.xen)?.value, xen.isDom0 {
            return .warn(.xen, evidence: evidence)
        }
        return .fail(.absent, evidence: evidence)
    }

    /// The module that gives this host KVM (kvm_pvm without VT, else the vendor module), when one is loaded
    /// or built in.
    static func kvmProvider(_ context: EvaluationContext) -> String? {
        let modules = context.optionalFact(Facts.kernelModules)?.value
        return ["kvm_pvm", "kvm_intel", "kvm_amd"].first { modules?.isPresent($0) == true }
    }
}
