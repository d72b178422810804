import DoctorCore
import Foundation
import HostFacts

/// ovirt.power-management: after a recent certificate renewal, remind that Power Management (fencing),
/// switched off for the service restarts, must be on again. The setting itself lives in the engine.
enum OVirtPowerManagement: CheckEvaluator {
    static let id = "ovirt.power-management"

    enum Condition: String, CaseIterable {
        case noCertificates = "no-certificates"
        /// The newest renewal is `{days}` days old (`{date}`, `{path}`).
        case recentRenewal = "recent-renewal"
        case noRecentRenewal = "no-recent-renewal"
    }

    /// How long after a renewal the reminder stands.
    static let recentDays = 30

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try CertificateSupport.inventory(context)
        var dated: [(path: String, date: Date)] = []
        for entry in inventory.entries where [.vdsm, .vnc, .spice, .libvirtClient].contains(entry.role) {
            guard let certificate = entry.file.certificates.first, !certificate.isCA else { continue }
            dated.append((entry.path, certificate.notBefore))
        }
        guard !dated.isEmpty else { return .skip(.noCertificates) }
        // The backup copies carry the renewal's date in their names (`.backup.YYYYMMDD`).
        if let backups = context.optionalFact(Facts.certificateBackups)?.value.backups {
            let parser = DateFormatter()
            parser.locale = Locale(identifier: "en_US_POSIX")
            parser.timeZone = TimeZone(identifier: "UTC")
            parser.dateFormat = "yyyy-MM-dd"
            for backup in backups {
                if let text = backup.dated, let date = parser.date(from: text) { dated.append((backup.path, date)) }
            }
        }
        // Dates after the run's instant are not renewals that happened (cert.not-yet-valid judges those).
        let past = dated.filter { $0.date <= context.now }
        guard let newest = past.max(by: { $0.date < $1.date }) else { return .skip(.noCertificates) }
        let days = CertificateSupport.days(context.now.timeIntervalSince(newest.date))
        let values = ["path": newest.path, "date": CertificateSupport.stamp(newest.date), "days": String(days),
                      "window": String(recentDays)]
        let evidence = past.sorted { $0.date > $1.date }.prefix(6).map { Evidence(source: $0.path, value: "dated \(CertificateSupport.stamp($0.date))") }
        if days <= recentDays { return .warn(.recentRenewal, values, evidence: Array(evidence)) }
        return .pass(.noRecentRenewal, values, evidence: Array(evidence))
    }
}
