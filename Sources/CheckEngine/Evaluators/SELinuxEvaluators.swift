import DoctorCore
import HostFacts

enum SELinuxEvaluators {
    static let mode: Evaluator = { context throws(FactError) in
        let state: Sourced<SELinuxState>
        do throws(FactError) {
            state = try context.fact(Facts.selinux)
        } catch .absent {
            return .skip("SELinux is not installed on this system (no /etc/selinux/config, no selinuxfs); Debian and Ubuntu confine guests with AppArmor instead.")
        }
        let value = state.value
        var evidence = [Evidence(source: value.runtimeSource, value: value.runtimeMode)]
        if let configured = value.configuredMode {
            evidence.append(Evidence(source: "/etc/selinux/config", value: "SELINUX=\(configured)" + (value.policyType.map { ", SELINUXTYPE=\($0)" } ?? "")))
        }
        let variables = ["policy": value.policyType ?? "targeted"]
        switch value.runtimeMode {
        case "enforcing":
            if let configured = value.configuredMode, configured != "enforcing" {
                return Observation(.warn, "SELinux enforces now but /etc/selinux/config says \(configured): the next reboot drops the protection sVirt gives each guest.",
                                   evidence: evidence, conditions: ["not-persisted"], variables: variables)
            }
            return .pass("SELinux is enforcing, so sVirt keeps each guest in its own confinement.", evidence: evidence)
        case "permissive":
            return Observation(.warn, "SELinux is permissive: denials are logged but not enforced, so a compromised guest process is not contained by sVirt.",
                               evidence: evidence, conditions: ["permissive"], variables: variables)
        default:
            return Observation(.warn, "SELinux is disabled" + (value.configuredMode.map { " (config: \($0))" } ?? "") + ": guests run without sVirt confinement, and images lose the labels they need when it is turned back on.",
                               evidence: evidence, conditions: ["disabled"], variables: variables)
        }
    }
}
