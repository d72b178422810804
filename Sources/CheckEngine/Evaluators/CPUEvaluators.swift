import DoctorCore
import Foundation
import HostFacts

enum CPUEvaluators {
    /// Messages the kernel prints when firmware keeps VT-x / AMD-V switched off.
    static let firmwareDisabledMessages = [
        "disabled by bios", "vmx not enabled (by bios)", "svm disabled (by bios)", "svm disabled by bios",
        "vmx disabled by bios",
    ]

    static func describeFlags(_ cpu: CPUInfo) -> String {
        let count = cpu.processors.count
        if let flag = cpu.virtualizationExtension {
            let lacking = cpu.cpus(lacking: flag)
            return lacking.isEmpty
                ? "'\(flag)' on all \(count) CPUs"
                : "'\(flag)' on \(count - lacking.count) of \(count) CPUs; missing on CPU \(lacking.map(String.init).joined(separator: ", "))"
        }
        return "neither 'vmx' nor 'svm' on any of \(count) CPUs"
    }

    static let virtualizationFlags: Evaluator = { context throws(FactError) in
        let cpu = try context.fact(Facts.cpuInfo)
        var evidence = [Evidence(source: "/proc/cpuinfo", value: "flags: " + describeFlags(cpu.value))]
        guard cpu.value.family == "x86" else {
            if cpu.value.family == "s390", cpu.value.hasAnywhere("sie") {
                return .pass("This s390 machine offers the SIE facility KVM needs.", evidence: evidence)
            }
            return .skip("vmx/svm are x86 flags; this is a \(cpu.value.family) CPU, where kvm.device-usable decides whether KVM works.",
                         evidence: evidence)
        }
        let kvm = context.optionalFact(Facts.kvmAPI)?.value
        if let kvm, let version = kvm.apiVersion {
            evidence.append(Evidence(source: "/dev/kvm", value: "KVM_GET_API_VERSION = \(version)"))
        }
        if let flag = cpu.value.virtualizationExtension {
            let name = flag == "vmx" ? "Intel VT-x (vmx)" : "AMD-V (svm)"
            let lacking = cpu.value.cpus(lacking: flag)
            if lacking.isEmpty {
                return .pass("The CPU offers \(name) on every logical CPU.", evidence: evidence)
            }
            return Observation(.warn, "\(name) is missing on some CPUs (\(lacking.map(String.init).joined(separator: ", "))): firmware or microcode differs between sockets, and guests scheduled there cannot use KVM.",
                               evidence: evidence, conditions: ["uneven"])
        }
        let guest = context.optionalFact(Facts.virtualMachine)?.value
        if let kvm, kvm.usable {
            let modules = context.optionalFact(Facts.kernelModules)?.value
            let provider = ["kvm_pvm", "kvm_intel", "kvm_amd"].first { modules?.isPresent($0) == true }
            return .pass("/proc/cpuinfo shows no vmx/svm, yet /dev/kvm answers (KVM API \(kvm.apiVersion ?? 0)): KVM works here"
                         + (provider.map { " through the \($0) module" } ?? "")
                         + (guest?.isVirtualMachine == true ? ", inside a virtual machine" : "")
                         + ". Tools that only grep cpuinfo (kvm-ok, virt-host-validate) wrongly report KVM as unusable on such hosts.",
                         evidence: evidence)
        }
        if let kvm, kvm.errorNumber == EACCES || kvm.failure?.hasSuffix("Permission denied") == true {
            evidence.append(Evidence(source: "/dev/kvm", value: kvm.failure ?? "permission denied"))
            // KVM may well work (nested or paravirtual KVM hides the flags); only root can ask the device.
            return Observation(.error, "/proc/cpuinfo lists no vmx/svm, and this user may not open /dev/kvm to ask whether KVM works anyway (nested or paravirtual KVM hides the flags). Run as root for the answer.",
                               evidence: evidence, conditions: ["needs-root"])
        }
        if guest?.isVirtualMachine == true {
            evidence.append(contentsOf: guest!.evidence.map { Evidence(source: "virtualization", value: $0) })
            return Observation(.fail, "This is a virtual machine\(guest!.hypervisorName.map { " on \($0)" } ?? "") and its virtual CPU does not pass vmx/svm through, so it cannot run KVM guests itself (no nested virtualization).",
                               evidence: evidence, conditions: ["guest"])
        }
        if let xen = context.optionalFact(Facts.xen)?.value, xen.isDom0 {
            return Observation(.warn, "No vmx/svm: this Xen dom0 can run paravirtualized guests only; fully virtualized (HVM) guests such as Windows cannot start.",
                               evidence: evidence, conditions: ["absent", "xen"])
        }
        return Observation(.fail, "The CPU reports neither Intel VT-x (vmx) nor AMD-V (svm): KVM cannot run. Either the firmware has them switched off (newer kernels then hide the flag) or the processor lacks them.",
                           evidence: evidence, conditions: ["absent"])
    }

