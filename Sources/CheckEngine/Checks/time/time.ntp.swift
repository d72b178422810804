import DoctorCore
import HostFacts

/// time.ntp: a running time service keeps the clock synchronised, as the kernel's own flag confirms.
enum TimeNTP: CheckEvaluator {
    static let id = "time.ntp"

    enum Condition: String, CaseIterable {
        /// Inside a container the clock is the host's: nothing to judge here.
        case inContainer = "in-container"
        /// No time service runs.
        case none
        /// A service runs but the kernel says the clock is not synchronised.
        case unsynchronized
        /// A service runs and the kernel says the clock is synchronised.
        case synchronized
        /// A service runs; the kernel's flag could not be read.
        case running
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        if let signals = context.optionalFact(Facts.virtualMachine)?.value, let container = signals.container {
            return .skip(.inContainer, ["container": container])
        }
        let sync = try context.fact(Facts.timeSync).value
        var evidence = [Evidence(source: sync.runningSource ?? "/proc/*/comm", value: sync.running.isEmpty ? "no time service running" : "running: " + sync.running.joined(separator: ", ")),
                        Evidence(source: "configuration", value: sync.configured.isEmpty ? "no time service configured" : "configured: " + sync.configured.joined(separator: ", "))]
        if let synchronized = sync.kernelSynchronized {
            evidence.append(Evidence(source: sync.synchronizedSource ?? "kernel", value: synchronized ? "clock synchronised" : "clock not synchronised (STA_UNSYNC)"))
        }
        if sync.running.isEmpty {
            // Nothing seen running in evidence that never listed processes: the process list's own error
            // (not captured) is the answer.
            if sync.processesUnknown == true { _ = try context.fact(Facts.processes) }
            return .warn(.none, evidence: evidence)
        }
        let services = listVariables("services", sync.running)
        if sync.kernelSynchronized == false {
            return .warn(.unsynchronized, services, evidence: evidence)
        }
        return .pass(sync.kernelSynchronized == true ? .synchronized : .running, services, evidence: evidence)
    }
}
