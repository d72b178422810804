import DoctorCore
import Foundation
import HostFacts

/// remote.tls-pki: when libvirt listens for TLS connections, its CA, server certificate and key must be
/// present, valid, issued by that CA, matched, and the key readable by root only.
enum RemoteTLSPKI: CheckEvaluator {
    static let id = "remote.tls-pki"

    enum Condition: String, CaseIterable {
        case noConfiguration = "no-configuration"
        case tlsOff = "tls-off"
        /// `{problems}` joins the fragments below that break the listener.
        case broken
        /// `{problems}` joins key-open fragments only.
        case weakKey = "weak-key"
        case valid
        case fileMissing = "file-missing"
        case fileUnreadable = "file-unreadable"
        case fileNotValid = "file-not-valid"
        case notIssuedByCA = "not-issued-by-ca"
        case keyMismatch = "key-mismatch"
        case keyOpen = "key-open"
    }

    static let defaultCA = "/etc/pki/CA/cacert.pem"
    static let defaultCertificate = "/etc/pki/libvirt/servercert.pem"
    static let defaultKey = LibvirtDaemonSettings.defaultServerKey

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state = RemoteListeners.State(context)
        guard !state.knowsNothing else { return .skip(.noConfiguration) }
        let tls = state.listener("tls", defaultPort: 16514)
        guard !tls.reasons.isEmpty else { return .skip(.tlsOff, ["port": String(tls.port)], evidence: tls.evidence) }
        var evidence = tls.evidence
        let ca = state.settings?.value("ca_file")?.value ?? defaultCA
        let certificatePath = state.settings?.value("cert_file")?.value ?? defaultCertificate
        let keyPath = state.settings?.value("key_file")?.value ?? defaultKey
        let inventory = context.optionalFact(Facts.certificates)?.value
        var failures: [String] = []
        var warnings: [String] = []

        func load(_ path: String) -> (InventoryEntry, CertificateRecord)? {
            guard let entry = inventory?.entry(at: path) else {
                failures.append(context.fragment(Condition.fileMissing, ["path": path]))
                evidence.append(Evidence(source: path, value: "missing"))
                return nil
            }
            guard let certificate = entry.file.certificates.first else {
                failures.append(context.fragment(Condition.fileUnreadable, ["path": path, "reason": entry.file.problem ?? "no certificate in it"]))
                evidence.append(Evidence(source: path, value: entry.file.problem ?? "no certificate"))
                return nil
            }
            evidence.append(Evidence(source: path, value: "\(certificate.subject); issuer \(certificate.issuer); \(CertificateSupport.describe(certificate, now: context.now))"))
            if certificate.notAfter <= context.now || certificate.notBefore > context.now {
                failures.append(context.fragment(Condition.fileNotValid, ["path": path, "now": CertificateSupport.stamp(context.now)]))
            }
            return (entry, certificate)
        }

        let caCertificate = load(ca)?.1
        if let (entry, certificate) = load(certificatePath) {
            if let caCertificate, certificate.issuer != caCertificate.subject {
                failures.append(context.fragment(Condition.notIssuedByCA, ["path": certificatePath, "issuer": certificate.issuer, "ca": caCertificate.subject]))
            }
            if entry.keyMatches == false {
                failures.append(context.fragment(Condition.keyMismatch, ["key": entry.keyPath ?? keyPath, "path": certificatePath]))
            }
        }
        // Only the key's mode and owner are looked at (from the fact, so a bundle that withholds the key
        // still knows them); its contents never leave the inventory's key comparison.
        if let info = state.settings?.serverKey, info.path == keyPath, info.kind == .regular {
            evidence.append(Evidence(source: keyPath, value: "mode \(info.modeOctal), uid \(info.uid), gid \(info.gid)"))
            // oVirt/HOSTVM nodes point libvirt at VDSM's key, which VDSM owns itself (vdsm:kvm, 0440) by design.
            let serviceOwned = context.profile == .ovirtNode
            let groupOpen = info.mode & 0o070 != 0 && info.gid != 0 && !serviceOwned
            if info.mode & 0o007 != 0 || groupOpen || (info.uid != 0 && !serviceOwned) {
                warnings.append(context.fragment(Condition.keyOpen, ["key": keyPath, "mode": info.modeOctal, "uid": String(info.uid), "gid": String(info.gid)]))
            }
        } else if state.settings != nil || inventory?.entry(at: certificatePath)?.keyPath == nil {
            failures.append(context.fragment(Condition.fileMissing, ["path": keyPath]))
            evidence.append(Evidence(source: keyPath, value: "missing"))
        }
        let variables = ["reasons": tls.reasons.joined(separator: "; "), "port": String(tls.port), "ca": ca, "certificate": certificatePath, "key": keyPath]
        if !failures.isEmpty {
            return .fail(.broken, variables.merging(["problems": failures.joined(separator: "; ")]) { $1 }, evidence: evidence)
        }
        if !warnings.isEmpty {
            return .warn(.weakKey, variables.merging(["problems": warnings.joined(separator: "; ")]) { $1 }, evidence: evidence)
        }
        return .pass(.valid, variables, evidence: evidence)
    }
}
