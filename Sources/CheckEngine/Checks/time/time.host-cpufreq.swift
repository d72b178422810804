import DoctorCore
import HostFacts

/// time.host-cpufreq: frequency scaling only hurts guest clocks when the TSC rate follows the CPU frequency.
enum TimeHostCPUFreq: CheckEvaluator {
    static let id = "time.host-cpufreq"

    enum Condition: String, CaseIterable {
        case notX86 = "not-x86"
        case constantTSC = "constant-tsc"
        /// TSC not constant and cpufreq can change the frequency (`count` CPUs).
        case scaling
        /// TSC not constant and /etc/sysconfig/cpuspeed gives a range.
        case cpuspeed
        /// TSC not constant, but the frequency is fixed.
        case fixedFrequency = "fixed-frequency"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let cpu = try context.fact(Facts.cpuInfo)
        guard cpu.value.family == "x86" else {
            return .skip(.notX86, ["family": cpu.value.family])
        }
        let frequency = try context.fact(Facts.cpuFrequency)
        let constant = cpu.value.hasEverywhere("constant_tsc")
        var evidence = [Evidence(source: "/proc/cpuinfo", value: constant ? "constant_tsc on every CPU" : "constant_tsc missing")]
        let scaling = frequency.value.cpus.filter(\.canVary)
        if let first = frequency.value.cpus.first {
            evidence.append(Evidence(source: "/sys/devices/system/cpu/\(first.cpu)/cpufreq",
                                     value: "governor \(first.governor ?? "?"), \(first.minKHz.map(String.init) ?? "?")-\(first.maxKHz.map(String.init) ?? "?") kHz"
                                        + (frequency.value.cpus.count > 1 ? " (\(scaling.count) of \(frequency.value.cpus.count) CPUs can change frequency)" : "")))
        } else {
            evidence.append(Evidence(source: "/sys/devices/system/cpu", value: "no cpufreq directories: the kernel does not scale the frequency"))
        }
        if let minimum = frequency.value.cpuspeedMin, let maximum = frequency.value.cpuspeedMax {
            evidence.append(Evidence(source: "/etc/sysconfig/cpuspeed", value: "MIN_SPEED=\(minimum) MAX_SPEED=\(maximum)"))
        }
        if constant {
            return .pass(.constantTSC, evidence: evidence)
        }
        let highest = frequency.value.cpus.compactMap { $0.availableKHz.max() ?? $0.hardwareMaxKHz }.max()
        // The remediation's placeholder when no highest frequency is known: the reader fills it in.
        var variables = ["max_khz": highest.map(String.init) ?? "<highest frequency>"]
        if !scaling.isEmpty {
            variables["count"] = String(scaling.count)
            variables["governor"] = scaling.first?.governor ?? "?"
            return .warn(.scaling, variables, evidence: evidence)
        }
        if let minimum = frequency.value.cpuspeedMin, let maximum = frequency.value.cpuspeedMax, minimum != maximum {
            variables["minimum"] = String(minimum)
            variables["maximum"] = String(maximum)
            return .warn(.cpuspeed, variables, evidence: evidence)
        }
        return .pass(.fixedFrequency, evidence: evidence)
    }
}
