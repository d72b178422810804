import DoctorCore
import HostFacts

/// kvm.secure-guest: which confidential-guest technology KVM offers here (AMD SEV, SEV-ES, SEV-SNP; Intel TDX;
/// IBM Secure Execution), for information. A processor without any passes; only a processor that has one the
/// firmware or kernel left off warns, and then at low severity.
enum KVMSecureGuest: CheckEvaluator {
    static let id = "kvm.secure-guest"

    enum Condition: String, CaseIterable {
        case offered
        /// None of the technologies is in this processor (or the evidence shows none): a plain pass.
        case notOffered = "not-offered"
        /// CPUID has SEV, but the kernel cleared it from cpuinfo: the firmware left memory encryption off.
        case sevFirmwareOff = "sev-firmware-off"
        /// The CPU flag is there, kvm_amd does not offer SEV (sev=N, no parameter, or kvm_amd not loaded).
        case sevKernelOff = "sev-kernel-off"
        /// sev=Y, but /dev/sev (the PSP firmware interface, ccp module) is absent.
        case sevNoDevice = "sev-no-device"
        /// The CPU is a TDX host platform (the firmware enabled TDX), kvm_intel's tdx is off.
        case tdxOff = "tdx-off"
        /// The s390 ultravisor is there, but the kernel was not started with prot_virt=1.
        case protVirtOff = "prot-virt-off"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let sourced = try context.fact(Facts.secureGuestSupport)
        let support = sourced.value
        let cpu = context.optionalFact(Facts.cpuInfo)?.value
        let cmdline = context.optionalFact(Facts.kernelCommandLine)?.value ?? []
        func word(_ value: Bool?) -> String { value.map { $0 ? "Y" : "N" } ?? "absent" }

        var evidence: [Evidence] = []
        if let leaf = support.memoryEncryption {
            let source = sourced.sources.contains("CPUID 0x8000001F") ? "CPUID 0x8000001F" : SecureGuestSupport.cpuidRecording
            let bits = [leaf.sme ? "SME" : nil, leaf.sev ? "SEV" : nil, leaf.sevES ? "SEV-ES" : nil, leaf.sevSNP ? "SEV-SNP" : nil].compactMap { $0 }
            evidence.append(Evidence(source: source, value: bits.isEmpty ? "no memory encryption" : bits.joined(separator: ", ") + " (\(leaf.guestSlots) encrypted guests)"))
        }
        let sevFlags = ["sev", "sev_es", "sev_snp"].filter { cpu?.hasAnywhere($0) == true }
        if let cpu, cpu.family == "x86" {
            evidence.append(Evidence(source: "/proc/cpuinfo", value: sevFlags.isEmpty ? "no sev flags" : "flags: " + sevFlags.joined(separator: " ")))
        }
        if support.kvmAMDPresent || support.sev != nil {
            evidence.append(Evidence(source: "/sys/module/kvm_amd/parameters", value: "sev=\(word(support.sev)) sev_es=\(word(support.sevES)) sev_snp=\(word(support.sevSNP))"))
        }
        if let device = support.sevDevice, support.sev != nil || !sevFlags.isEmpty {
            evidence.append(Evidence(source: "/dev/sev", value: device ? "present" : "absent"))
        } else if support.sevDevice == nil && support.sev == true {
            evidence.append(Evidence(source: "/dev/sev", value: "not captured"))
        }
        if support.kvmIntelPresent || support.tdx != nil {
            evidence.append(Evidence(source: "/sys/module/kvm_intel/parameters/tdx", value: word(support.tdx)))
        }
        if support.ultravisor || support.protVirtHost != nil {
            evidence.append(Evidence(source: "/sys/firmware/uv/prot_virt_host", value: word(support.protVirtHost)))
        }
        let protVirt = cmdline.first { $0.hasPrefix("prot_virt=") }
        if let protVirt { evidence.append(Evidence(source: "/proc/cmdline", value: protVirt)) }
        for line in support.unreadable.prefix(3) { evidence.append(Evidence(source: "sysfs", value: "not a boolean: \(line)")) }

        // What KVM offers now.
        var offered: [String] = []
        if support.sev == true && support.sevDevice != false {
            offered.append("AMD SEV")
            if support.sevES == true { offered.append("SEV-ES") }
            if support.sevSNP == true { offered.append("SEV-SNP") }
        }
        if support.tdx == true { offered.append("Intel TDX") }
        if support.protVirtHost == true { offered.append("IBM Secure Execution (s390 protected virtualization)") }
        if !offered.isEmpty {
            return .pass(.offered, ["technologies": offered.joined(separator: ", ")], evidence: evidence)
        }

        // What the hardware has that the firmware or the kernel left off.
        let cpuidSEV = support.memoryEncryption?.sev == true
        if cpuidSEV && !sevFlags.contains("sev") && cpu?.family == "x86" {
            return .warn(.sevFirmwareOff, evidence: evidence)
        }
        if sevFlags.contains("sev") || cpuidSEV || support.sev == true {
            if support.sev == true {
                // sev=Y with /dev/sev known absent (a nil device passed above as offered).
                return .warn(.sevNoDevice, evidence: evidence)
            }
            let state = support.sev == false ? "kvm_amd has sev=N"
                : support.kvmAMDPresent ? "kvm_amd has no sev parameter (a kernel built without CONFIG_KVM_AMD_SEV)"
                : "kvm_amd is not loaded"
            return .warn(.sevKernelOff, ["state": state], evidence: evidence)
        }
        if support.tdx == false && cpu?.hasAnywhere("tdx_host_platform") == true {
            return .warn(.tdxOff, evidence: evidence)
        }
        if support.ultravisor && support.protVirtHost == false && protVirt == nil {
            return .warn(.protVirtOff, evidence: evidence)
        }
        if evidence.isEmpty {
            evidence.append(Evidence(source: sourced.sources.joined(separator: ", "), value: "no SEV, TDX or Secure Execution interface"))
        }
        return .pass(.notOffered, evidence: evidence)
    }
}
