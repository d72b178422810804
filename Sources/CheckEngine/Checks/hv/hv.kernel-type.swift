import DoctorCore
import HostFacts

/// hv.kernel-type: which hypervisor runs (Xen dom0, Xen guest, KVM, or none).
enum HVKernelType: CheckEvaluator {
    static let id = "hv.kernel-type"

    /// Every sentence may end by saying that this host is itself a virtual machine (`-in-vm`), naming the
    /// outer hypervisor when it is known (`-in-named-vm`); a KVM host also says whether nested
    /// virtualization is enabled for its own guests (`-nesting-enabled` / `-nesting-disabled`).
    enum Condition: String, CaseIterable {
        case xenDom0 = "xen-dom0"
        case xenDom0InVM = "xen-dom0-in-vm"
        case xenDom0InNamedVM = "xen-dom0-in-named-vm"
        case xenGuest = "xen-guest"
        case xenGuestInVM = "xen-guest-in-vm"
        case xenGuestInNamedVM = "xen-guest-in-named-vm"
        case kvm
        case kvmInVM = "kvm-in-vm"
        case kvmInNamedVM = "kvm-in-named-vm"
        case kvmNestingEnabled = "kvm-nesting-enabled"
        case kvmInVMNestingEnabled = "kvm-in-vm-nesting-enabled"
        case kvmInNamedVMNestingEnabled = "kvm-in-named-vm-nesting-enabled"
        case kvmNestingDisabled = "kvm-nesting-disabled"
        case kvmInVMNestingDisabled = "kvm-in-vm-nesting-disabled"
        case kvmInNamedVMNestingDisabled = "kvm-in-named-vm-nesting-disabled"
        /// Neither Xen nor KVM is active.
        case none
        case noneInVM = "none-in-vm"
        case noneInNamedVM = "none-in-named-vm"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        _ = try context.fact(Facts.kernelRelease)
        let classified = HVSupport.classify(context)
        let kind = classified.kind
        var evidence = classified.evidence
        let guest = context.optionalFact(Facts.virtualMachine)?.value
        var variables: [String: String] = [:]
        let isVM = guest?.isVirtualMachine == true
        if isVM, let name = guest?.hypervisorName { variables["hypervisor"] = name }
        /// The variant of a sentence for a host that is, or is not, itself a virtual machine.
        func nested(_ plain: Condition, _ inVM: Condition, _ inNamedVM: Condition) -> Condition {
            guard isVM else { return plain }
            return variables["hypervisor"] == nil ? inVM : inNamedVM
        }
        switch kind {
        case .xenDom0:
            return .pass(nested(.xenDom0, .xenDom0InVM, .xenDom0InNamedVM), variables, evidence: evidence)
        case .xenGuest:
            return .pass(nested(.xenGuest, .xenGuestInVM, .xenGuestInNamedVM), variables, evidence: evidence)
        case .kvm:
            var condition = nested(.kvm, .kvmInVM, .kvmInNamedVM)
            if let parameters = context.optionalFact(Facts.nestedVirtualization) {
                let enabled = parameters.value.values.contains { ["Y", "1"].contains($0) }
                condition = enabled
                    ? nested(.kvmNestingEnabled, .kvmInVMNestingEnabled, .kvmInNamedVMNestingEnabled)
                    : nested(.kvmNestingDisabled, .kvmInVMNestingDisabled, .kvmInNamedVMNestingDisabled)
                evidence += parameters.value.sorted { $0.key < $1.key }.map { Evidence(source: "/sys/module/\($0.key)/parameters/nested", value: $0.value) }
            }
            return .pass(condition, variables, evidence: evidence)
        case .none:
            return .warn(nested(.none, .noneInVM, .noneInNamedVM), variables, evidence: evidence)
        }
    }
}
