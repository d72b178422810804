import CSystemShims
import DoctorCore
import Foundation

/// What CPUID (and the one model-specific register confidential guests are told apart by) said, as kept in
/// `cpuid.txt` at the top of a bundle or test root.
///
/// The format grows compatibly from virt-what-cpuid-helper's output:
/// - plain lines are hypervisor signatures, one per leaf from 0x40000000 up in steps of 0x100 (a single line,
///   the recording of earlier versions and of virt-what's helper, is leaf 0x40000000's);
/// - `0x8000001f: eax=0x... ebx=0x... ecx=0x... edx=0x...` keeps the registers of another leaf;
/// - `msr 0xc0010131: 0x...` keeps AMD's SEV_STATUS register (read only as root, from /dev/cpu/0/msr).
public struct CPUIDRecording: Sendable, Equatable {
    /// Signatures of leaves 0x40000000, 0x40000100, ... in order ("" where a leaf had none).
    public var signatures: [String]
    /// eax, ebx, ecx, edx by leaf.
    public var leaves: [UInt32: [UInt32]]
    /// MSR 0xC0010131 (SEV_STATUS); nil when not recorded.
    public var sevStatus: UInt64?

    public static let sevStatusMSR: UInt32 = 0xC001_0131
    static let maximumLines = 300

    public init(signatures: [String], leaves: [UInt32: [UInt32]] = [:], sevStatus: UInt64? = nil) {
        self.signatures = signatures
        self.leaves = leaves
        self.sevStatus = sevStatus
    }

    /// The signature virt-what's helper prints: scanning from the top of the hypervisor range down, the first
    /// one it knows (a KVM or Xen signature above a Hyper-V compatible "Microsoft Hv" at 0x40000000); else
    /// leaf 0x40000000's.
    public var signature: String {
        signatures.last(where: DetectionInputs.knownSignatures.contains) ?? signatures.first ?? ""
    }

    /// Where `signature` came from, when it is not leaf 0x40000000.
    public var signatureLeaf: UInt32 {
        guard let index = signatures.lastIndex(where: DetectionInputs.knownSignatures.contains) else { return 0x4000_0000 }
        return 0x4000_0000 + UInt32(index) * 0x100
    }

    /// Reads the recording; a line that is neither a signature nor a register line makes it unusable (the
    /// message says why).
    public static func parse(_ text: String) -> Result<CPUIDRecording, CPUIDRecordingError> {
        var body = Substring(text)
        while body.hasSuffix("\n") { body.removeLast() }
        var recording = CPUIDRecording(signatures: [])
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count <= maximumLines else { return .failure(.init("more than \(maximumLines) lines")) }
        for (number, line) in lines.enumerated() {
            if line.hasPrefix("msr ") {
                guard let (index, value) = registerLine(line.dropFirst(4)), index == UInt64(sevStatusMSR),
                      value.count == 1, let status = value.first?.1 else {
                    return .failure(.init("line \(number + 1) is not an 'msr 0xc0010131: 0x...' line"))
                }
                recording.sevStatus = status
            } else if line.hasPrefix("0x") {
                guard let (leaf, values) = registerLine(line), leaf <= UInt64(UInt32.max),
                      let registers = namedRegisters(values) else {
                    return .failure(.init("line \(number + 1) is not a '0x<leaf>: eax=... ebx=... ecx=... edx=...' line"))
                }
                recording.leaves[UInt32(leaf)] = registers
            } else {
                // A signature is at most 12 printable characters; anything else is not CPUID output.
                let printable = line.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
                guard printable, line.count <= 12 else {
                    return .failure(.init("expected a CPUID vendor signature of at most 12 printable characters"))
                }
                recording.signatures.append(String(line))
            }
        }
        if recording.signatures.isEmpty { recording.signatures = [""] }
        return .success(recording)
    }

    /// `<hex>: name=0x<hex> ...` or `<hex>: 0x<hex>` into the key and its (name, value) pairs.
    static func registerLine(_ line: Substring) -> (UInt64, [(String, UInt64)])? {
        guard let colon = line.firstIndex(of: ":"), let key = hex(line[..<colon]) else { return nil }
        var values: [(String, UInt64)] = []
        for field in line[line.index(after: colon)...].split(separator: " ") {
            if let equals = field.firstIndex(of: "=") {
                guard let value = hex(field[field.index(after: equals)...]) else { return nil }
                values.append((String(field[..<equals]), value))
            } else {
                guard let value = hex(field) else { return nil }
                values.append(("", value))
            }
        }
        return values.isEmpty || values.count > 4 ? nil : (key, values)
    }

