import DoctorCore
import HostFacts

/// guest.smartd: SMART disk monitoring running or enabled inside a virtual machine, whose disks are
/// virtual and have no SMART data; the host watches the physical drives.
enum GuestSmartd: CheckEvaluator {
    static let id = "guest.smartd"

    enum Condition: String, CaseIterable {
        case notAVM = "not-a-vm"
        /// Neither the process list nor the boot links could be read.
        case unknown
        case running
        case enabled
        case off
    }

    /// Red Hat names the unit smartd, Debian and Ubuntu smartmontools (with smartd as an alias).
    static let services = ["smartd", "smartmontools"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine else { return .skip(.notAVM) }
        let hypervisor = report.hypervisorName ?? "a hypervisor"
        let processes = context.optionalFact(Facts.processes)
        let boot = context.optionalFact(Facts.enabledServices)
        guard processes != nil || boot != nil else { return .skip(.unknown) }
        var evidence: [Evidence] = []
        let running = processes?.value.names.contains("smartd") == true
        if let processes {
            evidence.append(Evidence(source: processes.sources.joined(separator: ", "), value: running ? "smartd is running" : "no smartd process"))
        }
        let link = services.lazy.compactMap { boot?.value.enabledAt($0) }.first
        if let boot {
            evidence.append(Evidence(source: boot.sources.joined(separator: ", "), value: link.map { "enabled at boot by \($0)" } ?? "not enabled at boot"))
        }
        let unit = link.map { $0.contains("smartmontools") ? "smartmontools" : "smartd" } ?? "smartd"
        let variables = ["hypervisor": hypervisor, "unit": unit]
        if running { return .warn(.running, variables, evidence: evidence) }
        if link != nil { return .warn(.enabled, variables, evidence: evidence) }
        return .pass(.off, variables, evidence: evidence)
    }
}
