import DoctorCore
import Foundation

// issue 12 (remote): accounts, helper programs and legacy Xen console settings, from files only.

/// Accounts of /etc/passwd (never /etc/shadow): name, uid and login shell, and the first uid of regular
/// users from /etc/login.defs (UID_MIN; 1000 when unset, 500 on RHEL 5/6).
public struct UserAccounts: Codable, Sendable, Equatable {
    public struct Account: Codable, Sendable, Equatable {
        public var name: String
        public var uid: Int
        public var shell: String

        /// Shells that refuse a login.
        public var canLogIn: Bool {
            !shell.isEmpty && !["nologin", "false", "sync", "halt", "shutdown"].contains(shell.split(separator: "/").last.map(String.init) ?? "")
        }
    }

    public var accounts: [Account]
    public var firstRegularUID: Int
    public var uidMinSource: String

    static let maximumAccounts = 100_000

    /// `name:x:uid:gid:gecos:home:shell`; malformed lines are skipped, and a file without one account
    /// line is not a passwd file.
    static func parsePasswd(_ text: String, source: String = "/etc/passwd") throws(FactError) -> [Account] {
        try TextChecks.requireText(text, source: source)
        var accounts: [Account] = []
        for raw in text.split(separator: "\n").prefix(maximumAccounts) {
            let line = raw.prefix(4096)
            guard !line.hasPrefix("#"), !line.hasPrefix("+"), !line.hasPrefix("-") else { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 7, !fields[0].isEmpty, let uid = CheckedNumbers.integer(fields[2], in: 0...4_294_967_295) else { continue }
            let name = String(fields[0].unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F }.map(Character.init).prefix(64))
            let shell = String(TextChecks.trimmed(fields[6]).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).prefix(256))
            accounts.append(Account(name: name, uid: uid, shell: shell))
        }
        guard !accounts.isEmpty else { throw .unparsable(source: source, detail: "no line of the form name:x:uid:gid:gecos:home:shell") }
        return accounts
    }

    static func uidMin(_ text: String) -> Int? {
        for raw in text.split(separator: "\n").prefix(10_000) {
            let words = TextChecks.trimmed(raw.prefix(4096)).split(whereSeparator: \.isWhitespace)
            if words.count >= 2, words[0] == "UID_MIN", let value = CheckedNumbers.integer(words[1], in: 1...4_294_967_295) { return value }
        }
        return nil
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<UserAccounts> {
        let accounts = try parsePasswd(try root.readText("/etc/passwd", limit: 16 << 20))
        var sources = ["/etc/passwd"]
        var first = 1000
        var source = "default"
        if let text = try? root.readTextIfPresent("/etc/login.defs", limit: 1 << 20), let value = uidMin(text) {
            first = value
            source = "/etc/login.defs"
            sources.append("/etc/login.defs")
        }
        return Sourced(UserAccounts(accounts: accounts, firstRegularUID: first, uidMinSource: source), sources: sources)
    }
}

/// Programs the `qemu+ssh` transport runs on the managed host: netcat, or libvirt's own virt-ssh-helper.
public struct SSHTransportTools: Codable, Sendable, Equatable {
    /// The paths found, e.g. `/usr/bin/nc`, `/usr/bin/virt-ssh-helper`.
    public var netcat: [String]
    public var sshHelper: [String]

    static let binDirectories = ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"]
    static let netcatNames = ["nc", "ncat", "netcat", "nc.openbsd", "nc.traditional"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<SSHTransportTools> {
        var tools = SSHTransportTools(netcat: [], sshHelper: [])
        var anyDirectory = false
        for directory in binDirectories where root.exists(directory) {
            anyDirectory = true
            for name in netcatNames where root.exists("\(directory)/\(name)") { tools.netcat.append("\(directory)/\(name)") }
            if root.exists("\(directory)/virt-ssh-helper") { tools.sshHelper.append("\(directory)/virt-ssh-helper") }
        }
        guard anyDirectory else { throw .absent("/usr/bin") }
        return Sourced(tools, sources: (tools.netcat + tools.sshHelper).isEmpty ? ["/usr/bin", "/bin"] : tools.netcat + tools.sshHelper)
    }
}

/// The VNC settings of legacy Xen's `/etc/xen/xend-config.sxp`: `(vnc-tls 1)`, `(vnc-x509-cert-dir ...)`,
/// `(vnc-x509-verify 1)`, `(vnc-listen '0.0.0.0')`. Commented lines (`#`) do not count.
public struct XendVNCSettings: Codable, Sendable, Equatable {
    public var settings: [String: String]
    /// With `(vnc-tls 1)`: the directory's ca-cert.pem and server-cert.pem (with server-key.pem beside it)
    /// as certificate entries, when present; `missing` lists the ones that are not.
    public var certificateDirectory: String?
    public var files: [InventoryEntry] = []
    public var missing: [String] = []

    static let keys: Set<String> = ["vnc-tls", "vnc-x509-cert-dir", "vnc-x509-verify", "vnc-listen", "vncpasswd"]

