import CSystemShims
import DoctorCore
import Foundation

/// Everything virtualization detection looks at, read once through the root. Recorded program output
/// (`cpuid.txt`, `dmidecode.txt`, `uname-m.txt` at the top of a root) stands in for the live calls, so a
/// bundle or a test root is judged exactly like the machine it came from.
public struct DetectionInputs: Sendable {
    /// CPUID hypervisor signature (leaf 0x40000000 and up), trailing newlines removed; "" when none; nil
    /// when unknown (a root without cpuid.txt, or not x86).
    public var cpuidSignature: String?
    public var cpuidSource: String
    /// Every CPUID leaf recorded or read (the hypervisor signatures leaf by leaf, the confidential-guest
    /// leaves, SEV_STATUS); nil when there is no CPUID evidence beyond a stand-in.
    public var cpuid: CPUIDRecording?
    /// Kernel log lines that say a confidential guest's memory protection is on ("Memory Encryption Features
    /// active: ...", "tdx: Guest detected"), from a recorded root's kernel log.
    public var confidentialLogLines: [String] = []
    public var kernelLogSource: String?
    /// Set when the recorded signature was "Microsoft Hv" and DMI showed KVM's firmware underneath it.
    public var hyperVSignatureAtBase = false
    /// dmidecode-style text: recorded output, or lines rebuilt from the SMBIOS table or sysfs.
    public var dmi: String
    public var dmiSource: String
    /// `uname -m` with i?86 folded to i386 and arm* to arm, as virt-what compares it.
    public var architecture: String?
    public var cpuinfo: String?
    /// /proc/1/environ entries (NUL-separated in the file).
    public var initEnvironment: [String]
    public var selfStatus: String?
    public var selfCgroup: String?
    public var procVersion: String?
    public var sysinfo: String?
    /// lscpu's "Hypervisor vendor" and "Virtualization type" from a recorded `lscpu` (a sos report's
    /// processor plugin): the only trace of the CPUID signature in evidence collected without it.
    public var lscpuVendor: String?
    public var lscpuType: String?
    /// Evidence that could not be used at all (garbage where text was expected): the answer is not trustworthy.
    public var problems: [String] = []
    /// Evidence this user could not read: the answer may be incomplete.
    public var limitations: [String] = []

    let root: HostRoot

    public func exists(_ path: String) -> Bool { root.exists(path) }

    public func isDirectory(_ path: String) -> Bool { (try? root.fileInfo(path))?.kind == .directory }

    public func isFile(_ path: String) -> Bool { (try? root.fileInfo(path))?.kind == .regular }

    public func text(_ path: String) -> String? { try? root.readText(path, limit: 1 << 20) }

    public func list(_ path: String) -> [String] { (try? root.list(path)) ?? [] }

    public func dmiContains(_ fragment: String) -> Bool { dmi.contains(fragment) }

    /// A DMI line holding `first` and, after it, `second` (virt-what's `grep 'first.*second'`), without a
    /// regular-expression engine: this runs on every start.
    public func dmiLine(_ first: String, then second: String) -> Bool {
        dmi.split(separator: "\n").contains { line in
            guard let range = line.range(of: first) else { return false }
            return line[range.upperBound...].contains(second)
        }
    }

    /// `Version: <digits>.<digits>.amazon` (virt-what's `grep -E 'Version: [0-9]+\.[0-9]+\.amazon'`).
    public var dmiHasAmazonXenVersion: Bool {
        dmi.split(separator: "\n").contains { line in
            guard let range = line.range(of: "Version: ") else { return false }
            let parts = line[range.upperBound...].split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            return parts.count == 3 && !parts[0].isEmpty && parts[0].allSatisfy(\.isNumber) && !parts[1].isEmpty
                && parts[1].allSatisfy(\.isNumber) && parts[2].hasPrefix("amazon")
        }
    }

