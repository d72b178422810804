import DoctorCore
import HostFacts

/// cpu.flags-uniform: every logical CPU reports the same virtualization-relevant flags; a difference points
/// at firmware or microcode that set up one socket or core differently (VT off on one socket).
enum CPUFlagsUniform: CheckEvaluator {
    static let id = "cpu.flags-uniform"

    enum Condition: String, CaseIterable {
        case notX86 = "not-x86"
        case single
        /// Some flags are on some CPUs only: `flags` ("vmx (not on CPU 2, 3)"), `count` of such flags.
        case differ
        /// All `count` CPUs report the same flags.
        case uniform
    }

    static let compared = ["vmx", "svm", "constant_tsc", "nonstop_tsc", "lm", "nx", "pae", "hypervisor"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let cpu = try context.fact(Facts.cpuInfo).value
        guard cpu.family == "x86" else { return .skip(.notX86, ["family": cpu.family]) }
        let withFlags = cpu.processors.filter { !$0.flags.isEmpty }
        var evidence = [Evidence(source: "/proc/cpuinfo", value: "\(cpu.processors.count) logical CPUs, \(withFlags.count) with a flags line")]
        if !cpu.cpusWithoutFlags.isEmpty {
            evidence.append(Evidence(source: "/proc/cpuinfo", value: "no flags line for CPU " + cpu.cpusWithoutFlags.prefix(32).map(String.init).joined(separator: ", ")))
        }
        guard withFlags.count > 1 else { return .pass(.single, evidence: evidence) }
        var differing: [String] = []
        for flag in compared where cpu.hasAnywhere(flag) {
            let lacking = cpu.cpus(lacking: flag)
            guard !lacking.isEmpty else { continue }
            let list = lacking.prefix(16).map(String.init).joined(separator: ", ") + (lacking.count > 16 ? ", …" : "")
            differing.append("\(flag) (not on CPU \(list))")
            evidence.append(Evidence(source: "/proc/cpuinfo", value: "\(flag) on \(withFlags.count - lacking.count) of \(withFlags.count) CPUs, missing on CPU \(list)"))
        }
        let others = cpu.flagsOnAnyCPU.count - cpu.flagsOnAllCPUs.count - differing.count
        if others > 0 {
            evidence.append(Evidence(source: "/proc/cpuinfo", value: "\(others) other flags differ between CPUs"))
        }
        if !differing.isEmpty {
            return .warn(.differ, ["flags": differing.joined(separator: "; "), "count": String(differing.count)], evidence: evidence)
        }
        return .pass(.uniform, ["count": String(withFlags.count)], evidence: evidence)
    }
}
