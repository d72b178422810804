import Crypto
import DoctorCore
import Foundation
import X509

// issue 13: certs — what an oVirt/HOSTVM node and engine keep in their PKI directories beyond the certificate
// inventory: leftovers of an interrupted enrollment, the node's expected set of certificates, and the engine's
// web certificates judged against the engine CA and their PKCS#12 copies.

/// A file left in a PKI directory by an enrollment that did not finish (`vdsmkey.pending.pem`,
/// `libvirt-migrate/server-key.pending.pem`, `host-ssh_host_rsa.pending`). Only names and sizes are read:
/// a pending file is usually a private key, and its content is none of our business.
public struct PendingEnrollmentFile: Codable, Sendable, Equatable {
    public var path: String
    public var size: Int?
    /// What the name says it is: "private key", "certificate", "certificate request" or "file".
    public var kind: String
}

public struct PendingEnrollment: Codable, Sendable, Equatable {
    /// The PKI directories that exist and were listed.
    public var directoriesSearched: [String]
    public var leftovers: [PendingEnrollmentFile]

    /// Where host deployment (ovirt-engine's ovirt-host-deploy-*-certificates roles, and otopi's
    /// ovirt-host-deploy before them) and the engine's enrollment scripts put their pending files.
    public static let directories = [
        "/etc/pki/vdsm/keys", "/etc/pki/vdsm/certs", "/etc/pki/vdsm/libvirt-migrate", "/etc/pki/vdsm/libvirt-spice",
        "/etc/pki/vdsm/libvirt-vnc", "/etc/pki/vdsm/ovn", "/etc/pki/libvirt", "/etc/pki/libvirt/private",
        "/etc/pki/ovirt-vmconsole", "/etc/pki/ovirt-engine/requests", "/etc/pki/ovirt-engine/requests-qemu",
        "/etc/pki/ovirt-engine/certs", "/etc/pki/ovirt-engine/keys",
    ]

    /// `name.pending`, `name.pending.pem`, `name.pending.key`, `name.pending.req` ...
    public static func isPending(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".pending") || lower.contains(".pending.")
    }

    public static func kind(_ name: String) -> String {
        let lower = name.lowercased()
        if lower.hasSuffix(".req") || lower.hasSuffix(".csr") { return "certificate request" }
        if lower.contains("key") || lower.hasSuffix(".key") || lower.hasSuffix("_rsa.pending") { return "private key" }
        if lower.contains("cert") || lower.hasSuffix(".cer") || lower.hasSuffix(".crt") { return "certificate" }
        return "file"
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<PendingEnrollment> {
        var result = PendingEnrollment(directoriesSearched: [], leftovers: [])
        var unknown: FactError?
        for directory in directories {
            let names: [String]
            do throws(FactError) {
                names = try root.list(directory)
            } catch {
                if error.isUnknownFromEvidence || error.isPermissionDenied { unknown = unknown ?? error }
                continue
            }
            result.directoriesSearched.append(directory)
            for name in names.sorted() where isPending(name) {
                let path = directory + "/" + name
                result.leftovers.append(PendingEnrollmentFile(path: path, size: (try? root.fileInfo(path))?.size, kind: kind(name)))
                if result.leftovers.count >= 1_000 { break }
            }
        }
        guard !result.directoriesSearched.isEmpty else {
            if let unknown { throw unknown }
            throw .absent("the oVirt PKI directories (/etc/pki/vdsm, /etc/pki/ovirt-engine, /etc/pki/ovirt-vmconsole)")
        }
        // sos's vdsm plugin never copies /etc/pki/vdsm/keys nor any */*-key.* file: the pending keys, which are
        // what an interrupted enrollment leaves, are not in a sos report. What it holds is reported; "none"
        // cannot be said.
        if root.evidence.kind == .sosReport && result.leftovers.isEmpty {
            throw root.liveOnly("pending private keys (sos's vdsm plugin never copies /etc/pki/vdsm/keys or *-key.* files)")
        }
        return Sourced(result, sources: result.directoriesSearched)
    }
}

/// One certificate an oVirt node is expected to hold, and whether it is there.
public struct NodePKIFile: Codable, Sendable, Equatable {
    /// "vdsm", "vdsm-key", "engine-ca", "spice", "vnc", "libvirt-client", "libvirt-migrate",
    /// "libvirt-migrate-client", "ovn", "vmconsole".
    public var component: String
    public var path: String
    /// "present", "empty", "absent", "not captured", "unreadable".
    public var state: String
    /// Whether this node needs it: false for OVN without OVN on the node, or the serial console without
    /// ovirt-vmconsole-host.
    public var expected: Bool
}

