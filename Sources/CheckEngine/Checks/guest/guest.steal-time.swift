import DoctorCore
import HostFacts

/// guest.steal-time: the share of CPU time since boot the hypervisor gave to others while this guest waited.
enum GuestStealTime: CheckEvaluator {
    static let id = "guest.steal-time"

    enum Condition: String, CaseIterable {
        case notAVM = "not-a-vm"
        /// 10% or more since boot: the host is overcommitted.
        case high
        case normal
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine else { return .skip(.notAVM) }
        let steal = try context.fact(Facts.stealTime).value
        let percent = (steal.percent * 10).rounded() / 10
        let evidence = [Evidence(source: "/proc/stat", value: "steal \(steal.stealTicks) of \(steal.totalTicks) ticks since boot (\(percent)%)")]
        let variables = ["percent": "\(percent)"]
        return steal.percent >= 10 ? .warn(.high, variables, evidence: evidence) : .pass(.normal, variables, evidence: evidence)
    }
}
