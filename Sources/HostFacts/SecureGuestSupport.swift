import CSystemShims
import DoctorCore

/// What the host kernel offers for confidential guests: AMD SEV, SEV-ES, SEV-SNP (kvm_amd parameters and the
/// /dev/sev firmware device), Intel TDX (kvm_intel's tdx parameter), IBM Secure Execution on s390
/// (/sys/firmware/uv), and the processor's own answer, CPUID 0x8000001F, on the live machine (recorded in a
/// bundle as /cpuid-8000001f.txt). The kernel's reading of that leaf (the sev, sev_es, sev_snp flags of
/// /proc/cpuinfo, which it clears when the firmware left memory encryption off) comes from cpu.info.
public struct SecureGuestSupport: Codable, Sendable, Equatable {
    /// CPUID Fn8000_001F: AMD memory encryption. EAX bit 0 SME, 1 SEV, 3 SEV-ES, 4 SEV-SNP; ECX the number of
    /// encrypted guests at once. Raw hardware capability, whatever the firmware setup says.
    public struct MemoryEncryptionLeaf: Codable, Sendable, Equatable {
        public var eax: UInt32
        public var ebx: UInt32
        public var ecx: UInt32
        public var edx: UInt32

        public var sme: Bool { eax & 1 != 0 }
        public var sev: Bool { eax & (1 << 1) != 0 }
        public var sevES: Bool { eax & (1 << 3) != 0 }
        public var sevSNP: Bool { eax & (1 << 4) != 0 }
        /// How many encrypted guests the processor runs at once (ECX).
        public var guestSlots: UInt32 { ecx }

        public var recordedText: String {
            func hex(_ value: UInt32) -> String {
                let digits = String(value, radix: 16)
                return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
            }
            return "eax=\(hex(eax)) ebx=\(hex(ebx)) ecx=\(hex(ecx)) edx=\(hex(edx))\n"
        }

        /// Parses the recording: `eax=0x... ebx=0x... ecx=0x... edx=0x...`; each register at most 8 hex digits.
        public static func parse(_ text: String, source: String = SecureGuestSupport.cpuidRecording) throws(FactError) -> MemoryEncryptionLeaf {
            try TextChecks.requireText(text, source: source)
            var registers: [String: UInt32] = [:]
            for field in text.prefix(4096).split(whereSeparator: \.isWhitespace) {
                let parts = field.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, ["eax", "ebx", "ecx", "edx"].contains(parts[0]) else { continue }
                var digits = parts[1]
                if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
                guard (1...8).contains(digits.count), let value = UInt32(digits, radix: 16) else {
                    throw .unparsable(source: source, detail: "\(parts[0]) is not a 32-bit hex value")
                }
                registers[String(parts[0])] = value
            }
            guard let eax = registers["eax"], let ebx = registers["ebx"], let ecx = registers["ecx"], let edx = registers["edx"] else {
                throw .unparsable(source: source, detail: "expected eax=, ebx=, ecx= and edx=")
            }
            return MemoryEncryptionLeaf(eax: eax, ebx: ebx, ecx: ecx, edx: edx)
        }

        /// The running processor's answer; nil off x86 or when the processor has no such leaf.
        static func live() -> MemoryEncryptionLeaf? {
            // One CPUID shim serves detection and this leaf; the extended range's maximum (leaf 0x80000000's
            // eax) says whether the processor has 0x8000001F at all, as __get_cpuid would check.
            var maximum: [UInt32] = [0, 0, 0, 0], registers: [UInt32] = [0, 0, 0, 0]
            guard vd_cpuid_registers(0x8000_0000, 0, &maximum) == 1, maximum[0] >= 0x8000_001F,
                  vd_cpuid_registers(0x8000_001F, 0, &registers) == 1 else { return nil }
            return MemoryEncryptionLeaf(eax: registers[0], ebx: registers[1], ecx: registers[2], edx: registers[3])
        }
    }

    /// Where a bundle keeps CPUID 0x8000001F (see LiveRecordings).
    public static let cpuidRecording = "/cpuid-8000001f.txt"

