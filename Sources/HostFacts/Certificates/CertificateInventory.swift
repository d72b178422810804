import DoctorCore
import Foundation

/// Which service a certificate belongs to; decides thresholds and the renewal procedure.
public enum CertificateRole: String, Codable, Sendable, CaseIterable {
    case vdsm, vnc, spice
    case libvirtClient = "libvirt-client"
    case libvirtTLS = "libvirt-tls"
    case engine
    case engineCA = "engine-ca"
    case other
}

/// One certificate file found on the machine, what it is for, and whether its private key matches.
public struct InventoryEntry: Codable, Sendable, Equatable {
    public var role: CertificateRole
    public var path: String
    /// Where the path came from: "known path", "/etc/libvirt/qemu.conf: vnc_tls_x509_cert_dir", "--cert".
    public var foundBy: String
    public var file: CertificateFile
    public var keyPath: String?
    /// true / false once compared; nil when there is no key or it could not be read (see keyProblem).
    public var keyMatches: Bool?
    public var keyProblem: String?
}

public struct CertificateInventory: Codable, Sendable, Equatable {
    public var entries: [InventoryEntry]
    /// Configuration files that named certificate locations.
    public var configurationRead: [String]
    /// Other readable files that look like certificates or keys but are not where services read them
    /// (backups such as *.bak and *.backup.YYYYMMDD).
    public var backups: [String]

    public func entries(_ role: CertificateRole) -> [InventoryEntry] { entries.filter { $0.role == role } }
    public func entry(at path: String) -> InventoryEntry? { entries.first { $0.path == path } }
}

/// Finds certificates where oVirt/HOSTVM, libvirt, QEMU, Xen and the engine keep them, plus the places
/// their configuration names, plus `--cert` paths.
enum CertificateDiscovery {
    struct Known {
        var role: CertificateRole
        var certificate: String
        var key: String?
    }

    static let known: [Known] = [
        .init(role: .vdsm, certificate: "/etc/pki/vdsm/certs/vdsmcert.pem", key: "/etc/pki/vdsm/keys/vdsmkey.pem"),
        .init(role: .vnc, certificate: "/etc/pki/vdsm/libvirt-vnc/server-cert.pem", key: "/etc/pki/vdsm/libvirt-vnc/server-key.pem"),
        .init(role: .spice, certificate: "/etc/pki/vdsm/libvirt-spice/server-cert.pem", key: "/etc/pki/vdsm/libvirt-spice/server-key.pem"),
        .init(role: .libvirtClient, certificate: "/etc/pki/libvirt/clientcert.pem", key: "/etc/pki/libvirt/private/clientkey.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/libvirt/servercert.pem", key: "/etc/pki/libvirt/private/serverkey.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/CA/cacert.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/qemu/server-cert.pem", key: "/etc/pki/qemu/server-key.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/libvirt-vnc/server-cert.pem", key: "/etc/pki/libvirt-vnc/server-key.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/libvirt-vnc/ca-cert.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/libvirt-spice/server-cert.pem", key: "/etc/pki/libvirt-spice/server-key.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/libvirt-spice/ca-cert.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/pki/qemu/ca-cert.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/xen/vnc/server-cert.pem", key: "/etc/xen/vnc/server-key.pem"),
        .init(role: .libvirtTLS, certificate: "/etc/xen/vnc/ca-cert.pem"),
        .init(role: .engineCA, certificate: "/etc/pki/vdsm/certs/cacert.pem"),
        .init(role: .engineCA, certificate: "/etc/pki/ovirt-engine/ca.pem"),
        .init(role: .engineCA, certificate: "/etc/pki/ovirt-engine/apache-ca.pem"),
        .init(role: .engine, certificate: "/etc/pki/ovirt-engine/certs/apache.cer", key: "/etc/pki/ovirt-engine/keys/apache.key.nopass"),
        .init(role: .engine, certificate: "/etc/pki/ovirt-engine/certs/engine.cer", key: "/etc/pki/ovirt-engine/keys/engine_id_rsa"),
        .init(role: .engine, certificate: "/etc/pki/ovirt-engine/certs/websocket-proxy.cer", key: "/etc/pki/ovirt-engine/keys/websocket-proxy.key.nopass"),
        .init(role: .engine, certificate: "/etc/pki/ovirt-engine/certs/imageio-proxy.cer", key: "/etc/pki/ovirt-engine/keys/imageio-proxy.key.nopass"),
    ]

