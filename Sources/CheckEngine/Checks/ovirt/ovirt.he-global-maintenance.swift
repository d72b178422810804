import DoctorCore
import HostFacts

/// ovirt.he-global-maintenance: a self-hosted engine left in global maintenance after a renewal.
enum OVirtHEGlobalMaintenance: CheckEvaluator {
    static let id = "ovirt.he-global-maintenance"

    enum Condition: String, CaseIterable {
        /// No /etc/ovirt-hosted-engine/hosted-engine.conf: not part of a self-hosted engine.
        case notHostedEngine = "not-hosted-engine"
        /// Part of one, but neither `hosted-engine --vm-status` output nor the HA agent's log is there.
        case noStatus = "no-status"
        case off
        /// Global maintenance; `{since}` unknown (from `hosted-engine --vm-status`).
        case global
        /// Global maintenance since `{since}` (from the HA agent's log).
        case globalSince = "global-since"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: HostedEngineState
        do throws(FactError) {
            state = try context.fact(Facts.hostedEngine).value
        } catch .absent {
            return context.root.exists("/etc/ovirt-hosted-engine/hosted-engine.conf") ? .skip(.noStatus) : .skip(.notHostedEngine)
        }
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
