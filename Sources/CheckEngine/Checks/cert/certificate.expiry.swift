import DoctorCore
import Foundation
import HostFacts

/// certificate.expiry: the ONE shared evaluator of the certificate expiry checks. cert.vdsm-expiry,
/// cert.vnc-expiry, cert.spice-expiry, cert.libvirt-tls-expiry, cert.libvirt-client-expiry, cert.engine-expiry
/// and cert.engine-ca-expiry all name it with `evaluator: certificate.expiry` and choose the certificates by
/// `parameters: { role: ... }`, so each of those seven files carries the summaries of every condition below.
/// A certificate's state comes from `CertificateState.classify`, which `certs` uses too.
enum CertificateExpiry: CheckEvaluator {
    static let id = "certificate.expiry"

    static let parameters: [String: ParameterSpec] = [
        "role": .oneOf(CertificateRole.allCases.filter { $0 != .other }.map(\.rawValue)),
        /// Days before notAfter at which the check starts to warn; the larger of this and --cert-warning-days counts.
        "windowDays": .integer(0...3650),
        /// Days before notAfter at which the check fails (too late to renew calmly).
        "failDays": .integer(0...3650),
    ]

    enum Condition: String, CaseIterable {
        /// The check file names no usable role (only a --checks-dir file that skipped validation could).
        case noRole = "no-role"
        case noCertificate = "no-certificate"
        /// One certificate of the role, valid beyond the window; `count` is its days left.
        case validOne = "valid-one"
        /// Several, all valid beyond the window; `count` is the soonest one's days left.
        case validAll = "valid-all"
        /// Reported problems, worst first in the choice of condition; the sentence is the list `{problems}`.
        case expired
        case tooLate = "too-late"
        case renew
        /// Only unreadable files: an error, listed without a final full stop as before.
        case unreadable
        // Fragments of `{problems}`, one per certificate file, in the order of the inventory.
        case fileExpired = "file-expired"
        case fileExpiredOneDayAgo = "file-expired-one-day-ago"
        /// notAfter is exactly now: expired, though the date reads as "valid until ... (0 days left)".
        case fileExpiresNow = "file-expires-now"
        case fileTooLate = "file-too-late"
        case fileInWindow = "file-in-window"
        case fileUnreadable = "file-unreadable"
        case fileUnreadableNoReason = "file-unreadable-no-reason"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        guard let roleName = context.check.parameters["role"], let role = CertificateRole(rawValue: roleName) else {
            return Outcome(.error, .noRole, ["check": context.check.id])
        }
        let entries: [InventoryEntry]
        do throws(FactError) {
            entries = try CertificateSupport.inventory(context).entries(role)
        } catch .absent {
            entries = []
        }
        guard !entries.isEmpty else {
            return .skip(.noCertificate, ["role": roleName])
        }
        let window = max(context.certificateWarningDays, Int(context.check.parameters["windowDays"] ?? "") ?? 0)
        let failDays = Int(context.check.parameters["failDays"] ?? "") ?? CertificateState.defaultFailDays
        var evidence: [Evidence] = []
        var worst: Status = .pass
        var reported: Set<Condition> = []
        var problems: [String] = []
        for entry in entries {
            guard let certificate = entry.file.certificates.first else {
                evidence.append(Evidence(source: entry.path, value: "unreadable", note: entry.file.problem))
                if let reason = entry.file.problem {
                    problems.append(context.fragment(Condition.fileUnreadable, ["path": entry.path, "reason": reason]))
                } else {
                    problems.append(context.fragment(Condition.fileUnreadableNoReason, ["path": entry.path]))
                }
                worst = max(worst, .error)
                continue
            }
            evidence.append(Evidence(source: entry.path, value: CertificateSupport.describe(certificate, now: context.now),
                                     note: "\(certificate.subject); found by \(entry.foundBy)"))
            let left = CertificateState.daysLeft(certificate, now: context.now)
            let values = ["path": entry.path, "date": CertificateSupport.stamp(certificate.notAfter), "days": String(left)]
            switch CertificateState.classify(certificate, now: context.now, windowDays: window, failDays: failDays) {
            case .expired:
                worst = max(worst, .fail)
                reported.insert(.expired)
                let ago = max(1, -left)
                let fragment: Condition = certificate.notAfter == context.now ? .fileExpiresNow : ago == 1 ? .fileExpiredOneDayAgo : .fileExpired
                problems.append(context.fragment(fragment, values.merging(["days": String(ago)]) { $1 }))
            case .tooLate:
                worst = max(worst, .fail)
                reported.insert(.renew)
                reported.insert(.tooLate)
                problems.append(context.fragment(Condition.fileTooLate, values))
            case .renewalWindow:
                worst = max(worst, .warn)
                reported.insert(.renew)
                problems.append(context.fragment(Condition.fileInWindow, values.merging(["window": String(window)]) { $1 }))
            case .valid:
                break
            }
        }
        if worst == .pass {
            let soonest = entries.compactMap(\.file.certificates.first).min { $0.notAfter < $1.notAfter }!
            let values = ["role": roleName, "certificates": String(entries.count),
                          "date": CertificateSupport.stamp(soonest.notAfter), "now": CertificateSupport.stamp(context.now),
                          "count": String(CertificateState.daysLeft(soonest, now: context.now))]
            return .pass(entries.count == 1 ? .validOne : .validAll, values, evidence: evidence)
        }
        let list = problems.joined(separator: "; ")
        if worst == .error && reported.isEmpty {
            return Outcome(.error, .unreadable, ["problems": list, "path": entries.first?.path ?? ""], evidence: evidence)
        }
        // The sentence is the same list whichever condition leads; the others select remediation steps too.
        let leading: Condition = reported.contains(.expired) ? .expired : reported.contains(.tooLate) ? .tooLate : .renew
        return Outcome(worst, leading,
                       ["problems": list, "path": entries.first?.path ?? "", "host": CertificateSupport.hostName(context) ?? "<host-fqdn>"],
                       evidence: evidence, tags: reported.map(\.rawValue).sorted())
    }
}