    static func namedRegisters(_ values: [(String, UInt64)]) -> [UInt32]? {
        let names = ["eax", "ebx", "ecx", "edx"]
        guard values.count == 4, values.map(\.0) == names, values.allSatisfy({ $0.1 <= UInt64(UInt32.max) }) else { return nil }
        return values.map { UInt32($0.1) }
    }

    /// `0x` and 1–16 hex digits; anything longer or else is no number (never a trap on huge values).
    static func hex(_ text: Substring) -> UInt64? {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        return UInt64(digits, radix: 16)
    }

    /// The text `collect` writes: signatures up to the highest known one, then the register lines.
    public var recordedText: String {
        var last = signatures.lastIndex(where: DetectionInputs.knownSignatures.contains) ?? 0
        if signatures.isEmpty { last = -1 }
        var lines = last >= 0 ? Array(signatures[...last]) : [""]
        for leaf in leaves.keys.sorted() {
            guard let registers = leaves[leaf], registers.count == 4 else { continue }
            lines.append(String(format: "0x%08x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x",
                                leaf, registers[0], registers[1], registers[2], registers[3]))
        }
        if let sevStatus { lines.append(String(format: "msr 0x%08x: 0x%016llx", CPUIDRecording.sevStatusMSR, sevStatus)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A 12-byte signature from three registers in the given order (CPUID's vendor strings are ebx, edx,
    /// ecx for leaf 0 and TDX's leaf 0x21; ebx, ecx, edx for the hypervisor leaves).
    public static func vendorString(_ registers: [UInt32]) -> String {
        let bytes = registers.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    public func registers(_ leaf: UInt32) -> [UInt32]? {
        guard let registers = leaves[leaf], registers.count == 4 else { return nil }
        return registers
    }

    /// Leaf 0's vendor ("AuthenticAMD", "GenuineIntel").
    public var cpuVendor: String? { registers(0).map { Self.vendorString([$0[1], $0[3], $0[2]]) } }
    /// Leaf 1 ECX bit 31: the CPU says it runs under a hypervisor.
    public var hypervisorBit: Bool? { registers(1).map { $0[2] & 0x8000_0000 != 0 } }

    /// The live machine's leaves: everything detection and the confidential-guest decision use.
    static func live() -> CPUIDRecording? {
        #if arch(x86_64) || arch(i386)
        func read(_ leaf: UInt32) -> [UInt32]? {
            var registers = [UInt32](repeating: 0, count: 4)
            guard vd_cpuid_registers(leaf, 0, &registers) == 1 else { return nil }
            return registers
        }
        guard let leaf0 = read(0), let leaf1 = read(1) else { return nil }
        var recording = CPUIDRecording(signatures: [], leaves: [0: leaf0, 1: leaf1])
        // The hypervisor range up to the highest known signature (a KVM or Xen one above Hyper-V's).
        var signatures: [String] = []
        for index in 0..<256 {
            var buffer = [CChar](repeating: 0, count: 13)
            guard vd_cpuid_hypervisor_signature(0x4000_0000 + UInt32(index) * 0x100, &buffer) == 1 else { break }
            let text = String(decoding: buffer.prefix(12).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let printable = text.count <= 12 && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
            signatures.append(printable ? text : "")
        }
        let last = signatures.lastIndex(where: DetectionInputs.knownSignatures.contains)
        recording.signatures = last.map { Array(signatures[...$0]) } ?? [""]
        if leaf1[2] & 0x8000_0000 != 0, let hypervisor = read(0x4000_0000) {
            recording.leaves[0x4000_0000] = hypervisor
            if hypervisor[0] >= 0x4000_000C, hypervisor[0] <= 0x4000_FFFF {
                recording.leaves[0x4000_0003] = read(0x4000_0003)
                recording.leaves[0x4000_000C] = read(0x4000_000C)
            }
        }
        if leaf0[0] >= 0x21 { recording.leaves[0x21] = read(0x21) }
        if let extended = read(0x8000_0000), extended[0] >= 0x8000_001F {
            recording.leaves[0x8000_0000] = extended
            recording.leaves[0x8000_001F] = read(0x8000_001F)
        }
        if recording.cpuVendor == "AuthenticAMD", let sev = recording.registers(0x8000_001F), sev[0] & 0x2 != 0 {
            recording.sevStatus = readSEVStatus()
        }
        return recording
        #else
        return nil
        #endif
    }

    /// SEV_STATUS through the msr driver: root only, and only with the msr module loaded. nil otherwise.
    static func readSEVStatus() -> UInt64? {
        let descriptor = open("/dev/cpu/0/msr", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var value: UInt64 = 0
        let count = withUnsafeMutableBytes(of: &value) { pread(descriptor, $0.baseAddress, 8, off_t(sevStatusMSR)) }
        return count == 8 ? value : nil
    }
}

public struct CPUIDRecordingError: Error, Sendable, Equatable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}
