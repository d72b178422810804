import DoctorCore
import HostFacts

/// remote.xen-vnc-tls: legacy Xen's (vnc-tls 1) needs ca-cert.pem, server-cert.pem and server-key.pem in
/// vnc-x509-cert-dir; without (vnc-x509-verify 1) any client may connect.
enum RemoteXenVNCTLS: CheckEvaluator {
    static let id = "remote.xen-vnc-tls"

    enum Condition: String, CaseIterable {
        case tlsOff = "tls-off"
        /// `{problems}` joins the fragments below.
        case broken
        case noClientVerify = "no-client-verify"
        case valid
        case fileMissing = "file-missing"
        case fileUnreadable = "file-unreadable"
        case fileNotValid = "file-not-valid"
        case notIssuedByCA = "not-issued-by-ca"
        case keyMismatch = "key-mismatch"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let xend = try context.fact(Facts.xendVNC).value
        let source = "/etc/xen/xend-config.sxp"
        guard xend.settings["vnc-tls"] == "1", let directory = xend.certificateDirectory else {
            return .skip(.tlsOff, evidence: [Evidence(source: source, value: "vnc-tls \(xend.settings["vnc-tls"] ?? "unset")")])
        }
        var evidence = [Evidence(source: source, value: "(vnc-tls 1), (vnc-x509-cert-dir \(directory)), (vnc-x509-verify \(xend.settings["vnc-x509-verify"] ?? "unset"))")]
        var problems: [String] = []
        for path in xend.missing {
            problems.append(context.fragment(Condition.fileMissing, ["path": path]))
            evidence.append(Evidence(source: path, value: "missing"))
        }
        var ca: CertificateRecord?
        for entry in xend.files {
            guard let certificate = entry.file.certificates.first else {
                problems.append(context.fragment(Condition.fileUnreadable, ["path": entry.path, "reason": entry.file.problem ?? "no certificate in it"]))
                continue
            }
            evidence.append(Evidence(source: entry.path, value: "\(certificate.subject); \(CertificateSupport.describe(certificate, now: context.now))"))
            if entry.path.hasSuffix("/ca-cert.pem") { ca = certificate }
            if certificate.notAfter <= context.now || certificate.notBefore > context.now {
                problems.append(context.fragment(Condition.fileNotValid, ["path": entry.path, "now": CertificateSupport.stamp(context.now)]))
            }
            if entry.keyMatches == false, let key = entry.keyPath {
                problems.append(context.fragment(Condition.keyMismatch, ["key": key, "path": entry.path]))
            }
        }
        if let ca, let server = xend.files.first(where: { $0.path.hasSuffix("/server-cert.pem") })?.file.certificates.first, server.issuer != ca.subject {
            problems.append(context.fragment(Condition.notIssuedByCA, ["path": "\(directory)/server-cert.pem", "issuer": server.issuer, "ca": ca.subject]))
        }
        if !problems.isEmpty {
            return .fail(.broken, ["problems": problems.joined(separator: "; "), "directory": directory], evidence: evidence)
        }
        if xend.settings["vnc-x509-verify"] != "1" {
            return .warn(.noClientVerify, ["directory": directory], evidence: evidence)
        }
        return .pass(.valid, ["directory": directory], evidence: evidence)
    }
}