    public static func gather(_ root: HostRoot) -> DetectionInputs {
        var inputs = DetectionInputs(
            cpuidSignature: nil, cpuidSource: "", dmi: "", dmiSource: "", architecture: nil, cpuinfo: nil,
            initEnvironment: [], selfStatus: nil, selfCgroup: nil, procVersion: nil, sysinfo: nil, root: root)
        inputs.readCPUID()
        inputs.readLscpu()
        inputs.readDMI()
        inputs.readArchitecture()
        inputs.cpuinfo = inputs.optionalText("/proc/cpuinfo")
        if let bytes = inputs.optionalBytes("/proc/1/environ") {
            inputs.initEnvironment = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        }
        inputs.selfStatus = inputs.optionalText("/proc/self/status")
        inputs.selfCgroup = inputs.optionalText("/proc/self/cgroup")
        inputs.procVersion = inputs.optionalText("/proc/version")
        inputs.sysinfo = inputs.optionalText("/proc/sysinfo")
        inputs.readConfidentialLogLines()
        inputs.recognizeHyperVEnlightenments()
        return inputs
    }

    /// Reads a file whose absence is normal; unreadable files are noted as limitations.
    mutating func optionalBytes(_ path: String) -> [UInt8]? {
        do {
            return try root.readBytes(path, limit: 4 << 20)
        } catch .absent {
            return nil
        } catch .notCaptured {
            // Evidence that was never collected is no reading problem: detection works with what is there.
            return nil
        } catch {
            limitations.append(error.description)
            return nil
        }
    }

    mutating func optionalText(_ path: String) -> String? {
        optionalBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    mutating func readCPUID() {
        if root.isLive {
            #if arch(x86_64) || arch(i386)
            cpuidSource = "CPUID leaf 0x40000000..0x4000ff00"
            cpuidSignature = DetectionInputs.liveHypervisorSignature()
            cpuid = CPUIDRecording.live()
            if let cpuid, cpuid.cpuVendor == "AuthenticAMD", let sev = cpuid.registers(0x8000_001F), sev[0] & 0x2 != 0,
               cpuid.hypervisorBit == true, cpuid.sevStatus == nil {
                limitations.append("SEV_STATUS (MSR 0xc0010131) could not be read from /dev/cpu/0/msr (run as root with the msr module loaded to tell SEV, SEV-ES and SEV-SNP apart)")
            }
            #else
            cpuidSource = "CPUID (not on this architecture)"
            #endif
            return
        }
        cpuidSource = "/cpuid.txt"
        guard let bytes = optionalBytes("/cpuid.txt") else { return }
        switch CPUIDRecording.parse(String(decoding: bytes, as: UTF8.self)) {
        case .success(let recording):
            cpuid = recording
            cpuidSignature = recording.signature
            if recording.signatureLeaf != 0x4000_0000 {
                cpuidSource = String(format: "/cpuid.txt (leaf 0x%08x)", recording.signatureLeaf)
            }
        case .failure(let error):
            problems.append("/cpuid.txt could not be parsed: \(error.reason)")
        }
    }

    /// Kernel log lines of a confidential guest, from the logs a recorded root keeps (a sos report's dmesg
    /// arrives as /dmesg.txt). The live machine answers by CPUID and its device nodes instead.
    mutating func readConfidentialLogLines() {
        guard !root.isLive else { return }
        for path in ["/var/log/dmesg", "/var/log/kern.log", "/journalctl-k.txt", "/dmesg.txt"] {
            guard let bytes = try? root.readTail(path, maxBytes: KernelLog.tailBytes) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("Memory Encryption Features active") || text.contains("tdx: Guest detected") else { continue }
            for line in text.split(separator: "\n") where line.contains("Memory Encryption Features active:") || line.contains("tdx: Guest detected") {
                confidentialLogLines.append(String(line.prefix(300)))
                if confidentialLogLines.count >= 20 { break }
            }
            kernelLogSource = path
            return
        }
    }

    /// Hyper-V enlightenments on KVM: QEMU puts Hyper-V's "Microsoft Hv" at 0x40000000 and KVM's signature at
    /// 0x40000100. A recording that kept only the first leaf (lscpu's "Hypervisor vendor: Microsoft", an old
    /// helper's first line) of a machine whose firmware is QEMU's is a KVM guest: virt-what's helper, which
    /// scans the whole range, would have found KVMKVMKVM.
    mutating func recognizeHyperVEnlightenments() {
        guard cpuidSignature == "Microsoft Hv", (cpuid?.signatures.count ?? 1) <= 1 else { return }
        let kvmFirmware = ["Manufacturer: QEMU", "Product Name: KVM", "Manufacturer: Red Hat", "Manufacturer: oVirt",
                           "Manufacturer: Nutanix", "Vendor: SeaBIOS", "Vendor: Bochs", "Manufacturer: Bochs"]
        guard let marker = kvmFirmware.first(where: { dmiContains($0) }), !dmiContains("Manufacturer: Microsoft Corporation") else { return }
        cpuidSignature = "KVMKVMKVM"
        hyperVSignatureAtBase = true
        cpuidSource += " (\"Microsoft Hv\" at 0x40000000 is Hyper-V enlightenments of KVM: \(dmiSource) \(marker))"
    }

    /// The CPUID signature lscpu read on the host, by the vendor name lscpu prints for it. Xen's is taken
    /// only with full virtualization: a dom0 shows "Xen" with type "none", a PV guest "para", and neither has
    /// the HVM signature.
    static let signatureOfLscpuVendor: [String: String] = [
        "KVM": "KVMKVMKVM", "Microsoft": "Microsoft Hv", "VMware": "VMwareVMware", "bhyve": "bhyve bhyve ",
    ]

    /// Without a CPUID reading (a copy of a machine, not the machine), a recorded lscpu stands in for it:
    /// lscpu ran CPUID on the host and printed the vendor.
    mutating func readLscpu() {
        guard !root.isLive, let text = optionalText("/lscpu.txt") else { return }
        for line in text.split(separator: "\n").prefix(200) {
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: ":"), !value.isEmpty, value.count <= 64,
                  value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else { continue }
            if key == "Hypervisor vendor" { lscpuVendor = value }
            if key == "Virtualization type" { lscpuType = value }
        }
        guard cpuidSignature == nil, let vendor = lscpuVendor else { return }
        var signature = Self.signatureOfLscpuVendor[vendor]
        if vendor == "Xen", lscpuType == "full" { signature = "XenVMMXenVMM" }
        if let signature {
            cpuidSignature = signature
            cpuidSource = "/lscpu.txt (Hypervisor vendor: \(vendor))"
        }
    }

