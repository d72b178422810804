import DoctorCore
import Foundation

/// Confidential guests, named as virt-what-cvm names them: amd-sev, amd-sev-es, amd-sev-snp, intel-tdx, and
/// hyperv-hcl next to one of them when Hyper-V's paravisor runs the isolation.
///
/// virt-what-cvm's own test comes first: on a CPU that says it runs under a hypervisor, AMD's leaf
/// 0x8000001F (EAX bit 1: SEV) and the SEV_STATUS register (bit 2 SNP, bit 1 SEV-ES, bit 0 SEV, tested in
/// that order), Intel's leaf 0x21 signature "IntelTDX    ", and Hyper-V's isolation leaves (0x40000003 EBX
/// bit 22 without bit 12, then 0x4000000C EBX & 0xF: 2 SNP, 3 TDX). Evidence without those registers (a sos
/// report, a copied tree, a user without /dev/cpu/0/msr) is read next: the kernel's "Memory Encryption
/// Features active:" and "tdx: Guest detected" lines, the guest device nodes (/dev/sev-guest exists only in
/// SEV-SNP guests, /dev/tdx_guest in TDX guests), and the guest's cpuinfo flags.
enum ConfidentialGuest {
    struct Answer: Equatable {
        var identifiers: [String]
        var reasoning: [String]
    }

    static func identify(_ inputs: DetectionInputs) -> Answer {
        var notes: [String] = []
        if let answer = fromCPUID(inputs, notes: &notes) { return answer }
        if let answer = fromKernelLog(inputs) { return answer }
        if let answer = fromDeviceNodes(inputs) { return answer }
        if let answer = fromCPUFlags(inputs) { return answer }
        return Answer(identifiers: [], reasoning: notes)
    }

    static func fromCPUID(_ inputs: DetectionInputs, notes: inout [String]) -> Answer? {
        guard let cpuid = inputs.cpuid, cpuid.hypervisorBit == true, let vendor = cpuid.cpuVendor else { return nil }
        let source = inputs.root.isLive ? "CPUID" : "/cpuid.txt"
        if vendor == "AuthenticAMD" {
            guard let sev = cpuid.registers(0x8000_001F) else { return nil }
            if sev[0] & 0x2 == 0 {
                // Azure hides the leaf from its SEV-SNP guests; Hyper-V's isolation leaves say it instead.
                if hyperVIsolation(cpuid) == 2 {
                    return Answer(identifiers: ["amd-sev-snp", "hyperv-hcl"],
                                  reasoning: ["\(source): Hyper-V isolation type 2 (SEV-SNP) in leaf 0x4000000C, behind Hyper-V's paravisor"])
                }
                return nil
            }
            guard let status = cpuid.sevStatus else {
                notes.append("\(source): leaf 0x8000001F offers SEV, but SEV_STATUS (MSR 0xc0010131) was not read: whether this guest's memory is encrypted is not known from CPUID")
                return nil
            }
            let why = String(format: "\(source): leaf 0x8000001F offers SEV; SEV_STATUS (MSR 0xc0010131) = 0x%llx", status)
            if status & 0x4 != 0 { return Answer(identifiers: ["amd-sev-snp"], reasoning: [why + " (SEV-SNP active)"]) }
            if status & 0x2 != 0 { return Answer(identifiers: ["amd-sev-es"], reasoning: [why + " (SEV-ES active)"]) }
            if status & 0x1 != 0 { return Answer(identifiers: ["amd-sev"], reasoning: [why + " (SEV active)"]) }
            notes.append(why + ": no SEV mode is active")
            return nil
        }
        if vendor == "GenuineIntel" {
            if let tdx = cpuid.registers(0x21), CPUIDRecording.vendorString([tdx[1], tdx[3], tdx[2]]) == "IntelTDX    " {
                return Answer(identifiers: ["intel-tdx"], reasoning: ["\(source): leaf 0x21 says \"IntelTDX    \""])
            }
            if hyperVIsolation(cpuid) == 3 {
                return Answer(identifiers: ["intel-tdx", "hyperv-hcl"],
                              reasoning: ["\(source): Hyper-V isolation type 3 (TDX) in leaf 0x4000000C, behind Hyper-V's paravisor"])
            }
        }
        return nil
    }

