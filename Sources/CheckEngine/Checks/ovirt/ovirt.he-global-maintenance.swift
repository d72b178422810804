import DoctorCore
import HostFacts

/// ovirt.he-global-maintenance: a self-hosted engine left in global maintenance after a renewal.
enum OVirtHEGlobalMaintenance: CheckEvaluator {
    static let id = "ovirt.he-global-maintenance"

    enum Condition: String, CaseIterable {
        case off
        /// Global maintenance; `{since}` unknown (from `hosted-engine --vm-status`).
        case global
        /// Global maintenance since `{since}` (from the HA agent's log).
        case globalSince = "global-since"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state = try context.fact(Facts.hostedEngine).value
        let evidence = [Evidence(source: state.source, value: state.detail)]
        var values = ["source": state.source, "detail": state.detail, "state": state.state ?? "-"]
        guard state.globalMaintenance else { return .pass(.off, values, evidence: evidence) }
        if let since = state.since {
            values["since"] = since
            return .warn(.globalSince, values, evidence: evidence, tags: ["global"])
        }
        return .warn(.global, values, evidence: evidence)
    }
}
