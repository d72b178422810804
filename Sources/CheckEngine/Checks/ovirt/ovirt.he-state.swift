import DoctorCore
import HostFacts

/// ovirt.he-state: the hosted-engine HA state — this host's score and what lowered it, local maintenance,
/// hosts whose metadata went stale, and whether any host runs the engine VM.
enum OVirtHEState: CheckEvaluator {
    static let id = "ovirt.he-state"

    enum Condition: String, CaseIterable {
        /// No /etc/ovirt-hosted-engine/hosted-engine.conf: not part of a self-hosted engine.
        case notHostedEngine = "not-hosted-engine"
        /// Part of one, but neither `hosted-engine --vm-status` output nor the HA agent's log is there.
        case noStatus = "no-status"
        /// Score 3400, no stale host, the engine VM up somewhere (when --vm-status tells): `{detail}`.
        case healthy
        /// --vm-status lists hosts, none with live data reports the engine VM up, outside global maintenance.
        case engineDown = "engine-down"
        /// `{hosts}` report "live-data": false / "unknown stale-data".
        case stale
        /// This host is in local maintenance (score 0).
        case localMaintenance = "local-maintenance"
        /// This host's score is below 3400: `{penalties}`.
        case penalized
        /// This host's score is 0 for another reason than local maintenance: `{penalties}`.
        case scoreZero = "score-zero"
        // Fragments.
        case penalty
        case penaltiesUnknown = "penalties-unknown"
        case detailScore = "detail-score"
        case detailEngine = "detail-engine"
        case detailHosts = "detail-hosts"
        case hostEntry = "host-entry"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: HostedEngineState
        do throws(FactError) {
            state = try context.fact(Facts.hostedEngine).value
        } catch .absent {
            return context.root.exists("/etc/ovirt-hosted-engine/hosted-engine.conf") ? .skip(.noStatus) : .skip(.notHostedEngine)
        }
        let hosts = state.hosts ?? []
        let own = hosts.first { $0.id == state.localHostID }
        let score = state.score ?? own?.score
        var evidence = [Evidence(source: state.source, value: state.detail)]
        for host in hosts {
            evidence.append(Evidence(source: state.source, value: describe(host)))
        }
        for penalty in state.penalties ?? [] {
            evidence.append(Evidence(source: "/var/log/ovirt-hosted-engine-ha/agent.log",
                                     value: "Penalizing score by \(penalty.points) due to \(penalty.reason)" + (penalty.time.map { " (\($0))" } ?? "")))
        }
        var values: [String: String] = ["source": state.source, "state": state.state ?? own?.state ?? "unknown",
                                         "score": score.map(String.init) ?? "unknown", "base": String(HostedEngineState.baseScore)]

        // 1. No host runs the engine VM (outside global maintenance, where it may be down on purpose).
        let live = hosts.filter { $0.liveData != false }
        if !hosts.isEmpty, !state.globalMaintenance, !live.contains(where: { $0.engineVM?.lowercased() == "up" }) {
            values.merge(listVariables("hosts", hosts.map { entry($0, context) })) { $1 }
            return .fail(.engineDown, values, evidence: evidence)
        }
        // 2. Hosts whose metadata is stale: the others ignore them, and they may still hold the VM.
        let stale = hosts.filter { $0.liveData == false }
        if !stale.isEmpty {
            values.merge(listVariables("hosts", stale.map { entry($0, context) })) { $1 }
            return .warn(.stale, values, evidence: evidence)
        }
        // 3. This host.
        if state.state == "LocalMaintenance" || own?.localMaintenance == true {
            return .warn(.localMaintenance, values, evidence: evidence)
        }
        if let score, score < HostedEngineState.baseScore {
            let penalties = (state.penalties ?? []).filter { $0.reason.lowercased() != "local maintenance mode" }
            values["penalties"] = penalties.isEmpty
                ? context.fragment(Condition.penaltiesUnknown)
                : penalties.map { context.fragment(Condition.penalty, ["points": String($0.points), "reason": $0.reason]) }.joined(separator: ", ")
            return score == 0 ? .warn(.scoreZero, values, evidence: evidence) : .warn(.penalized, values, evidence: evidence)
        }
        var detail: [String] = []
        if let score { detail.append(context.fragment(Condition.detailScore, ["score": String(score), "state": values["state"] ?? "unknown"])) }
        if let running = live.first(where: { $0.engineVM?.lowercased() == "up" }) {
            detail.append(context.fragment(Condition.detailEngine, ["host": running.hostname]))
        }
        if !hosts.isEmpty { detail.append(context.fragment(Condition.detailHosts, ["count": String(live.count), "total": String(hosts.count)])) }
        values["detail"] = detail.isEmpty ? state.detail : detail.joined(separator: "; ")
        return .pass(.healthy, values, evidence: evidence)
    }

    static func entry(_ host: HAHost, _ context: EvaluationContext) -> String {
        context.fragment(Condition.hostEntry, ["host": host.hostname, "id": String(host.id), "score": host.score.map(String.init) ?? "?",
                                               "vm": host.engineVM ?? "unknown"])
    }

    static func describe(_ host: HAHost) -> String {
        var parts = ["id \(host.id)", host.hostname]
        if let score = host.score { parts.append("score \(score)") }
        if let vm = host.engineVM { parts.append("engine VM \(vm)" + (host.engineHealth.map { "/\($0)" } ?? "")) }
        if host.liveData == false { parts.append("stale data") }
        if host.localMaintenance == true { parts.append("local maintenance") }
        if let state = host.state { parts.append("state \(state)") }
        return parts.joined(separator: ", ")
    }
}
