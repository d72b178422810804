import DoctorCore
import HostFacts

/// xen.xend-running: on a Xen dom0 that uses the xend toolstack, the xend daemon must run for any guest to
/// be managed (xm, virsh, virt-manager all talk to it).
enum XenXendRunning: CheckEvaluator {
    static let id = "xen.xend-running"

    enum Condition: String, CaseIterable {
        case notXenHost = "not-xen-host"
        case noToolstack = "no-toolstack"
        case xlToolstack = "xl-toolstack"
        case unknown
        case running
        case notRunning = "not-running"
        case notRunningNotEnabled = "not-running-not-enabled"
    }

    static let tags = ["not-enabled"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let classified = HVSupport.classify(context)
        var evidence = classified.evidence
        guard classified.kind == .xenDom0 else { return .skip(.notXenHost, evidence: evidence) }
        let state: XendState
        do throws(FactError) {
            state = try context.fact(Facts.xend).value
        } catch .absent {
            return .skip(.noToolstack, evidence: evidence)
        }
        evidence.append(Evidence(source: "/etc/xen, /usr/sbin/xend",
                                 value: "xend-config.sxp \(state.configFile == nil ? "absent" : "present"), xend \(state.xendInstalled ? "installed" : "not installed"), xl.conf \(state.xlConfigured ? "present" : "absent")"))
        guard state.configFile != nil || state.xendInstalled else { return .pass(.xlToolstack, evidence: evidence) }
        guard let processes = context.optionalFact(Facts.processes) else { return .skip(.unknown, evidence: evidence) }
        let running = processes.value.names.contains("xend")
        evidence.append(Evidence(source: processes.sources.joined(separator: ", "), value: running ? "xend is running" : "no xend process"))
        if running { return .pass(.running, evidence: evidence) }
        let boot = context.optionalFact(Facts.enabledServices)
        if let boot {
            evidence.append(Evidence(source: boot.sources.joined(separator: ", "), value: boot.value.enabledAt("xend").map { "enabled at boot by \($0)" } ?? "xend is not enabled at boot"))
            if !boot.value.isEnabled("xend") { return .fail(.notRunningNotEnabled, evidence: evidence, tags: ["not-enabled"]) }
        }
        return .fail(.notRunning, evidence: evidence)
    }
}
