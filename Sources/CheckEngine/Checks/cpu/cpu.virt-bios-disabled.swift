import DoctorCore
import HostFacts

/// cpu.virt-bios-disabled: the firmware can keep VT-x / AMD-V switched off although the CPU has it; the
/// kernel log says so, and without the log the other signals are weighed.
enum CPUVirtBIOSDisabled: CheckEvaluator {
    static let id = "cpu.virt-bios-disabled"

    /// Messages the kernel prints when firmware keeps VT-x / AMD-V switched off.
    static let firmwareDisabledMessages = [
        "disabled by bios", "vmx not enabled (by bios)", "svm disabled (by bios)", "svm disabled by bios",
        "vmx disabled by bios",
    ]

    enum Condition: String, CaseIterable {
        case notX86 = "not-x86"
        /// The kernel logged that the firmware disabled virtualization.
        case biosDisabled = "bios-disabled"
        case kvmAnswers = "kvm-answers"
        /// kvm_intel or kvm_amd is loaded: those modules refuse to load while the firmware keeps VT off.
        case vendorModuleLoaded = "vendor-module-loaded"
        /// Xen dom0 (no /dev/kvm by design): the CPU flag is the remaining signal.
        case xenFlagPresent = "xen-flag-present"
        case xenBIOSSuspected = "xen-bios-suspected"
        case virtualMachine = "virtual-machine"
        /// The kernel log could not be read; the CPU flag leans one way or the other.
        case logUnreadableFlagPresent = "log-unreadable-flag-present"
        case logUnreadableNoFlag = "log-unreadable-no-flag"
        /// The log has no firmware message and the CPU has no flag: the processor lacks the extensions.
        case cpuLacksExtensions = "cpu-lacks-extensions"
        /// Flag listed, no firmware message, but /dev/kvm missing on a kernel that loads modules.
        case moduleRefuses = "module-refuses"
        case noBlock = "no-block"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let cpu = try context.fact(Facts.cpuInfo)
        guard cpu.value.family == "x86" else {
            return .skip(.notX86, ["family": cpu.value.family])
        }
        var evidence = [Evidence(source: "/proc/cpuinfo", value: "flags: " + CPUSupport.describeFlags(cpu.value))]
        let logResult = context.facts.sourced(Facts.kernelLog)
        if case .success(let log) = logResult {
            let hits = firmwareDisabledMessages.flatMap { log.value.contains($0) }
            if let first = hits.first {
                evidence.append(Evidence(source: log.sources.joined(separator: ", "), value: first,
                                         note: hits.count > 1 ? "\(hits.count) such lines" : nil))
                return .fail(.biosDisabled, ["message": first], evidence: evidence)
            }
            evidence.append(Evidence(source: log.sources.joined(separator: ", "), value: "no 'disabled by BIOS' message among \(log.value.linesScanned) lines"))
        }
        let kvm = context.optionalFact(Facts.kvmAPI)?.value
        if let kvm, kvm.usable {
            evidence.append(Evidence(source: "/dev/kvm", value: "KVM_GET_API_VERSION = \(kvm.apiVersion ?? 0)"))
            return .pass(.kvmAnswers, evidence: evidence)
        }
        let modules = context.optionalFact(Facts.kernelModules)?.value
        let loadedNames = Set(modules?.loaded.map(\.name) ?? [])
        if let loaded = ["kvm_intel", "kvm_amd"].first(where: loadedNames.contains) {
            evidence.append(Evidence(source: "/proc/modules", value: "\(loaded) is loaded"))
            return .pass(.vendorModuleLoaded, ["module": loaded], evidence: evidence)
        }
        if let xen = context.optionalFact(Facts.xen)?.value, xen.isDom0 {
            // Under Xen there is no /dev/kvm by design; the CPU flag is the remaining signal.
            return cpu.value.virtualizationExtension != nil
                ? .pass(.xenFlagPresent, evidence: evidence)
                : .warn(.xenBIOSSuspected, evidence: evidence)
        }
        if context.optionalFact(Facts.virtualMachine)?.value.isVirtualMachine == true {
            return .skip(.virtualMachine, evidence: evidence)
        }
        let device = context.facts.sourced(Facts.kvmDevice)
        if case .failure(.absent) = device {
            evidence.append(Evidence(source: "/dev/kvm", value: "missing"))
        }
        if let modules, modules.isPresent("kvm"), !modules.isPresent("kvm_intel"), !modules.isPresent("kvm_amd") {
            evidence.append(Evidence(source: "/proc/modules", value: "kvm is loaded but neither kvm_intel nor kvm_amd"))
        }
        let hasFlag = cpu.value.virtualizationExtension != nil
        switch logResult {
        case .failure(let error):
            // Without the kernel log the firmware state is a guess; say which way the other signals lean.
            evidence.append(Evidence(source: "kernel log", value: error.description))
            let reason = ["reason": error.description]
            // Root helps only where the log exists and was refused; a copy that never held it needs the host.
            return hasFlag
                ? .pass(.logUnreadableFlagPresent, reason, evidence: evidence)
                : .warn(.logUnreadableNoFlag, reason, evidence: evidence, tags: error.isPermissionDenied ? ["needs-root"] : [])
        case .success:
            if !hasFlag {
                return .pass(.cpuLacksExtensions, evidence: evidence)
            }
            if case .failure(.absent) = device, modules?.loadableModulesSupported == true {
                return .warn(.moduleRefuses, evidence: evidence)
            }
            return .pass(.noBlock, evidence: evidence)
        }
    }
}
