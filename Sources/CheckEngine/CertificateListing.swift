import DoctorCore
import Foundation
import HostFacts

/// The `certs` inventory: every certificate found with its state at a given instant, rendered as text,
/// JSON or Prometheus textfile-collector metrics.
public struct CertificateListing: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var path: String
        public var role: String
        public var foundBy: String
        public var format: String
        /// Position in a bundle (0 for single files).
        public var index: Int
        public var subject: String?
        public var issuer: String?
        public var serial: String?
        public var subjectAlternativeNames: [String]
        public var keyType: String?
        public var notBefore: Date?
        public var notAfter: Date?
        public var daysLeft: Int?
        /// valid, renewal-window, too-late (renewal window, but fewer days left than the expiry checks accept:
        /// they fail), expired, not-yet-valid, unreadable, private-key
        public var state: String
        public var keyPath: String?
        public var keyMatches: Bool?
        /// Why the file is not a readable certificate, or what was only readable leniently.
        public var problem: String?
    }

    public var schemaVersion = 1
    public var root: String
    public var now: Date
    public var warningDays: Int
    public var items: [Item]
    public var backups: [String]

    public static func make(_ store: FactStore, now: Date, warningDays: Int) -> CertificateListing {
        var listing = CertificateListing(root: store.root.label, now: now, warningDays: warningDays, items: [], backups: [])
        guard let inventory = try? store.get(Facts.certificates) else { return listing }
        listing.backups = inventory.backups
        for entry in inventory.entries {
            if entry.file.certificates.isEmpty {
                listing.items.append(Item(
                    path: entry.path, role: entry.role.rawValue, foundBy: entry.foundBy, format: entry.file.format, index: 0,
                    subjectAlternativeNames: [], state: entry.file.containsPrivateKey ? "private-key" : "unreadable",
                    problem: entry.file.problem ?? (entry.file.containsPrivateKey ? "a private key, not a certificate (its content is not shown)" : nil)))
                continue
            }
            for (index, certificate) in entry.file.certificates.enumerated() {
                let daysLeft = CertificateState.daysLeft(certificate, now: now)
                // The same windows as the expiry checks (cert.engine-ca-expiry gives a CA a year), and the same
                // function, so `certs` and `check` name one certificate's state alike.
                let window = entry.role == .engineCA ? max(warningDays, CertificateState.certificateAuthorityWindowDays) : warningDays
                let state = certificate.notBefore > now ? "not-yet-valid"
                    : CertificateState.classify(certificate, now: now, windowDays: window).rawValue
                listing.items.append(Item(
                    path: entry.path, role: entry.role.rawValue, foundBy: entry.foundBy, format: entry.file.format, index: index,
                    subject: certificate.subject, issuer: certificate.issuer, serial: certificate.serialHex,
                    subjectAlternativeNames: certificate.subjectAlternativeNames, keyType: certificate.keyType,
                    notBefore: certificate.notBefore, notAfter: certificate.notAfter, daysLeft: daysLeft, state: state,
                    keyPath: index == 0 ? entry.keyPath : nil, keyMatches: index == 0 ? entry.keyMatches : nil,
                    problem: index == 0 ? (entry.file.problem ?? certificate.strictParseProblem.map { "read leniently: \($0)" }) : nil))
            }
        }
        return listing
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public func text() -> String {
        guard !items.isEmpty else {
            return "No certificates found under \(root) (known oVirt, libvirt, QEMU, Xen and engine locations; add others with --cert).\n"
        }
        var out = "Certificates as of \(now.formatted(.iso8601)) (renewal window \(warningDays) days)\n"
        for item in items {
            out += "\n\(item.path)\(item.index > 0 ? " [\(item.index + 1)]" : "")  (\(item.role), \(item.format), found by \(item.foundBy))\n"
            if let subject = item.subject {
                out += "  state:    \(item.state.uppercased())" + (item.daysLeft.map { $0 >= 0 ? ", \($0) days left" : ", expired \(-$0) day\(-$0 == 1 ? "" : "s") ago" } ?? "") + "\n"
                out += "  subject:  \(subject)\n  issuer:   \(item.issuer ?? "")\n  serial:   \(item.serial ?? "")\n"
                out += "  SAN:      \(item.subjectAlternativeNames.isEmpty ? "(none)" : item.subjectAlternativeNames.joined(separator: ", "))\n"
                out += "  key:      \(item.keyType ?? "?")" + (item.keyPath.map { " - private key \($0) " + (item.keyMatches.map { $0 ? "matches" : "DOES NOT MATCH" } ?? "not compared") } ?? "") + "\n"
                out += "  valid:    \(item.notBefore?.formatted(.iso8601) ?? "?") to \(item.notAfter?.formatted(.iso8601) ?? "?")\n"
            } else {
                out += "  state:    \(item.state.uppercased())\n"
            }
            if let problem = item.problem { out += "  note:     \(problem)\n" }
        }
        if !backups.isEmpty { out += "\nBackup copies left behind (may hold private keys): \(backups.joined(separator: ", "))\n" }
        return out
    }

    /// node_exporter textfile-collector format.
    public func prometheus() -> String {
        func label(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }
        var out = """
            # HELP virt_doctor_certificate_not_after_seconds notAfter of the certificate, in seconds since the epoch.
            # TYPE virt_doctor_certificate_not_after_seconds gauge
            # HELP virt_doctor_certificate_days_left Whole days until the certificate expires (negative once expired).
            # TYPE virt_doctor_certificate_days_left gauge
            # HELP virt_doctor_certificate_valid 1 when the certificate is valid now (after notBefore, before notAfter).
            # TYPE virt_doctor_certificate_valid gauge
            # HELP virt_doctor_certificate_key_match 1 when the private key beside the certificate belongs to it.
            # TYPE virt_doctor_certificate_key_match gauge
            # HELP virt_doctor_certificate_unreadable 1 for a certificate file that could not be read.
            # TYPE virt_doctor_certificate_unreadable gauge

            """
        for item in items {
            let labels = "path=\"\(label(item.path))\",role=\"\(item.role)\",index=\"\(item.index)\"" + (item.subject.map { ",subject=\"\(label($0))\"" } ?? "")
            if let notAfter = item.notAfter, let days = item.daysLeft {
                out += "virt_doctor_certificate_not_after_seconds{\(labels)} \(CheckedNumbers.clampedInteger(notAfter.timeIntervalSince1970.rounded(.down)))\n"
                out += "virt_doctor_certificate_days_left{\(labels)} \(days)\n"
                out += "virt_doctor_certificate_valid{\(labels)} \(["valid", "renewal-window", "too-late"].contains(item.state) ? 1 : 0)\n"
                if let matches = item.keyMatches { out += "virt_doctor_certificate_key_match{\(labels)} \(matches ? 1 : 0)\n" }
            } else if item.state == "unreadable" {
                out += "virt_doctor_certificate_unreadable{\(labels)} 1\n"
            }
        }
        out += "virt_doctor_certificate_scrape_timestamp_seconds \(CheckedNumbers.clampedInteger(now.timeIntervalSince1970.rounded(.down)))\n"
        return out
    }
}