    /// qemu.conf directories hold ca-cert.pem, server-cert.pem/server-key.pem and client-cert.pem.
    static let qemuDirectorySettings = [
        "default_tls_x509_cert_dir", "vnc_tls_x509_cert_dir", "spice_tls_x509_cert_dir", "chardev_tls_x509_cert_dir",
        "migrate_tls_x509_cert_dir", "backup_tls_x509_cert_dir", "vxhs_tls_x509_cert_dir", "nbd_tls_x509_cert_dir",
    ]

    static func read(_ store: FactStore) throws(FactError) -> Sourced<CertificateInventory> {
        let root = store.root
        var inventory = CertificateInventory(entries: [], configurationRead: [], backups: [])
        var seen = Set<String>()
        func add(_ role: CertificateRole, _ path: String, key: String?, foundBy: String) {
            guard !seen.contains(path), root.exists(path) else { return }
            seen.insert(path)
            inventory.entries.append(entry(root, role: role, path: path, key: key, foundBy: foundBy))
        }
        for item in known { add(item.role, item.certificate, key: item.key, foundBy: "known path") }

        // /etc/libvirt/qemu.conf: TLS directories for VNC, SPICE, migration ...; the role follows the setting.
        if let text = try? root.readText("/etc/libvirt/qemu.conf", limit: 1 << 20) {
            inventory.configurationRead.append("/etc/libvirt/qemu.conf")
            for (key, value) in settings(text) where qemuDirectorySettings.contains(key) {
                let role: CertificateRole = value.hasPrefix("/etc/pki/vdsm/libvirt-vnc") ? .vnc
                    : value.hasPrefix("/etc/pki/vdsm/libvirt-spice") ? .spice : .libvirtTLS
                for name in ["server-cert.pem", "ca-cert.pem", "client-cert.pem"] {
                    let keyName = name == "server-cert.pem" ? "server-key.pem" : name == "client-cert.pem" ? "client-key.pem" : nil
                    add(role, "\(value)/\(name)", key: keyName.map { "\(value)/\($0)" }, foundBy: "/etc/libvirt/qemu.conf: \(key)")
                }
            }
        }
        // libvirtd.conf (and the modular virtproxyd.conf): the TLS listener's files.
        for config in ["/etc/libvirt/libvirtd.conf", "/etc/libvirt/virtproxyd.conf"] {
            guard let text = try? root.readText(config, limit: 1 << 20) else { continue }
            inventory.configurationRead.append(config)
            let values = Dictionary(settings(text), uniquingKeysWith: { _, last in last })
            if let certificate = values["cert_file"] { add(.libvirtTLS, certificate, key: values["key_file"], foundBy: "\(config): cert_file") }
            if let ca = values["ca_file"] { add(.libvirtTLS, ca, key: nil, foundBy: "\(config): ca_file") }
        }
        // vdsm.conf may move the whole VDSM PKI (trust_store_path).
        if let text = try? root.readText("/etc/vdsm/vdsm.conf", limit: 1 << 20) {
            inventory.configurationRead.append("/etc/vdsm/vdsm.conf")
            if let base = settings(text).first(where: { $0.0 == "trust_store_path" })?.1, base != "/etc/pki/vdsm" {
                add(.vdsm, "\(base)/certs/vdsmcert.pem", key: "\(base)/keys/vdsmkey.pem", foundBy: "/etc/vdsm/vdsm.conf: trust_store_path")
                add(.engineCA, "\(base)/certs/cacert.pem", key: nil, foundBy: "/etc/vdsm/vdsm.conf: trust_store_path")
            }
        }
        // The engine's other certificates.
        for name in (try? root.list("/etc/pki/ovirt-engine/certs")) ?? [] where name.hasSuffix(".cer") || name.hasSuffix(".pem") {
            add(.engine, "/etc/pki/ovirt-engine/certs/\(name)", key: nil, foundBy: "/etc/pki/ovirt-engine/certs")
        }
        // --cert: files, or every certificate-looking file in a directory.
        for path in store.extraCertificatePaths {
            if let info = try? root.fileInfo(path), info.kind == .directory {
                for file in certificateFiles(below: path, root: root) {
                    add(.other, file, key: nil, foundBy: "--cert \(path)")
                }
            } else if root.exists(path) {
                add(.other, path, key: nil, foundBy: "--cert")
            } else {
                inventory.entries.append(InventoryEntry(role: .other, path: path, foundBy: "--cert",
                    file: CertificateFile(path: path, format: "missing", certificates: [], containsPrivateKey: false, problem: "\(path) is not present"),
                    keyPath: nil, keyMatches: nil, keyProblem: nil))
            }
        }
        for directory in ["/etc/pki/vdsm/libvirt-vnc", "/etc/pki/vdsm/libvirt-spice", "/etc/pki/vdsm/certs", "/etc/pki/vdsm/keys", "/etc/pki/libvirt", "/etc/pki/libvirt/private"] {
            for name in (try? root.list(directory)) ?? [] where name.contains(".bak") || name.contains(".backup") || name.hasSuffix(".orig") {
                inventory.backups.append("\(directory)/\(name)")
            }
        }
        guard !inventory.entries.isEmpty || !inventory.configurationRead.isEmpty else {
            throw .absent("certificates (no oVirt, libvirt, QEMU or Xen TLS certificate in the known places)")
        }
        let sources = inventory.entries.map(\.path) + inventory.configurationRead
        return Sourced(inventory, sources: sources)
    }