    public static func parse(_ text: String) -> [String: String] {
        var settings: [String: String] = [:]
        for raw in text.split(separator: "\n").prefix(100_000) {
            var line = Substring(raw.prefix(4096))
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = TextChecks.trimmed(line)
            guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else { continue }
            let inner = trimmed.dropFirst().dropLast()
            let words = inner.split(maxSplits: 1, whereSeparator: \.isWhitespace)
            guard words.count == 2, keys.contains(String(words[0])) else { continue }
            let value = TextChecks.unquoted(TextChecks.trimmed(words[1]))
            // The VNC password itself is never kept: only whether one is set.
            settings[String(words[0])] = words[0] == "vncpasswd" ? (value.isEmpty ? "" : "(set)") : String(value.prefix(1024))
        }
        return settings
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<XendVNCSettings> {
        let path = "/etc/xen/xend-config.sxp"
        let text = try root.readText(path, limit: 1 << 20)
        var result = XendVNCSettings(settings: parse(text))
        var sources = [path]
        if result.settings["vnc-tls"] == "1" {
            let directory = result.settings["vnc-x509-cert-dir"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xen/vnc"
            result.certificateDirectory = directory
            for (name, key) in [("ca-cert.pem", nil), ("server-cert.pem", "server-key.pem")] as [(String, String?)] {
                let file = "\(directory)/\(name)"
                if root.exists(file) {
                    result.files.append(CertificateDiscovery.entry(root, role: .libvirtTLS, path: file, key: key.map { "\(directory)/\($0)" }, foundBy: "\(path): vnc-x509-cert-dir"))
                    sources.append(file)
                } else {
                    result.missing.append(file)
                }
                if let key, !root.exists("\(directory)/\(key)") { result.missing.append("\(directory)/\(key)") }
            }
        }
        return Sourced(result, sources: sources)
    }
}

/// Client-side libvirt and VNC PKI kept in users' homes (`~/.pki/libvirt-vnc`, `~/.pki/libvirt`, and the
/// flat `~/.pki` of old guides): which expected files are there, the certificates parsed, key modes.
/// Private keys are read only to compare their public half with the certificate, as the inventory does.
public struct ClientPKI: Codable, Sendable, Equatable {
    public struct Directory: Codable, Sendable, Equatable {
        public var path: String
        public var certificates: [InventoryEntry]
        public var missing: [String]
        /// `clientkey.pem` paths with their mode (octal), for keys group or others may read.
        public var openKeys: [String: String]
    }

    public var directories: [Directory]

    static let layouts: [(subdirectory: String, ca: [String])] = [("/.pki/libvirt-vnc", ["ca-cert.pem", "cacert.pem"]), ("/.pki/libvirt", ["cacert.pem", "ca-cert.pem"]), ("/.pki", ["ca-cert.pem", "cacert.pem"])]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<ClientPKI> {
        var homes = ["/root"]
        for user in ((try? root.list("/home")) ?? []).prefix(1000) { homes.append("/home/\(user)") }
        var result = ClientPKI(directories: [])
        var sources: [String] = []
        for home in homes {
            for layout in layouts {
                let directory = home + layout.subdirectory
                let certificate = "\(directory)/clientcert.pem"
                let key = "\(directory)/clientkey.pem"
                // A directory counts when it holds one of the client files (~/.pki alone is NSS's database).
                let caPath = layout.ca.map { "\(directory)/\($0)" }.first { root.exists($0) }
                guard root.exists(certificate) || root.exists(key) || (layout.subdirectory != "/.pki" && caPath != nil) else { continue }
                var entry = Directory(path: directory, certificates: [], missing: [], openKeys: [:])
                if let caPath {
                    entry.certificates.append(CertificateDiscovery.entry(root, role: .libvirtClient, path: caPath, key: nil, foundBy: directory))
                } else {
                    entry.missing.append("\(directory)/\(layout.ca[0])")
                }
                if root.exists(certificate) {
                    entry.certificates.append(CertificateDiscovery.entry(root, role: .libvirtClient, path: certificate, key: key, foundBy: directory))
                } else {
                    entry.missing.append(certificate)
                }
                if let info = try? root.fileInfo(key) {
                    if info.mode & 0o077 != 0 { entry.openKeys[key] = info.modeOctal }
                } else {
                    entry.missing.append(key)
                }
                sources.append(directory)
                result.directories.append(entry)
            }
        }
        guard !result.directories.isEmpty else { throw .absent("~/.pki/libvirt-vnc or ~/.pki/libvirt in /root or /home/*") }
        return Sourced(result, sources: sources)
    }
}

extension Facts {
    public static let clientPKI = FactKey<ClientPKI>("remote.client-pki", "Client certificates for libvirt and VNC over TLS in users' ~/.pki (keys: mode and match only)") { store throws(FactError) in
        try ClientPKI.read(store.root)
    }

    public static let userAccounts = FactKey<UserAccounts>("accounts.users", "Accounts of /etc/passwd (name, uid, shell) and UID_MIN; never /etc/shadow") { store throws(FactError) in
        try UserAccounts.read(store.root)
    }

    public static let sshTransportTools = FactKey<SSHTransportTools>("remote.ssh-tools", "netcat and virt-ssh-helper, which qemu+ssh runs on the managed host") { store throws(FactError) in
        try SSHTransportTools.read(store.root)
    }

    public static let xendVNC = FactKey<XendVNCSettings>("xen.xend-vnc", "VNC TLS settings of /etc/xen/xend-config.sxp") { store throws(FactError) in
        try XendVNCSettings.read(store.root)
    }
}
