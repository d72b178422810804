import DoctorCore
import HostFacts

/// selinux.mode: sVirt confines each guest only while SELinux enforces, now and after the next boot.
enum SELinuxMode: CheckEvaluator {
    static let id = "selinux.mode"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        case enforcing
        /// Enforcing now, but /etc/selinux/config says otherwise (`{configured}`).
        case notPersisted = "not-persisted"
        case permissive
        /// Disabled now, with no configured mode to quote.
        case disabled
        /// Disabled now; `{configured}` is what /etc/selinux/config says.
        case disabledConfigured = "disabled-configured"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: Sourced<SELinuxState>
        do throws(FactError) {
            state = try context.fact(Facts.selinux)
        } catch .absent {
            return .skip(.notInstalled)
        }
        let value = state.value
        var evidence = [Evidence(source: value.runtimeSource, value: value.runtimeMode)]
        if let configured = value.configuredMode {
            evidence.append(Evidence(source: "/etc/selinux/config", value: "SELINUX=\(configured)" + (value.policyType.map { ", SELINUXTYPE=\($0)" } ?? "")))
        }
        // {policy} is for the remediation command's comment.
        var variables = ["policy": value.policyType ?? "targeted"]
        if let configured = value.configuredMode { variables["configured"] = configured }
        switch value.runtimeMode {
        case "enforcing":
            if let configured = value.configuredMode, configured != "enforcing" {
                return .warn(.notPersisted, variables, evidence: evidence)
            }
            return .pass(.enforcing, evidence: evidence)
        case "permissive":
            return .warn(.permissive, variables, evidence: evidence)
        default:
            return .warn(value.configuredMode == nil ? .disabled : .disabledConfigured, variables, evidence: evidence)
        }
    }
}
