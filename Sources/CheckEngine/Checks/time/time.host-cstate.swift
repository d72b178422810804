import DoctorCore
import HostFacts

/// time.host-cstate: where the TSC is not constant, deep C-states change its rate; the kernel parameter
/// processor.max_cstate=1 keeps CPUs out of them, now and after the next boot.
enum TimeHostCState: CheckEvaluator {
    static let id = "time.host-cstate"

    enum Condition: String, CaseIterable {
        case notX86 = "not-x86"
        case constantTSC = "constant-tsc"
        /// The running kernel and the default boot entry both limit C-states.
        case limited
        /// The running kernel limits them; the boot configuration could not be read.
        case limitedBootUnknown = "limited-boot-unknown"
        /// The running kernel limits them, the default boot entry does not: lost at the next boot.
        case notPersistent = "not-persistent"
        /// The default boot entry limits them, the running kernel does not yet.
        case pendingReboot = "pending-reboot"
        /// Neither limits them.
        case missing
    }

    /// The parameter that limits C-states in `parameters`, or nil: processor.max_cstate (or
    /// intel_idle.max_cstate) at 0 or 1, or idle=poll, which never enters a C-state.
    static func limit(in parameters: [String]) -> String? {
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if ["processor.max_cstate", "intel_idle.max_cstate"].contains(parts[0]),
               let value = CheckedNumbers.integer(parts[1], in: 0...1000), value <= 1 { return parameter }
            if parts[0] == "idle", parts[1] == "poll" { return parameter }
        }
        return nil
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let cpu = try context.fact(Facts.cpuInfo)
        guard cpu.value.family == "x86" else {
            return .skip(.notX86, ["family": cpu.value.family])
        }
        if cpu.value.hasEverywhere("constant_tsc") {
            return .pass(.constantTSC, evidence: [Evidence(source: "/proc/cpuinfo", value: "constant_tsc on every CPU")])
        }
        let cmdline = try context.fact(Facts.kernelCommandLine)
        let running = limit(in: cmdline.value)
        var evidence = [Evidence(source: "/proc/cpuinfo", value: "constant_tsc missing"),
                        Evidence(source: "/proc/cmdline", value: running ?? "no processor.max_cstate=1 (C-states not limited)")]
        let boot = context.optionalFact(Facts.bootConfig)?.value
        let entry = boot?.defaultEntry
        var variables: [String: String] = [:]
        var booted: String?
        if let boot, let entry {
            booted = limit(in: (entry.options ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
            evidence.append(Evidence(source: boot.configFile, value: "default entry \"\(entry.path)\": " + (booted ?? "no C-state limit")))
            variables["entry"] = entry.path
            variables["config"] = boot.configFile
        }
        switch (running, booted) {
        case (let now?, _?): return .pass(.limited, variables.merging(["parameter": now]) { $1 }, evidence: evidence)
        case (let now?, nil) where entry == nil:
            return .pass(.limitedBootUnknown, ["parameter": now], evidence: evidence)
        case (let now?, nil): return .warn(.notPersistent, variables.merging(["parameter": now]) { $1 }, evidence: evidence)
        case (nil, let later?): return .warn(.pendingReboot, variables.merging(["parameter": later]) { $1 }, evidence: evidence)
        case (nil, nil): return .warn(.missing, variables, evidence: evidence)
        }
    }
}
