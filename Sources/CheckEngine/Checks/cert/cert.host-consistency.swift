import DoctorCore
import HostFacts

/// cert.host-consistency: the VNC, SPICE and libvirt client copies must be the current VDSM certificate.
enum CertHostConsistency: CheckEvaluator {
    static let id = "cert.host-consistency"
    /// `vnc` when a stale copy is the VNC one (the copy the after-expiry recovery forgets).
    static let tags = ["vnc"]

    enum Condition: String, CaseIterable {
        case noVDSM = "no-vdsm"
        case noCopies = "no-copies"
        case same
        /// `{copies}` (`count` of them) differ from vdsmcert.pem and none expires earlier.
        case stale
        /// They differ and exactly one of them expires earlier.
        case staleOneEarlier = "stale-one-earlier"
        /// They differ and several of them expire earlier.
        case staleEarlier = "stale-earlier"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try CertificateSupport.inventory(context)
        guard let vdsm = inventory.entries(.vdsm).first, let reference = vdsm.file.certificates.first else {
            return .skip(.noVDSM)
        }
        let copies = inventory.entries.filter { [.vnc, .spice, .libvirtClient].contains($0.role) }
        guard !copies.isEmpty else { return .skip(.noCopies) }
        var evidence = [Evidence(source: vdsm.path, value: "serial \(reference.serialHex), \(CertificateSupport.describe(reference, now: context.now))")]
        var differing: [(InventoryEntry, CertificateRecord)] = []
        // The service directories also hold a copy of the CA (libvirt-vnc/ca-cert.pem): that one is compared
        // with the CA vdsm trusts, never with vdsm's own certificate.
        let authority = inventory.entries(.engineCA).first { $0.path == "/etc/pki/vdsm/certs/cacert.pem" }
            ?? inventory.entries(.engineCA).first
        let authorityCertificate = authority?.file.certificates.first
        for copy in copies {
            guard let certificate = copy.file.certificates.first else { continue }
            let described = CertificateSupport.describe(certificate, now: context.now)
            if certificate.isCA && !reference.isCA {
                guard let authority, let authorityCertificate else {
                    evidence.append(Evidence(source: copy.path, value: "a CA certificate; no CA of vdsm's to compare it with, \(described)"))
                    continue
                }
                let same = certificate.sha256Fingerprint == authorityCertificate.sha256Fingerprint
                let name = authority.path.split(separator: "/").last.map(String.init) ?? authority.path
                evidence.append(Evidence(source: copy.path, value: (same ? "same CA certificate as \(name)" : "a different CA certificate than \(name): serial \(certificate.serialHex)") + ", \(described)"))
                if !same { differing.append((copy, certificate)) }
                continue
            }
            let same = certificate.sha256Fingerprint == reference.sha256Fingerprint
            evidence.append(Evidence(source: copy.path, value: (same ? "same certificate as vdsmcert.pem" : "a different certificate: serial \(certificate.serialHex)") + ", \(described)"))
            if !same { differing.append((copy, certificate)) }
        }
        if differing.isEmpty { return .pass(.same, evidence: evidence) }
        let expired = differing.filter { $0.1.notAfter <= context.now || $0.1.notAfter < reference.notAfter }
        let status: Status = differing.contains { $0.1.notAfter <= context.now } ? .fail : .warn
        let condition: Condition = expired.isEmpty ? .stale : expired.count == 1 ? .staleOneEarlier : .staleEarlier
        // `stale` selects the remediation step whichever sentence is used.
        let tags = ["stale"] + (differing.contains { $0.0.role == .vnc } ? ["vnc"] : [])
        return Outcome(status, condition, listVariables("copies", differing.map(\.0.path)), evidence: evidence, tags: tags)
    }
}