    /// How far `--cert DIR` descends, and how much it looks at: a directory tree of a customer's disk can
    /// be deep or huge, and an inventory must still finish.
    static let maximumCertificateDepth = 8
    static let maximumEntriesVisited = 10_000

    /// Certificate-looking files in a directory and its subdirectories, in name order. Symbolic links to
    /// directories are not descended (they may lead out of the tree, or round in a loop).
    static func certificateFiles(below directory: String, root: HostRoot) -> [String] {
        var found: [String] = []
        var visited = 0
        func walk(_ path: String, depth: Int) {
            for name in ((try? root.list(path)) ?? []).sorted() {
                visited += 1
                guard visited <= maximumEntriesVisited else { return }
                let child = path.hasSuffix("/") ? path + name : path + "/" + name
                let isLink = root.readLink(child) != nil
                if !isLink, depth < maximumCertificateDepth, let info = try? root.fileInfo(child), info.kind == .directory {
                    walk(child, depth: depth + 1)
                } else if looksLikeCertificate(name) {
                    found.append(child)
                }
            }
        }
        walk(directory, depth: 1)
        return found
    }

    static func looksLikeCertificate(_ name: String) -> Bool {
        [".pem", ".crt", ".cer", ".der", ".p12", ".pfx", ".p7b"].contains { name.lowercased().hasSuffix($0) }
    }

    /// `key = "value"` settings of libvirt's and VDSM's configuration files (comments and sections skipped).
    static func settings(_ text: String) -> [(String, String)] {
        text.split(separator: "\n").compactMap { raw in
            let line = TextChecks.trimmed(raw)
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { return nil }
            return (key, TextChecks.unquoted(value))
        }
    }

    static func entry(_ root: HostRoot, role: CertificateRole, path: String, key: String?, foundBy: String) -> InventoryEntry {
        let file: CertificateFile
        do {
            file = CertificateParser.read(try root.readBytes(path, limit: 1 << 20), path: path)
        } catch {
            file = CertificateFile(path: path, format: "unreadable", certificates: [], containsPrivateKey: false, problem: error.description)
        }
        var entry = InventoryEntry(role: role, path: path, foundBy: foundBy, file: file, keyPath: nil, keyMatches: nil, keyProblem: nil)
        guard let key, root.exists(key), let certificate = file.certificates.first else { return entry }
        entry.keyPath = key
        // The key is read only to derive its public half; nothing of it leaves this function.
        do {
            let text = try root.readText(key, limit: 1 << 20)
            switch CertificateParser.publicKeyHash(ofPrivateKeyPEM: text) {
            case .success(let hash): entry.keyMatches = hash == certificate.publicKeySHA256
            case .failure(let error): entry.keyProblem = error.description
            }
        } catch {
            entry.keyProblem = error.description
        }
        return entry
    }
}

extension Facts {
    public static let certificates = FactKey<CertificateInventory>("cert.inventory", "Certificates of oVirt/HOSTVM, libvirt, QEMU, Xen and the engine, with key matches") { store throws(FactError) in
        try CertificateDiscovery.read(store)
    }
}
