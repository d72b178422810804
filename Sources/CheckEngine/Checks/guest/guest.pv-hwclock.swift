import DoctorCore
import HostFacts

/// guest.pv-hwclock: a Xen paravirtualized guest takes its time from the hypervisor and cannot set the
/// hardware clock; hwclock's failed audit record at boot is expected, and time is fixed in dom0.
enum GuestPVHwclock: CheckEvaluator {
    static let id = "guest.pv-hwclock"

    enum Condition: String, CaseIterable {
        case notXenPV = "not-xen-pv"
        case clockFromHypervisor = "clock-from-hypervisor"
        case hwclockRefused = "hwclock-refused"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.hypervisorVendor == "Xen", report.virtualizationType == "para", report.hypervisorHost == nil else {
            return .skip(.notXenPV)
        }
        let audit = context.optionalFact(Facts.hwclockAudit)
        var evidence: [Evidence] = report.reasoning.prefix(1).map { Evidence(source: "virtualization detection", value: $0) }
        if let audit {
            evidence.append(Evidence(source: audit.sources.joined(separator: ", "),
                                     value: audit.value.lines.isEmpty ? "no hwclock audit records" : audit.value.lines.suffix(3).joined(separator: " | ")))
        }
        if let failed = audit?.value.failed, !failed.isEmpty {
            return .warn(.hwclockRefused, ["count": String(failed.count)], evidence: evidence)
        }
        return .pass(.clockFromHypervisor, evidence: evidence)
    }
}
