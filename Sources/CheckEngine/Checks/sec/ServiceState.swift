import DoctorCore
import HostFacts

// issue 12: remote — shared by sec.host-firewall and sec.minimal-services.

/// Whether a service is switched on, from every source a root may hold: enabled links in
/// /etc/systemd/system (and SysV rc links), a sos report's unit list, and the running processes.
struct ServiceState {
    var enabled: EnabledServices?
    var units: ServiceUnits?
    var processes: ProcessNames?

    init(_ context: EvaluationContext) {
        enabled = context.optionalFact(Facts.enabledServices)?.value
        units = context.optionalFact(Facts.serviceUnits)?.value
        processes = context.optionalFact(Facts.processes)?.value
    }

    var knowsNothing: Bool { enabled == nil && units == nil && processes == nil }

    /// Whether the unit's enablement can be told at all (a directory root with /etc/systemd/system, or a sos report).
    var knowsEnablement: Bool { enabled != nil || units != nil }

    /// How one of `units` (or a process named one of `processes`) shows as on, or nil: "enabled", "active", "running".
    func on(units names: [String], processes processNames: [String] = []) -> (how: String, evidence: Evidence)? {
        for name in names {
            if enabled?.masked.contains(name) == true { continue }
            if let link = enabled?.enabledAt(name) {
                return ("\(name) enabled", Evidence(source: link, value: "\(name) enabled"))
            }
            if units?.isActive(name) == true {
                return ("\(name) active", Evidence(source: "systemctl list-units", value: "\(name) active"))
            }
        }
        for name in processNames where processes?.names.contains(name) == true {
            return ("\(name) running", Evidence(source: "/proc/*/comm", value: "\(name) running"))
        }
        return nil
    }
}
