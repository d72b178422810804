import DoctorCore

/// `/proc/cpuinfo`, for every architecture the kernel prints it for.
///
/// x86 prints one block per logical CPU, separated by blank lines:
///
///     processor	: 0
///     vendor_id	: GenuineIntel
///     model name	: Intel(R) Core(TM) i5 CPU M 520 @ 2.40GHz
///     flags		: fpu vme de pse tsc msr pae ... vmx ... constant_tsc ... lm
///
/// arm lists `Features`, s390 one `features` line for the machine, ppc and sparc none at all: the parser
/// keeps the per-CPU flag sets it finds and reports which ones every CPU shares.
public struct CPUInfo: Codable, Sendable, Equatable {
    public struct Processor: Codable, Sendable, Equatable {
        public var index: Int
        public var vendor: String?
        public var modelName: String?
        public var flags: [String]
    }

    public var processors: [Processor]
    /// Architecture family as cpuinfo shows it: x86, arm, ppc, s390, sparc, riscv, loongarch, mips or unknown.
    public var family: String
    public var vendor: String?
    public var modelName: String?
    /// Flags present on every CPU that lists flags.
    public var flagsOnAllCPUs: [String]
    /// Flags present on at least one CPU.
    public var flagsOnAnyCPU: [String]
    /// CPUs whose block names no flags although others do: a truncated or inconsistent file.
    public var cpusWithoutFlags: [Int]

    public func hasEverywhere(_ flag: String) -> Bool { flagsOnAllCPUs.contains(flag) }
    public func hasAnywhere(_ flag: String) -> Bool { flagsOnAnyCPU.contains(flag) }
    /// CPUs that lack a flag that others have (one socket with VT switched off).
    public func cpus(lacking flag: String) -> [Int] {
        processors.filter { !$0.flags.isEmpty && !$0.flags.contains(flag) }.map(\.index)
    }

    public var virtualizationExtension: String? {
        if hasAnywhere("vmx") { return "vmx" }
        if hasAnywhere("svm") { return "svm" }
        return nil
    }

    public static func parse(_ text: String, source: String = "/proc/cpuinfo") throws(FactError) -> CPUInfo {
        try TextChecks.requireText(text, source: source)
        var blocks: [[(String, String)]] = [[]]
        var recognised = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if TextChecks.trimmed(line).isEmpty {
                if !blocks[blocks.count - 1].isEmpty { blocks.append([]) }
                continue
            }
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: ":"), !key.isEmpty else { continue }
            recognised += 1
            let lowered = key.lowercased()
            // A second "processor" line without a blank line before it still starts a new CPU.
            if lowered == "processor", blocks[blocks.count - 1].contains(where: { $0.0 == "processor" }) {
                blocks.append([])
            }
            blocks[blocks.count - 1].append((lowered, value))
        }
        blocks.removeAll { $0.isEmpty }
        guard recognised > 0 else {
            throw .unparsable(source: source, detail: "no 'name : value' lines")
        }

        let allKeys = Set(blocks.flatMap { $0.map(\.0) })
        var processors: [Processor] = []
        var machineFlags: [String] = []
        var vendor: String?
        var modelName: String?
        for block in blocks {
            var index: Int?
            var flags: [String]?
            var blockVendor: String?
            var blockModel: String?
            for (key, value) in block {
                switch key {
                case "processor":
                    // x86 and arm print "processor : N"; s390's "processor 0: version = ..." lines
                    // have the number in the key and stay machine-wide.
                    index = Int(value)
                case "flags", "features":
                    flags = value.split(whereSeparator: \.isWhitespace).map(String.init)
                case "vendor_id", "vendor", "cpu implementer":
                    if blockVendor == nil { blockVendor = value }
                case "model name", "cpu", "cpu model", "uarch":
                    if blockModel == nil { blockModel = value }
                default:
                    break
                }
            }
            vendor = vendor ?? blockVendor
            modelName = modelName ?? blockModel
            if let index {
                processors.append(Processor(index: index, vendor: blockVendor, modelName: blockModel, flags: flags ?? []))
            } else if let flags {
                machineFlags = flags
            }
        }
        // Architectures that print one flag line for the whole machine (s390, older arm) share it.
        if !machineFlags.isEmpty {
            if processors.isEmpty {
                processors = [Processor(index: 0, vendor: vendor, modelName: modelName, flags: machineFlags)]
            } else {
                for i in processors.indices where processors[i].flags.isEmpty { processors[i].flags = machineFlags }
            }
        }
        guard !processors.isEmpty || allKeys.contains("cpu") || allKeys.contains("type") || allKeys.contains("vendor_id") else {
            throw .unparsable(source: source, detail: "no processor entries")
        }

        let withFlags = processors.filter { !$0.flags.isEmpty }
        var common = Set(withFlags.first?.flags ?? [])
        var union = Set<String>()
        for processor in withFlags {
            common.formIntersection(processor.flags)
            union.formUnion(processor.flags)
        }
        let missing = withFlags.isEmpty ? [] : processors.filter { $0.flags.isEmpty }.map(\.index)
        return CPUInfo(
            processors: processors,
            family: family(keys: allKeys, vendor: vendor, model: modelName, text: text),
            vendor: vendor, modelName: modelName,
            flagsOnAllCPUs: common.sorted(), flagsOnAnyCPU: union.sorted(), cpusWithoutFlags: missing)
    }

    private static func family(keys: Set<String>, vendor: String?, model: String?, text: String) -> String {
        let vendorText = (vendor ?? "").lowercased()
        if vendorText.contains("s390") || keys.contains("bogomips per cpu") { return "s390" }
        if ["genuineintel", "authenticamd", "centaurhauls", "hygongenuine", "cyrixinstead", "geniune intel"]
            .contains(where: vendorText.contains) || keys.contains("cpu family") && keys.contains("flags") {
            return "x86"
        }
        if keys.contains("cpu implementer") || keys.contains("cpu architecture") { return "arm" }
        if keys.contains("isa") && keys.contains("mmu") || keys.contains("uarch") { return "riscv" }
        if text.lowercased().contains("loongson") || keys.contains("cpu family") && text.contains("Loongson") { return "loongarch" }
        if keys.contains("platform") && (keys.contains("cpu") || keys.contains("revision")) || (model ?? "").contains("POWER") {
            return "ppc"
        }
        if keys.contains("type") && text.contains("sun4") || (model ?? "").lowercased().contains("sparc") { return "sparc" }
        if keys.contains("cpu model") && text.lowercased().contains("mips") { return "mips" }
        if keys.contains("flags") { return "x86" }
        return "unknown"
    }
}

extension CPUInfo: FactValueRepresentable {
    /// cpuinfo is the fact rules read most, and it carries hundreds of flags per CPU.
    public var factValue: FactValue {
        func strings(_ values: [String]) -> FactValue { .list(values.map(FactValue.string)) }
        var members: [String: FactValue] = [
            "processors": .list(processors.map { processor in
                var fields: [String: FactValue] = ["index": .int(processor.index), "flags": strings(processor.flags)]
                if let vendor = processor.vendor { fields["vendor"] = .string(vendor) }
                if let model = processor.modelName { fields["modelName"] = .string(model) }
                return .object(fields)
            }),
            "family": .string(family),
            "flagsOnAllCPUs": strings(flagsOnAllCPUs),
            "flagsOnAnyCPU": strings(flagsOnAnyCPU),
            "cpusWithoutFlags": .list(cpusWithoutFlags.map(FactValue.int)),
        ]
        if let vendor { members["vendor"] = .string(vendor) }
        if let modelName { members["modelName"] = .string(modelName) }
        return .object(members)
    }
}
