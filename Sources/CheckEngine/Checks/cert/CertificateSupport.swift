import DoctorCore
import Foundation
import HostFacts

/// Where a certificate stands against its expiry, decided in one place so that `certs` (CertificateListing)
/// and the expiry checks never disagree about the same certificate at the same instant.
public enum CertificateState: String, Sendable, CaseIterable {
    /// notAfter is now or past.
    case expired
    /// Still valid, but so close to notAfter (`failDays` or fewer) that renewing every host calmly is no
    /// longer possible: the expiry checks fail.
    case tooLate = "too-late"
    /// Inside the renewal window (`windowDays` or fewer days left): the expiry checks warn.
    case renewalWindow = "renewal-window"
    case valid

    /// Days a certificate may have left before the expiry checks fail, unless a check file says otherwise.
    public static let defaultFailDays = 14
    /// The renewal window of a CA, which takes longer to roll out than a leaf certificate.
    public static let certificateAuthorityWindowDays = 365

    /// Whole days from `now` to the certificate's notAfter, rounded down (negative once expired).
    public static func daysLeft(_ certificate: CertificateRecord, now: Date) -> Int {
        CertificateSupport.days(certificate.notAfter.timeIntervalSince(now))
    }

    /// The state of `certificate` at `now`. notBefore is not looked at: a certificate that is not valid yet is
    /// cert.not-yet-valid's concern, and the listing says so before asking this.
    public static func classify(_ certificate: CertificateRecord, now: Date, windowDays: Int, failDays: Int = defaultFailDays) -> CertificateState {
        if certificate.notAfter <= now { return .expired }
        let left = daysLeft(certificate, now: now)
        if left <= failDays { return .tooLate }
        if left <= windowDays { return .renewalWindow }
        return .valid
    }
}

/// Helpers of the cert.* evaluators (and remote.console-tls, which judges the console certificates).
enum CertificateSupport {
    static func inventory(_ context: EvaluationContext) throws(FactError) -> CertificateInventory {
        try context.fact(Facts.certificates).value
    }

    static func days(_ seconds: TimeInterval) -> Int { CheckedNumbers.clampedInteger((seconds / 86_400).rounded(.down)) }

    static func stamp(_ date: Date) -> String { date.formatted(.iso8601) }

    /// Evidence text: "valid until 2026-07-15T00:00:00Z (44 days left)" or "expired 2026-05-31T00:00:00Z (1 day ago)".
    static func describe(_ certificate: CertificateRecord, now: Date) -> String {
        let left = days(certificate.notAfter.timeIntervalSince(now))
        if certificate.notAfter < now {
            let ago = max(1, -left)
            return "expired \(stamp(certificate.notAfter)) (\(ago) day\(ago == 1 ? "" : "s") ago)"
        }
        return "valid until \(stamp(certificate.notAfter)) (\(left) day\(left == 1 ? "" : "s") left)"
    }

    static func hostName(_ context: EvaluationContext) -> String? {
        context.optionalFact(Facts.hostname)?.value
    }

    /// Every inventory entry with its first certificate (entries that hold none are left out).
    static func allCertificates(_ context: EvaluationContext) throws(FactError) -> [(InventoryEntry, CertificateRecord)] {
        try inventory(context).entries.flatMap { entry in entry.file.certificates.prefix(1).map { (entry, $0) } }
    }
}