    /// Whether anything that tells what the machine runs on was read: without it "no hypervisor found"
    /// would be said of a root that never held the question's evidence (a copied /etc).
    public var holdsMachineEvidence: Bool {
        root.isLive || cpuinfo != nil || !dmi.isEmpty || cpuidSignature != nil || lscpuVendor != nil || sysinfo != nil
            || exists("/proc/xen") || exists("/sys/hypervisor") || exists("/proc/device-tree") || !initEnvironment.isEmpty
            || selfStatus != nil
    }

    /// Signatures virt-what and lscpu know. Scanning from the top of the hypervisor range down finds the
    /// real hypervisor when a Hyper-V compatible ("Microsoft Hv") leaf sits at 0x40000000 below it.
    static let knownSignatures: Set<String> = [
        "bhyve bhyve ", "KVMKVMKVM", "LKVMLKVMLKVM", "Microsoft Hv", "OpenBSDVMM58", "TCGTCGTCGTCG",
        "VMwareVMware", "XenVMMXenVMM", "VBoxVBoxVBox", "ACRNACRNACRN", "QNXQVMBSQG", " lrpepyh  vr",
        "Apple VZ", "SRESRESRESRE",
    ]

    static func liveHypervisorSignature() -> String {
        var leaf: UInt32 = 0x4000_FF00
        while leaf >= 0x4000_0000 {
            var buffer = [CChar](repeating: 0, count: 13)
            guard vd_cpuid_hypervisor_signature(leaf, &buffer) == 1 else { return "" }
            let signature = String(decoding: buffer.prefix(12).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if knownSignatures.contains(signature) { return signature }
            leaf -= 0x100
        }
        return ""
    }

    mutating func readDMI() {
        if !root.isLive, let bytes = optionalBytes("/dmidecode.txt") {
            let text = String(decoding: bytes, as: UTF8.self)
            do throws(FactError) {
                if !text.isEmpty { try TextChecks.requireText(text, source: "/dmidecode.txt") }
                dmi = text
                dmiSource = "/dmidecode.txt"
                // virt-what merges dmidecode's stderr into the same text.
                if let stderr = optionalText("/dmidecode.stderr.txt") { dmi += stderr }
            } catch {
                problems.append(error.description)
            }
            return
        }
        if let table = optionalBytes("/sys/firmware/dmi/tables/DMI"), let text = SMBIOS.dmidecodeText(table) {
            dmi = text
            dmiSource = "/sys/firmware/dmi/tables/DMI"
            return
        }
        let fields: [(String, String)] = [
            ("bios_vendor", "Vendor"), ("bios_version", "Version"), ("sys_vendor", "Manufacturer"),
            ("product_name", "Product Name"), ("product_version", "Version"), ("board_vendor", "Manufacturer"),
            ("board_name", "Product Name"), ("chassis_vendor", "Manufacturer"),
        ]
        var lines: [String] = []
        for (file, label) in fields {
            guard let value = optionalText("/sys/class/dmi/id/\(file)").map({ TextChecks.trimmed($0) }), !value.isEmpty else { continue }
            lines.append("\t\(label): \(value)")
        }
        if !lines.isEmpty {
            dmi = lines.joined(separator: "\n") + "\n"
            dmiSource = "/sys/class/dmi/id"
        }
    }

    mutating func readArchitecture() {
        var machine: String?
        if root.isLive {
            var name = utsname()
            if uname(&name) == 0 {
                machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            }
        } else if let text = optionalText("/uname-m.txt") {
            machine = TextChecks.trimmed(text)
        }
        guard var value = machine, !value.isEmpty else { return }
        if value.count == 4, value.hasPrefix("i"), value.hasSuffix("86") { value = "i386" }
        if value.hasPrefix("arm") { value = "arm" }
        architecture = value
    }
}

/// Just enough of SMBIOS to rebuild the dmidecode lines detection relies on, from the raw table the kernel
/// exports (root-only): BIOS vendor/version and its "virtual machine" characteristic, system, board and
/// chassis manufacturers and products.
enum SMBIOS {
    static func dmidecodeText(_ table: [UInt8]) -> String? {
        var lines: [String] = []
        var offset = 0
        while offset + 4 <= table.count {
            let type = table[offset]
            let length = Int(table[offset + 1])
            guard length >= 4, offset + length <= table.count else { break }
            // Strings follow the formatted area, each NUL-terminated, the set ending with an extra NUL.
            var strings: [String] = []
            var cursor = offset + length
            while cursor < table.count {
                guard let end = table[cursor...].firstIndex(of: 0) else { return nil }
                if end == cursor { break }
                strings.append(String(decoding: table[cursor..<end], as: UTF8.self))
                cursor = end + 1
            }
            let next = cursor + 1 + (strings.isEmpty ? 1 : 0)
            func string(_ at: Int) -> String? {
                guard at < length else { return nil }
                let index = Int(table[offset + at])
                return index > 0 && index <= strings.count ? strings[index - 1] : nil
            }
            switch type {
            case 0:
                lines.append("BIOS Information")
                if let vendor = string(4) { lines.append("\tVendor: \(vendor)") }
                if let version = string(5) { lines.append("\tVersion: \(version)") }
                if length > 0x13, table[offset + 0x13] & 0x10 != 0 { lines.append("\t\tSystem is a virtual machine") }
            case 1, 2, 3:
                lines.append(["System Information", "Base Board Information", "Chassis Information"][Int(type) - 1])
                if let manufacturer = string(4) { lines.append("\tManufacturer: \(manufacturer)") }
                if type != 3, let product = string(5) { lines.append("\tProduct Name: \(product)") }
                if type == 1, let version = string(6) { lines.append("\tVersion: \(version)") }
            case 127:
                return lines.joined(separator: "\n") + "\n"
            default:
                break
            }
            offset = next
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
    }
}