    /// Hyper-V's isolation type (leaf 0x4000000C EBX & 0xF) of an isolated, non-root partition; nil otherwise.
    static func hyperVIsolation(_ cpuid: CPUIDRecording) -> UInt32? {
        guard let vendorLeaf = cpuid.registers(0x4000_0000), vendorLeaf[0] >= 0x4000_0005, vendorLeaf[0] <= 0x4000_FFFF,
              CPUIDRecording.vendorString(Array(vendorLeaf[1...3])) == "Microsoft Hv",
              let features = cpuid.registers(0x4000_0003), features[1] & (1 << 22) != 0, features[1] & (1 << 12) == 0,
              let isolation = cpuid.registers(0x4000_000C) else { return nil }
        return isolation[1] & 0xF
    }

    /// "Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP" names every active level, the strongest
    /// last; "Intel TDX" or "tdx: Guest detected" is a TDX guest. "AMD SME" alone is the host encrypting its
    /// own memory, not a confidential guest.
    static func fromKernelLog(_ inputs: DetectionInputs) -> Answer? {
        let source = inputs.kernelLogSource ?? "kernel log"
        for line in inputs.confidentialLogLines.reversed() {
            if let range = line.range(of: "Memory Encryption Features active:") {
                let words = Set(line[range.upperBound...].split(separator: " ").map(String.init))
                let message = TextChecks.trimmed(String(line[range.lowerBound...]))
                if words.contains("TDX") { return Answer(identifiers: ["intel-tdx"], reasoning: ["\(source): \(message)"]) }
                guard words.contains("AMD") else { continue }
                if words.contains("SEV-SNP") { return Answer(identifiers: ["amd-sev-snp"], reasoning: ["\(source): \(message)"]) }
                if words.contains("SEV-ES") { return Answer(identifiers: ["amd-sev-es"], reasoning: ["\(source): \(message)"]) }
                if words.contains("SEV") { return Answer(identifiers: ["amd-sev"], reasoning: ["\(source): \(message)"]) }
            } else if line.contains("tdx: Guest detected") {
                return Answer(identifiers: ["intel-tdx"], reasoning: ["\(source): tdx: Guest detected"])
            }
        }
        return nil
    }

    static func fromDeviceNodes(_ inputs: DetectionInputs) -> Answer? {
        if inputs.exists("/dev/sev-guest") {
            return Answer(identifiers: ["amd-sev-snp"], reasoning: ["/dev/sev-guest exists (the SEV-SNP guest driver's device)"])
        }
        for node in ["/dev/tdx_guest", "/dev/tdx-guest"] where inputs.exists(node) {
            return Answer(identifiers: ["intel-tdx"], reasoning: ["\(node) exists (the TDX guest driver's device)"])
        }
        return nil
    }

    /// A guest's cpuinfo flags: tdx_guest exists only inside TDX; sev, sev_es, sev_snp count only with the
    /// hypervisor flag (a SEV-capable host shows them too).
    static func fromCPUFlags(_ inputs: DetectionInputs) -> Answer? {
        guard let text = inputs.cpuinfo, let cpu = try? CPUInfo.parse(text) else { return nil }
        if cpu.hasAnywhere("tdx_guest") { return Answer(identifiers: ["intel-tdx"], reasoning: ["/proc/cpuinfo: flag tdx_guest"]) }
        guard cpu.hasAnywhere("hypervisor") else { return nil }
        for (flag, identifier) in [("sev_snp", "amd-sev-snp"), ("sev_es", "amd-sev-es"), ("sev", "amd-sev")] where cpu.hasAnywhere(flag) {
            return Answer(identifiers: [identifier], reasoning: ["/proc/cpuinfo: flags hypervisor and \(flag)"])
        }
        return nil
    }

    /// The technology as people write it.
    static func displayName(_ identifier: String) -> String {
        ["amd-sev": "AMD SEV", "amd-sev-es": "AMD SEV-ES", "amd-sev-snp": "AMD SEV-SNP", "intel-tdx": "Intel TDX"][identifier] ?? identifier
    }
}
