import DoctorCore
import HostFacts

enum TimeEvaluators {
    /// Frequency scaling only hurts guest clocks when the TSC rate follows the CPU frequency.
    static let hostFrequencyScaling: Evaluator = { context throws(FactError) in
        let cpu = try context.fact(Facts.cpuInfo)
        guard cpu.value.family == "x86" else {
            return .skip("The constant-TSC concern is specific to x86 CPUs; this is \(cpu.value.family).")
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
            return .pass("The TSC runs at a constant rate, so CPU frequency changes do not disturb guest clocks.", evidence: evidence)
        }
        let highest = frequency.value.cpus.compactMap { $0.availableKHz.max() ?? $0.hardwareMaxKHz }.max()
        let variables = ["max_khz": highest.map(String.init) ?? "<highest frequency>"]
        if !scaling.isEmpty {
            return Observation(.warn, "The TSC is not constant and the CPU frequency can change (\(scaling.count) CPUs, governor \(scaling.first?.governor ?? "?")): guest clocks on this host will drift. Pin the frequency to its maximum.",
                               evidence: evidence, conditions: ["scaling"], variables: variables)
        }
        if let minimum = frequency.value.cpuspeedMin, let maximum = frequency.value.cpuspeedMax, minimum != maximum {
            return Observation(.warn, "The TSC is not constant and /etc/sysconfig/cpuspeed lets the frequency range from \(minimum) to \(maximum).",
                               evidence: evidence, conditions: ["cpuspeed"], variables: variables)
        }
        return .pass("The TSC is not constant, but the CPU frequency is fixed, which is what guests need.", evidence: evidence)
    }
}