    static let firmwareVirtualization: Evaluator = { context throws(FactError) in
        let cpu = try context.fact(Facts.cpuInfo)
        guard cpu.value.family == "x86" else {
            return .skip("The BIOS VT-x / AMD-V switch exists on x86 only; this is a \(cpu.value.family) CPU.")
        }
        var evidence = [Evidence(source: "/proc/cpuinfo", value: "flags: " + describeFlags(cpu.value))]
        let logResult = context.facts.sourced(Facts.kernelLog)
        if case .success(let log) = logResult {
            let hits = firmwareDisabledMessages.flatMap { log.value.contains($0) }
            if let first = hits.first {
                evidence.append(Evidence(source: log.sources.joined(separator: ", "), value: first,
                                         note: hits.count > 1 ? "\(hits.count) such lines" : nil))
                return Observation(.fail, "The kernel says virtualization is disabled in the firmware (BIOS/UEFI): \"\(first)\". KVM cannot start any guest until it is enabled.",
                                   evidence: evidence, conditions: ["bios-disabled"])
            }
            evidence.append(Evidence(source: log.sources.joined(separator: ", "), value: "no 'disabled by BIOS' message among \(log.value.linesScanned) lines"))
        }
        let kvm = context.optionalFact(Facts.kvmAPI)?.value
        if let kvm, kvm.usable {
            evidence.append(Evidence(source: "/dev/kvm", value: "KVM_GET_API_VERSION = \(kvm.apiVersion ?? 0)"))
            return .pass("/dev/kvm answers, so the firmware is not blocking virtualization.", evidence: evidence)
        }
        if let xen = context.optionalFact(Facts.xen)?.value, xen.isDom0 {
            // Under Xen there is no /dev/kvm by design; the CPU flag is the remaining signal.
            return cpu.value.virtualizationExtension != nil
                ? .pass("The CPU lists the extension and the kernel logged no firmware block; under Xen, `xl info` (virt_caps: hvm) confirms it.", evidence: evidence)
                : Observation(.warn, "This Xen dom0 shows no vmx/svm; the firmware may have it switched off, which blocks HVM guests. `xl info` (virt_caps) and the firmware setup tell for sure.",
                              evidence: evidence, conditions: ["bios-suspected"])
        }
        if context.optionalFact(Facts.virtualMachine)?.value.isVirtualMachine == true {
            return .skip("This is a virtual machine: its virtual firmware has no VT switch; whether vmx/svm is passed through is the outer host's setting (see cpu.virt-flags).",
                         evidence: evidence)
        }
        let device = context.facts.sourced(Facts.kvmDevice)
        let modules = context.optionalFact(Facts.kernelModules)?.value
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
            let lean = hasFlag
                ? "The CPU lists the extension, so the firmware has probably enabled it"
                : "The CPU lists no vmx/svm: on current kernels that is exactly how a firmware-disabled VT-x looks"
            evidence.append(Evidence(source: "kernel log", value: error.description))
            return Observation(hasFlag ? .pass : .warn, "\(lean); the kernel log, which would say for sure, could not be read (\(error.description)).",
                               evidence: evidence, conditions: hasFlag ? [] : ["bios-suspected", "needs-root"])
        case .success:
            if !hasFlag {
                return .pass("The kernel logged no firmware block: this CPU itself lacks the extensions (cpu.virt-flags reports that).",
                             evidence: evidence)
            }
            if case .failure(.absent) = device, modules?.loadableModulesSupported == true {
                return Observation(.warn, "The CPU lists the extension but /dev/kvm is missing and nothing in the kernel log explains why; load the module to see its error.",
                                   evidence: evidence, conditions: ["module-refuses"])
            }
            return .pass("The CPU lists the extension and the kernel logged no firmware block.", evidence: evidence)
        }
    }
}