    /// CPUID 0x8000001F: live, or from the recording; nil when neither answers.
    public var memoryEncryption: MemoryEncryptionLeaf?
    /// A kvm module parameter: nil when the file is absent (module not loaded, or too old to have it).
    public var sev: Bool?
    public var sevES: Bool?
    public var sevSNP: Bool?
    public var tdx: Bool?
    /// Whether kvm_amd / kvm_intel show up under /sys/module (loaded or built in).
    public var kvmAMDPresent: Bool
    public var kvmIntelPresent: Bool
    /// /dev/sev: nil when the root holds no /dev (a copied disk).
    public var sevDevice: Bool?
    /// /sys/firmware/uv exists: the s390 ultravisor interface is there.
    public var ultravisor: Bool
    /// /sys/firmware/uv/prot_virt_host: nil when absent.
    public var protVirtHost: Bool?
    /// Parameter files that held something other than a boolean, as evidence.
    public var unreadable: [String]

    /// A kernel boolean parameter as sysfs prints it: Y/N for bool parameters, 1/0 for int ones (older kvm_amd).
    /// Anything else is nil: not a yes, not a no.
    public static func parseFlag(_ text: String) -> Bool? {
        let value = TextChecks.trimmed(text.prefix(64))
        switch value {
        case "Y", "y", "1": return true
        case "N", "n", "0": return false
        default: return nil
        }
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<SecureGuestSupport> {
        var state = SecureGuestSupport(memoryEncryption: nil, sev: nil, sevES: nil, sevSNP: nil, tdx: nil, kvmAMDPresent: false, kvmIntelPresent: false,
                                       sevDevice: nil, ultravisor: false, protVirtHost: nil, unreadable: [])
        var sources: [String] = []
        var unreadable: [String] = []
        // A root without /sys (a copied disk) cannot say anything about the running kernel.
        guard try root.captured("/sys") else { throw .absent("/sys") }
        func flag(_ path: String) -> Bool? {
            guard let text = try? root.readTextIfPresent(path, limit: 4096) else { return nil }
            sources.append(path)
            let value = parseFlag(text)
            if value == nil { unreadable.append("\(path): \(TextChecks.trimmed(text.prefix(40)))") }
            return value
        }
        state.kvmAMDPresent = root.exists("/sys/module/kvm_amd")
        state.kvmIntelPresent = root.exists("/sys/module/kvm_intel")
        state.sev = flag("/sys/module/kvm_amd/parameters/sev")
        state.sevES = flag("/sys/module/kvm_amd/parameters/sev_es")
        state.sevSNP = flag("/sys/module/kvm_amd/parameters/sev_snp")
        state.tdx = flag("/sys/module/kvm_intel/parameters/tdx")
        state.ultravisor = root.exists("/sys/firmware/uv")
        state.protVirtHost = flag("/sys/firmware/uv/prot_virt_host")
        // As for /dev/kvm: a root without /dev (a copied disk) cannot tell whether /dev/sev exists.
        if (try? root.captured("/dev")) == true {
            state.sevDevice = root.exists("/dev/sev")
            sources.append("/dev/sev")
        }
        if root.isLive {
            state.memoryEncryption = MemoryEncryptionLeaf.live()
            if state.memoryEncryption != nil { sources.append("CPUID 0x8000001F") }
        } else if let text = try? root.readTextIfPresent(cpuidRecording, limit: 4096) {
            state.memoryEncryption = try MemoryEncryptionLeaf.parse(text)
            sources.append(cpuidRecording)
        }
        state.unreadable = unreadable
        return Sourced(state, sources: sources.isEmpty ? ["/sys/module/kvm_amd/parameters", "/sys/module/kvm_intel/parameters"] : sources)
    }
}

extension Facts {
    public static let secureGuestSupport = FactKey<SecureGuestSupport>("kvm.secure-guest-support", "Confidential-guest support of the host kernel: SEV/SEV-ES/SEV-SNP, /dev/sev, TDX, s390 Secure Execution") { store throws(FactError) in
        try SecureGuestSupport.read(store.root)
    }
}