public struct NodePKIFiles: Codable, Sendable, Equatable {
    public var files: [NodePKIFile]
    /// /etc/vdsm exists (VDSM is installed), so this is an oVirt/HOSTVM node.
    public var vdsmInstalled: Bool
    public var ovnConfigured: Bool
    public var vmconsoleInstalled: Bool

    /// The paths ovirt-engine's host deployment writes (roles ovirt-host-deploy-vdsm-certificates,
    /// -vnc-certificates, -ovn-certificates and -vm-console-certificates).
    public static let expected: [(component: String, path: String)] = [
        ("vdsm", "/etc/pki/vdsm/certs/vdsmcert.pem"),
        ("vdsm-key", "/etc/pki/vdsm/keys/vdsmkey.pem"),
        ("engine-ca", "/etc/pki/vdsm/certs/cacert.pem"),
        ("spice", "/etc/pki/vdsm/libvirt-spice/server-cert.pem"),
        ("vnc", "/etc/pki/vdsm/libvirt-vnc/server-cert.pem"),
        ("libvirt-client", "/etc/pki/libvirt/clientcert.pem"),
        ("libvirt-migrate", "/etc/pki/vdsm/libvirt-migrate/server-cert.pem"),
        ("libvirt-migrate-client", "/etc/pki/vdsm/libvirt-migrate/client-cert.pem"),
        ("ovn", "/etc/pki/vdsm/ovn/ovn-cert.pem"),
        ("vmconsole", "/etc/pki/ovirt-vmconsole/host-ssh_host_rsa-cert.pub"),
    ]

    static func state(_ root: HostRoot, _ path: String) -> String {
        // sos's vdsm plugin leaves out /etc/pki/vdsm/keys and every */*-key.* file.
        if root.evidence.kind == .sosReport && (path.hasPrefix("/etc/pki/vdsm/keys/") || path.contains("-key.")) {
            return "not captured"
        }
        do throws(FactError) {
            let info = try root.fileInfo(path)
            return info.size == 0 && info.kind == .regular ? "empty" : "present"
        } catch {
            if error.isUnknownFromEvidence { return "not captured" }
            if error.isPermissionDenied { return "unreadable" }
            return "absent"
        }
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<NodePKIFiles> {
        let vdsm = try root.captured("/etc/vdsm")
        // OVN is set up on the node by ovirt-provider-ovn-driver, whose certificates live in /etc/pki/vdsm/ovn;
        // the serial console by ovirt-vmconsole-host (/etc/ovirt-vmconsole, /etc/pki/ovirt-vmconsole).
        let ovn = root.exists("/etc/pki/vdsm/ovn") || root.exists("/usr/libexec/ovirt-provider-ovn/setup_ovn_controller.sh")
        let vmconsole = root.exists("/etc/pki/ovirt-vmconsole") || root.exists("/etc/ovirt-vmconsole/ovirt-vmconsole-host")
        var files: [NodePKIFile] = []
        for (component, path) in expected {
            let needed = component == "ovn" ? ovn : component == "vmconsole" ? vmconsole : true
            files.append(NodePKIFile(component: component, path: path, state: state(root, path), expected: needed))
        }
        let value = NodePKIFiles(files: files, vdsmInstalled: vdsm, ovnConfigured: ovn, vmconsoleInstalled: vmconsole)
        return Sourced(value, sources: files.filter { $0.state == "present" }.map(\.path))
    }
}

/// One of the engine's own certificates (apache.cer, websocket-proxy.cer ...) against the engine CA and the
/// PKCS#12 keystore of the same name.
public struct EngineCertificate: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var subject: String?
    public var issuer: String?
    public var sha256Fingerprint: String?
    /// true: the engine CA's key verifies its signature; false: it does not (another CA signed it); nil: not
    /// decided (the certificate or the CA could not be read; see `problem`).
    public var signedByEngineCA: Bool?
    public var problem: String?
    public var keystorePath: String?
    /// Fingerprints of the certificates read from the keystore; nil when it was not read (see keystoreProblem).
    public var keystoreCertificates: [String]?
    public var keystoreProblem: String?
}

public struct EnginePKI: Codable, Sendable, Equatable {
    public var caPath: String
    public var caSubject: String?
    public var caProblem: String?
    public var certificates: [EngineCertificate]

