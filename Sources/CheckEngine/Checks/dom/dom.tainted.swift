import DoctorCore
import HostFacts

/// dom.tainted: libvirt's "Domain id=N is tainted: REASON" lines in the guest logs
/// (/var/log/libvirt/qemu/<guest>.log): guests running outside what libvirt and the vendors support, each
/// reason with what it means. issue 13: hit-a
enum DomTainted: CheckEvaluator {
    static let id = "dom.tainted"

    enum Condition: String, CaseIterable {
        case none
        /// No guest has written a log yet (or the logs were not captured with the rest).
        case noLogs = "no-logs"
        case tainted
        // Fragments of {guests}: one per taint reason of libvirt's virDomainTaint list, and the rest.
        case customArgv = "reason-custom-argv"
        case customMonitor = "reason-custom-monitor"
        case highPrivileges = "reason-high-privileges"
        case shellScripts = "reason-shell-scripts"
        case diskProbing = "reason-disk-probing"
        case externalLaunch = "reason-external-launch"
        case hostCPU = "reason-host-cpu"
        case hookScript = "reason-hook-script"
        case cdromPassthrough = "reason-cdrom-passthrough"
        case customDTB = "reason-custom-dtb"
        case customGACommand = "reason-custom-ga-command"
        case customHypervisorFeature = "reason-custom-hypervisor-feature"
        case deprecatedConfig = "reason-deprecated-config"
        case customDevice = "reason-custom-device"
        case nbdkitRestart = "reason-nbdkit-restart"
        case other = "reason-other"
    }

    /// Variables of the remediation commands: a guest tainted for these reasons.
    static let remediationGuests: [String: Set<String>] = [
        "argv_guest": ["custom-argv", "custom-device"], "disk_guest": ["disk-probing"], "cpu_guest": ["host-cpu"],
        "deprecated_guest": ["deprecated-config"],
        "restart_guest": ["custom-monitor", "custom-ga-command", "external-launch", "hook-script"],
    ]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let logs = try context.fact(Facts.libvirtGuestLogs)
        let guestLogs = logs.value.logsRead.filter { $0.hasPrefix("/var/log/libvirt/qemu/") }
        guard !logs.value.taints.isEmpty || !guestLogs.isEmpty else {
            return .skip(.noLogs, evidence: [Evidence(source: "/var/log/libvirt/qemu", value: "no guest log")])
        }
        guard !logs.value.taints.isEmpty else {
            let evidence = [Evidence(source: "/var/log/libvirt/qemu", value: "\(guestLogs.count) guest logs read, no taint line")]
            return .pass(.none, ["count": String(guestLogs.count)], evidence: evidence)
        }
        var evidence: [Evidence] = []
        var parts: [String] = []
        var reported = Set<String>()
        for taint in logs.value.taints.sorted(by: { $0.guest < $1.guest }) {
            evidence.append(Evidence(source: taint.log, value: "tainted: \(taint.reasons.joined(separator: ", "))"))
            let described = taint.reasons.map { reason -> String in
                let condition = Condition(rawValue: "reason-" + reason) ?? .other
                reported.insert(condition.rawValue)
                return context.fragment(condition, ["reason": reason])
            }
            parts.append("\(taint.guest): \(described.joined(separator: ", "))")
        }
        let sorted = logs.value.taints.sorted(by: { $0.guest < $1.guest })
        var variables = listVariables("names", sorted.map(\.guest))
        variables["guests"] = parts.joined(separator: "; ")
        variables["guest"] = sorted[0].guest
        // The remediation step of each reason names a guest that has it.
        for (variable, reasons) in remediationGuests {
            variables[variable] = sorted.first { !Set($0.reasons).isDisjoint(with: reasons) }?.guest ?? sorted[0].guest
        }
        return .warn(.tainted, variables, evidence: evidence, tags: reported.sorted())
    }
}
