import DoctorCore
import HostFacts

/// What the guest-side checks (guest, pvdrv, time) share: the virtualization detection, refused when its
/// evidence is garbage.
enum GuestSupport {
    /// The detection report; garbage in its evidence is an error of the check, never a guess.
    static func detection(_ context: EvaluationContext) throws(FactError) -> VirtualizationReport {
        let report = try context.fact(Facts.virtualization).value
        if !report.problems.isEmpty {
            throw .unparsable(source: "virtualization evidence", detail: report.problems.joined(separator: "; "))
        }
        return report
    }
}