    public static let caPath = "/etc/pki/ovirt-engine/ca.pem"
    /// The certificates engine-setup issues for the engine's own services, by the name of their .cer.
    public static let names = ["apache", "websocket-proxy", "imageio-proxy", "engine", "jboss", "ovirt-provider-ovn",
                               "ovn-ndb", "ovn-sdb", "vmconsole-proxy-helper", "vmconsole-proxy-host", "reports", "keycloak"]
    /// engine-setup's default PKCS#12 password (OVESETUP_PKI/storePassword), which most engines keep.
    public static let defaultKeystorePassword = "mypass"

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<EnginePKI> {
        guard try root.captured("/etc/pki/ovirt-engine") else {
            throw .absent("/etc/pki/ovirt-engine (this machine is not an oVirt engine)")
        }
        var pki = EnginePKI(caPath: caPath, caSubject: nil, caProblem: nil, certificates: [])
        var sources: [String] = []
        var authority: Certificate?
        do throws(FactError) {
            let bytes = try root.readBytes(caPath, limit: 1 << 20)
            sources.append(caPath)
            let file = CertificateParser.read(bytes, path: caPath)
            if let der = firstCertificateDER(bytes), let certificate = try? Certificate(derEncoded: der) {
                authority = certificate
                pki.caSubject = file.certificates.first?.subject
            } else {
                pki.caProblem = file.problem ?? "\(caPath) holds no certificate that can be read"
            }
        } catch {
            pki.caProblem = error.description
        }
        for name in names {
            let path = "/etc/pki/ovirt-engine/certs/\(name).cer"
            guard (try? root.captured(path)) == true else { continue }
            var entry = EngineCertificate(name: name, path: path)
            do throws(FactError) {
                let bytes = try root.readBytes(path, limit: 1 << 20)
                sources.append(path)
                let file = CertificateParser.read(bytes, path: path)
                if let record = file.certificates.first {
                    entry.subject = record.subject
                    entry.issuer = record.issuer
                    entry.sha256Fingerprint = record.sha256Fingerprint
                } else {
                    entry.problem = file.problem ?? "no certificate in the file"
                }
                if let authority, let der = firstCertificateDER(bytes), let certificate = try? Certificate(derEncoded: der) {
                    entry.signedByEngineCA = certificate.issuer == authority.subject
                        && authority.publicKey.isValidSignature(certificate.signature, for: certificate)
                }
            } catch {
                entry.problem = error.description
            }
            let keystore = "/etc/pki/ovirt-engine/keys/\(name).p12"
            if root.evidence.kind == .sosReport {
                // sos's ovirt plugin leaves /etc/pki/ovirt-engine/keys out: whether a keystore exists is unknown.
                entry.keystorePath = keystore
                entry.keystoreProblem = "not captured: sos never copies /etc/pki/ovirt-engine/keys"
            } else if (try? root.captured(keystore)) == true {
                entry.keystorePath = keystore
                do throws(FactError) {
                    let bytes = try root.readBytes(keystore, limit: 1 << 20)
                    sources.append(keystore)
                    switch PKCS12.certificates(bytes, password: defaultKeystorePassword) {
                    case .success(let ders): entry.keystoreCertificates = ders.map { CertificateParser.hex(Array(SHA256.hash(data: $0))) }
                    case .failure(let error): entry.keystoreProblem = error.description
                    }
                } catch {
                    entry.keystoreProblem = error.description
                }
            }
            pki.certificates.append(entry)
        }
        return Sourced(pki, sources: sources)
    }

    static func firstCertificateDER(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes.first == 0x30 { return bytes }
        return CertificateParser.pemBlocks(String(decoding: bytes, as: UTF8.self))
            .first { CertificateParser.certificateLabels.contains($0.label) }?.der
    }
}

extension EngineCertificate {
    init(name: String, path: String) {
        self.init(name: name, path: path, subject: nil, issuer: nil, sha256Fingerprint: nil, signedByEngineCA: nil,
                  problem: nil, keystorePath: nil, keystoreCertificates: nil, keystoreProblem: nil)
    }
}

extension Facts {
    public static let pendingEnrollment = FactKey<PendingEnrollment>("cert.pending-enrollment", "Leftover *.pending files of an interrupted certificate enrollment in the oVirt PKI directories (names and sizes only)") { store throws(FactError) in
        try PendingEnrollment.read(store.root)
    }

    public static let nodePKIFiles = FactKey<NodePKIFiles>("cert.node-files", "The certificates an oVirt node is expected to hold (VDSM, SPICE, VNC, libvirt client and migration, OVN, vmconsole), present or not") { store throws(FactError) in
        try NodePKIFiles.read(store.root)
    }

    public static let enginePKI = FactKey<EnginePKI>("cert.engine-pki", "The engine's service certificates: signed by the engine CA or not, and the certificate of each PKCS#12 keystore") { store throws(FactError) in
        try EnginePKI.read(store.root)
    }
}
