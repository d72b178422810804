import DoctorCore
import Foundation
import HostFacts

/// remote.console-tls: qemu.conf's console TLS switches against the certificates that must be in the
/// configured directory.
enum RemoteConsoleTLS: CheckEvaluator {
    static let id = "remote.console-tls"

    enum Condition: String, CaseIterable {
        case noQemuConf = "no-qemu-conf"
        case tlsOff = "tls-off"
        /// `{problems}` joins fragments below; any of the file-* ones but file-expiring makes it broken.
        case broken
        /// `{problems}` joins file-expiring fragments only.
        case renew
        case valid
        case fileMissing = "file-missing"
        case fileUnreadable = "file-unreadable"
        case fileNotValid = "file-not-valid"
        case fileExpiring = "file-expiring"
        case keyMismatch = "key-mismatch"
        /// A mismatch reported without the key's path.
        case unnamedKeyMismatch = "unnamed-key-mismatch"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let settings: [String: String]
        do throws(FactError) {
            settings = try context.fact(Facts.qemuConfiguration).value
        } catch .absent {
            return .skip(.noQemuConf)
        }
        let consoles = [("vnc", "/etc/pki/libvirt-vnc"), ("spice", "/etc/pki/libvirt-spice")].filter { settings["\($0.0)_tls"] == "1" }
        guard !consoles.isEmpty else {
            return .skip(.tlsOff)
        }
        let inventory = try? context.fact(Facts.certificates).value
        var evidence: [Evidence] = []
        var failures: [String] = []
        var warnings: [String] = []
        var firstDirectory = ""
        for (console, defaultDirectory) in consoles {
            let directory = settings["\(console)_tls_x509_cert_dir"] ?? settings["default_tls_x509_cert_dir"] ?? defaultDirectory
            if firstDirectory.isEmpty { firstDirectory = directory }
            evidence.append(Evidence(source: "/etc/libvirt/qemu.conf", value: "\(console)_tls = 1, certificates in \(directory)"))
            for file in ["ca-cert.pem", "server-cert.pem"] {
                let path = "\(directory)/\(file)"
                guard let entry = inventory?.entry(at: path) else {
                    failures.append(context.fragment(Condition.fileMissing, ["path": path]))
                    evidence.append(Evidence(source: path, value: "missing"))
                    continue
                }
                guard let certificate = entry.file.certificates.first else {
                    failures.append(context.fragment(Condition.fileUnreadable, ["path": path, "reason": entry.file.problem ?? "?"]))
                    continue
                }
                evidence.append(Evidence(source: path, value: CertificateSupport.describe(certificate, now: context.now)))
                if certificate.notAfter <= context.now || certificate.notBefore > context.now {
                    failures.append(context.fragment(Condition.fileNotValid, ["path": path, "now": CertificateSupport.stamp(context.now)]))
                } else if certificate.notAfter.timeIntervalSince(context.now) < Double(context.certificateWarningDays) * 86_400 {
                    warnings.append(context.fragment(Condition.fileExpiring, ["path": path, "days": String(context.certificateWarningDays)]))
                }
                if entry.keyMatches == false {
                    if let key = entry.keyPath {
                        failures.append(context.fragment(Condition.keyMismatch, ["key": key, "path": path]))
                    } else {
                        failures.append(context.fragment(Condition.unnamedKeyMismatch, ["path": path]))
                    }
                }
            }
            // The inventory notes the key beside each certificate (a bundle keeps that without the key itself).
            if let server = inventory?.entry(at: "\(directory)/server-cert.pem"), server.keyPath == nil {
                failures.append(context.fragment(Condition.fileMissing, ["path": "\(directory)/server-key.pem"]))
            }
        }
        if !failures.isEmpty {
            return .fail(.broken, ["problems": failures.joined(separator: "; "), "directory": firstDirectory], evidence: evidence)
        }
        if !warnings.isEmpty {
            return .warn(.renew, ["problems": warnings.joined(separator: "; "), "directory": firstDirectory], evidence: evidence)
        }
        return .pass(.valid, evidence: evidence)
    }
}
