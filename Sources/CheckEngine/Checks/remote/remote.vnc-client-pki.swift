import DoctorCore
import HostFacts

/// remote.vnc-client-pki: the client side of VNC and libvirt TLS kept in users' ~/.pki: CA, client
/// certificate and key all present, valid, matching, and the key private to its owner.
enum RemoteVNCClientPKI: CheckEvaluator {
    static let id = "remote.vnc-client-pki"

    enum Condition: String, CaseIterable {
        case none
        case complete
        /// `{problems}` joins the fragments below.
        case incomplete
        case fileMissing = "file-missing"
        case fileNotValid = "file-not-valid"
        case keyMismatch = "key-mismatch"
        case keyOpen = "key-open"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let pki: ClientPKI
        do throws(FactError) {
            pki = try context.fact(Facts.clientPKI).value
        } catch .absent {
            return .skip(.none)
        }
        var problems: [String] = []
        var evidence: [Evidence] = []
        for directory in pki.directories {
            for path in directory.missing {
                problems.append(context.fragment(Condition.fileMissing, ["path": path]))
                evidence.append(Evidence(source: path, value: "missing"))
            }
            for entry in directory.certificates {
                guard let certificate = entry.file.certificates.first else {
                    problems.append(context.fragment(Condition.fileMissing, ["path": entry.path]))
                    evidence.append(Evidence(source: entry.path, value: entry.file.problem ?? "no certificate"))
                    continue
                }
                evidence.append(Evidence(source: entry.path, value: "\(certificate.subject); \(CertificateSupport.describe(certificate, now: context.now))"))
                if certificate.notAfter <= context.now || certificate.notBefore > context.now {
                    problems.append(context.fragment(Condition.fileNotValid, ["path": entry.path, "now": CertificateSupport.stamp(context.now)]))
                }
                if entry.keyMatches == false, let key = entry.keyPath {
                    problems.append(context.fragment(Condition.keyMismatch, ["key": key, "path": entry.path]))
                }
            }
            for (key, mode) in directory.openKeys.sorted(by: { $0.key < $1.key }) {
                problems.append(context.fragment(Condition.keyOpen, ["key": key, "mode": mode]))
                evidence.append(Evidence(source: key, value: "mode \(mode)"))
            }
        }
        let directories = pki.directories.map(\.path).joined(separator: ", ")
        guard !problems.isEmpty else {
            return .pass(.complete, ["directories": directories], evidence: evidence)
        }
        return .warn(.incomplete, ["problems": problems.joined(separator: "; "), "directories": directories, "directory": pki.directories[0].path], evidence: evidence)
    }
}
