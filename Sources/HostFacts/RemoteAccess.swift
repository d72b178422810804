import CSystemShims
import DoctorCore
import Foundation

// issue 12 (remote): what decides how libvirt can be reached from the network, read from files only.

/// The settings of libvirt's daemon configuration that decide its network listeners and their security:
/// `/etc/libvirt/libvirtd.conf` (monolithic daemon) and `/etc/libvirt/virtproxyd.conf` (modular daemons),
/// plus the `--listen` argument of the pre-systemd-socket era (`/etc/sysconfig/libvirtd`, `/etc/default/libvirtd`).
///
///     listen_tls = 1
///     listen_tcp = 0
///     auth_tcp = "sasl"
///     ca_file = "/etc/pki/CA/cacert.pem"
public struct LibvirtDaemonSettings: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        /// Only the keys in `keptKeys`; nothing else of the file is held.
        public var settings: [String: String]
    }

    /// Type, mode and owner of a file that must stay private (the key itself is never read here).
    public struct FileMode: Codable, Sendable, Equatable {
        public var path: String
        public var kind: FileKind
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        public var modeOctal: String { "0" + String(mode & 0o7777, radix: 8) }
    }

    public var files: [File]
    /// The file whose LIBVIRTD_ARGS / VIRTPROXYD_ARGS holds `--listen` (or `-l`), if any.
    public var listenArgumentIn: String?
    /// The TLS server key (key_file, or libvirt's default path) when it exists: kept in the fact so that a
    /// bundle, which withholds the key, still knows its mode and owner.
    public var serverKey: FileMode? = nil

    public static let defaultServerKey = "/etc/pki/libvirt/private/serverkey.pem"

    /// Settings about listeners, authentication and certificates; passwords never appear among them.
    static let keptKeys: Set<String> = [
        "listen_tls", "listen_tcp", "listen_addr", "tls_port", "tcp_port", "auth_tcp", "auth_tls", "auth_unix_rw",
        "key_file", "cert_file", "ca_file", "crl_file", "tls_no_verify_certificate", "tls_no_sanity_certificate",
        "tls_allowed_dn_list", "sasl_allowed_username_list", "tls_priority",
    ]
    static let configurationFiles = ["/etc/libvirt/libvirtd.conf", "/etc/libvirt/virtproxyd.conf"]
    static let argumentFiles = ["/etc/sysconfig/libvirtd", "/etc/default/libvirtd", "/etc/sysconfig/virtproxyd", "/etc/default/virtproxyd"]

    /// The value of `key` and the file that set it; a later file (virtproxyd.conf) overrides an earlier one.
    public func value(_ key: String) -> (value: String, file: String)? {
        for file in files.reversed() {
            if let value = file.settings[key] { return (value, file.path) }
        }
        return nil
    }

    /// Parses `key = value` lines; comments, blank lines and anything not in `keptKeys` are skipped. Lists
    /// (`tls_allowed_dn_list = ["..."]`) are kept as their text. Bounded: a value longer than 4 KiB is cut.
    public static func parse(_ text: String) -> [String: String] {
        var settings: [String: String] = [:]
        for raw in text.split(separator: "\n").prefix(100_000) {
            let line = TextChecks.trimmed(raw.prefix(8192))
            guard !line.hasPrefix("#"), let (key, value) = TextChecks.splitKeyValue(line, separator: "="), keptKeys.contains(key) else { continue }
            // A trailing comment after the value is not part of it.
            var cleaned = value
            if !cleaned.hasPrefix("\""), !cleaned.hasPrefix("["), let hash = cleaned.firstIndex(of: "#") {
                cleaned = TextChecks.trimmed(cleaned[..<hash])
            }
            settings[key] = String(TextChecks.unquoted(cleaned).prefix(4096))
        }
        return settings
    }

    /// Whether an `*_ARGS="..."` line asks the daemon to listen on the network.
    static func hasListenArgument(_ text: String) -> Bool {
        for raw in text.split(separator: "\n").prefix(10_000) {
            let line = TextChecks.trimmed(raw.prefix(4096))
            guard !line.hasPrefix("#"), let (key, value) = TextChecks.splitKeyValue(line, separator: "="), key.hasSuffix("_ARGS") else { continue }
            let words = TextChecks.unquoted(value).split(whereSeparator: \.isWhitespace)
            if words.contains("--listen") || words.contains("-l") { return true }
        }
        return false
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<LibvirtDaemonSettings> {
        var result = LibvirtDaemonSettings(files: [], listenArgumentIn: nil)
        var sources: [String] = []
        for path in configurationFiles {
            guard let text = try root.readTextIfPresent(path, limit: 1 << 20) else { continue }
            result.files.append(File(path: path, settings: parse(text)))
            sources.append(path)
        }
        for path in argumentFiles {
            guard let text = try? root.readTextIfPresent(path, limit: 1 << 16) else { continue }
            sources.append(path)
            if result.listenArgumentIn == nil, hasListenArgument(text) { result.listenArgumentIn = path }
        }
        guard !result.files.isEmpty else { throw .absent("/etc/libvirt/libvirtd.conf") }
        let key = result.value("key_file")?.value ?? defaultServerKey
        if let info = try? root.fileInfo(key) {
            result.serverKey = FileMode(path: key, kind: info.kind, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid)
            sources.append(key)
        }
        return Sourced(result, sources: sources)
    }
}

/// TCP sockets in the LISTEN state, from the kernel's own tables (`/proc/net/tcp`, `/proc/net/tcp6`): what
/// `ss -ltn` prints, without running it.
public struct TCPListeners: Codable, Sendable, Equatable {
    public struct Listener: Codable, Sendable, Equatable, Hashable {
        /// `0.0.0.0`, `127.0.0.1`, `::`, `::1`, or a full IPv6 address in hex groups.
        public var address: String
        public var port: Int

        public var isLoopback: Bool { address.hasPrefix("127.") || address == "::1" }
    }

    public var listeners: [Listener]

    public func listening(on port: Int) -> [Listener] { listeners.filter { $0.port == port } }

    static let maximumLines = 200_000

    /// One table: a header line, then `sl local_address rem_address st ...` rows; state 0A is LISTEN.
    ///
    ///        0: 00000000:4242 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21894 1 ...
    static func parse(_ text: String, source: String) throws(FactError) -> [Listener] {
        try TextChecks.requireText(text, source: source)
        var found: [Listener] = []
        var rows = 0
        for line in text.split(separator: "\n").prefix(maximumLines) {
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard columns.count >= 4, columns[0].hasSuffix(":"), columns[0].dropLast().allSatisfy(\.isNumber) else { continue }
            rows += 1
            guard columns[3] == "0A" else { continue }
            let local = columns[1].split(separator: ":")
            guard local.count == 2, let port = Int(local[1], radix: 16), (0...65535).contains(port),
                  let address = decodeAddress(local[0]) else { continue }
            found.append(Listener(address: address, port: port))
        }
        if rows == 0, !text.contains("local_address") {
            throw .unparsable(source: source, detail: "no socket table (expected a header with local_address and rows such as '0: 00000000:4242 ...')")
        }
        return found
    }

    /// The kernel prints addresses as 32-bit words in host byte order (little-endian on x86 and arm64).
    static func decodeAddress(_ hex: Substring) -> String? {
        guard hex.count == 8 || hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        var words: [UInt32] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 8)
            guard let word = UInt32(hex[index..<next], radix: 16) else { return nil }
            words.append(word.byteSwapped)
            index = next
        }
        if words.count == 1 {
            let value = words[0]
            return "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
        }
        if words.allSatisfy({ $0 == 0 }) { return "::" }
        if words[0] == 0, words[1] == 0, words[2] == 0, words[3] == 1 { return "::1" }
        // IPv4-mapped (::ffff:a.b.c.d).
        if words[0] == 0, words[1] == 0, words[2] == 0xffff {
            let value = words[3]
            return "::ffff:\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
        }
        return words.flatMap { [String($0 >> 16, radix: 16), String($0 & 0xffff, radix: 16)] }.joined(separator: ":")
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<TCPListeners> {
        var listeners: [Listener] = []
        var sources: [String] = []
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try root.readTextIfPresent(path, limit: 16 << 20) else { continue }
            listeners += try parse(text, source: path)
            sources.append(path)
        }
        guard !sources.isEmpty else {
            if !root.isLive, root.evidence.isUncaptured("/proc/net/tcp") { throw root.liveOnly("the listening sockets (/proc/net/tcp)") }
            throw .absent("/proc/net/tcp")
        }
        var seen = Set<Listener>()
        return Sourced(TCPListeners(listeners: listeners.filter { seen.insert($0).inserted }), sources: sources)
    }
}

/// Units switched on at boot, read from the links `systemctl enable` makes (`/etc/systemd/system/*.wants/`),
/// units masked there (a link to /dev/null), and SysV services started in runlevel 3 or 5 (`chkconfig on`).
public struct EnabledServices: Codable, Sendable, Equatable {
    /// `vsftpd.service` → `/etc/systemd/system/multi-user.target.wants/vsftpd.service`.
    public var enabled: [String: String]
    public var masked: [String]
    /// SysV script names (`vsftpd`) → the rc link (`/etc/rc.d/rc3.d/S60vsftpd`).
    public var sysv: [String: String]

    /// Where `name` (with or without `.service`) is enabled, if it is and is not masked.
    public func enabledAt(_ name: String) -> String? {
        let unit = name.contains(".") ? name : name + ".service"
        guard !masked.contains(unit) else { return nil }
        if let link = enabled[unit] { return link }
        let base = unit.hasSuffix(".service") ? String(unit.dropLast(".service".count)) : unit
        return sysv[base]
    }

    public func isEnabled(_ name: String) -> Bool { enabledAt(name) != nil }

    /// `S40smartd` -> `smartd`; nil for a name that is not a start link (`K01xend`, `S9`).
    public static func sysvService(_ link: String) -> String? {
        guard link.hasPrefix("S"), link.count > 3 else { return nil }
        let digits = link.dropFirst().prefix(2)
        guard digits.count == 2, digits.allSatisfy(\.isNumber) else { return nil }
        let name = String(link.dropFirst(3))
        return name.isEmpty || name.contains("/") ? nil : name
    }

    static let unitDirectory = "/etc/systemd/system"
    static let rcDirectories = ["/etc/rc.d/rc3.d", "/etc/rc.d/rc5.d", "/etc/rc3.d", "/etc/rc5.d"]
    static let maximumEntries = 20_000

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<EnabledServices> {
        var result = EnabledServices(enabled: [:], masked: [], sysv: [:])
        var sources: [String] = []
        var visited = 0
        if let names = try? root.list(unitDirectory) {
            sources.append(unitDirectory)
            // Sorted, so the link reported for a unit enabled in two targets is the same on every run.
            for name in names.sorted() {
                visited += 1
                guard visited <= maximumEntries else { break }
                let path = "\(unitDirectory)/\(name)"
                if name.hasSuffix(".wants") || name.hasSuffix(".requires") {
                    for unit in ((try? root.list(path)) ?? []).sorted() {
                        visited += 1
                        guard visited <= maximumEntries else { break }
                        if result.enabled[unit] == nil { result.enabled[unit] = "\(path)/\(unit)" }
                    }
                } else if root.readLink(path) == "/dev/null" {
                    result.masked.append(name)
                }
            }
        }
        for directory in rcDirectories {
            guard let names = try? root.list(directory) else { continue }
            sources.append(directory)
            for name in names.sorted().prefix(maximumEntries) {
                guard let service = sysvService(name) else { continue }
                if result.sysv[service] == nil { result.sysv[service] = "\(directory)/\(name)" }
            }
        }
        guard !sources.isEmpty else { throw .absent("/etc/systemd/system") }
        result.masked.sort()
        return Sourced(result, sources: sources)
    }
}

/// Places where a libvirt connection URI with `no_verify=1` (the client skips checking the server's
/// certificate) is kept: client configuration, cron jobs and shell start-up files. Only the URI is held.
public struct NoVerifyURIs: Codable, Sendable, Equatable {
    public struct Occurrence: Codable, Sendable, Equatable {
        public var file: String
        public var line: Int
        /// The URI (or the word holding `no_verify`), never the whole line.
        public var uri: String
    }

    public var occurrences: [Occurrence]
    public var filesRead: Int

    static let singleFiles = ["/etc/libvirt/libvirt.conf", "/etc/crontab", "/etc/environment", "/etc/profile", "/etc/bashrc", "/etc/bash.bashrc",
                              "/root/.config/libvirt/libvirt.conf", "/root/.bashrc", "/root/.bash_profile", "/root/.profile"]
    static let directories = ["/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
                              "/var/spool/cron", "/var/spool/cron/crontabs", "/etc/profile.d", "/usr/local/bin", "/usr/local/sbin", "/root/bin"]
    static let homeFiles = [".config/libvirt/libvirt.conf", ".bashrc", ".bash_profile", ".profile"]
    static let maximumFiles = 2_000
    /// Scripts in /usr/local/bin may be large programs; the scan stops reading after this many bytes in all.
    static let maximumBytes = 64 << 20

    /// Whether `needle` occurs in `bytes`: memmem(3), as the kernel-log scan does, so files that never
    /// mention it cost no line-by-line walk by Character.
    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return false }
        return bytes.withUnsafeBytes { haystack in
            pattern.withUnsafeBytes { vd_memmem(haystack.baseAddress, haystack.count, $0.baseAddress, $0.count) != nil }
        }
    }

    /// Lines that name `no_verify=` with a non-zero value, outside `#` comments.
    static func scan(_ text: String, file: String) -> [Occurrence] {
        var found: [Occurrence] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(200_000).enumerated() {
            let line = raw.prefix(16_384)
            guard line.contains("no_verify") else { continue }
            let code = TextChecks.trimmed(line)
            guard !code.hasPrefix("#") else { continue }
            for word in code.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" || $0 == "," || $0 == "[" || $0 == "]" }) {
                guard let range = word.range(of: "no_verify=") else { continue }
                let digits = word[range.upperBound...].prefix { $0.isNumber }.prefix(9)
                guard let value = Int(digits), value != 0 else { continue }
                let uri = String(word.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).prefix(256))
                found.append(Occurrence(file: file, line: number + 1, uri: uri))
            }
        }
        return found
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<NoVerifyURIs> {
        var files: [String] = singleFiles
        for directory in directories {
            for name in ((try? root.list(directory)) ?? []).prefix(maximumFiles) { files.append("\(directory)/\(name)") }
        }
        for user in ((try? root.list("/home")) ?? []).prefix(maximumFiles) {
            for name in homeFiles { files.append("/home/\(user)/\(name)") }
        }
        var result = NoVerifyURIs(occurrences: [], filesRead: 0)
        var sources: [String] = []
        var bytes = 0
        for path in files.prefix(maximumFiles) {
            guard bytes < maximumBytes, let info = try? root.fileInfo(path), info.kind == .regular, info.size <= 1 << 20,
                  let raw = try? root.readBytes(path, limit: 1 << 20) else { continue }
            bytes += raw.count
            // Programs in /usr/local/bin (often links to binaries) hold NUL bytes; no URI is configured there.
            guard !raw.prefix(4096).contains(0), contains(raw, "no_verify") || path == "/etc/libvirt/libvirt.conf" else {
                result.filesRead += 1
                continue
            }
            let text = String(decoding: raw, as: UTF8.self)
            result.filesRead += 1
            let found = scan(text, file: path)
            result.occurrences += found
            if !found.isEmpty || path == "/etc/libvirt/libvirt.conf" { sources.append(path) }
        }
        guard result.filesRead > 0 else { throw .absent("/etc/libvirt/libvirt.conf, cron jobs and shell start-up files") }
        return Sourced(result, sources: sources.isEmpty ? ["/etc/libvirt/libvirt.conf", "/etc/cron.d", "/etc/profile.d"] : sources)
    }
}

/// root's SSH directory and authorized_keys: type, mode and owner only (never a key, the file is not read).
public struct RootSSHFiles: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var path: String
        public var kind: FileKind
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
    }

    public var directory: Item
    public var authorizedKeys: [Item]
    /// `StrictModes no` in /etc/ssh/sshd_config: sshd then accepts keys whatever their modes.
    public var strictModesOff: Bool

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<RootSSHFiles> {
        let directory = "/root/.ssh"
        let info = try root.fileInfo(directory)
        var result = RootSSHFiles(directory: Item(path: directory, kind: info.kind, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid),
                                  authorizedKeys: [], strictModesOff: false)
        var sources = [directory]
        for name in ["authorized_keys", "authorized_keys2"] {
            let path = "\(directory)/\(name)"
            guard let file = try? root.fileInfo(path) else { continue }
            result.authorizedKeys.append(Item(path: path, kind: file.kind, mode: file.mode & 0o7777, uid: file.uid, gid: file.gid))
            sources.append(path)
            // The file itself is not read: only its metadata travels into a bundle, never the keys.
        }
        if let text = try? root.readTextIfPresent("/etc/ssh/sshd_config", limit: 1 << 20) {
            sources.append("/etc/ssh/sshd_config")
            for raw in text.split(separator: "\n").prefix(100_000) {
                let words = TextChecks.trimmed(raw.prefix(4096)).split(whereSeparator: \.isWhitespace)
                if words.count >= 2, words[0].lowercased() == "strictmodes" { result.strictModesOff = words[1].lowercased() == "no"; break }
            }
        }
        return Sourced(result, sources: sources)
    }
}

extension Facts {
    public static let libvirtDaemonSettings = FactKey<LibvirtDaemonSettings>(
        "libvirt.daemon-conf", "Listener, authentication and certificate settings of libvirtd.conf / virtproxyd.conf, and --listen") { store throws(FactError) in
        try LibvirtDaemonSettings.read(store.root)
    }

    public static let tcpListeners = FactKey<TCPListeners>("net.tcp-listeners", "TCP sockets in the LISTEN state (/proc/net/tcp, /proc/net/tcp6)") { store throws(FactError) in
        try TCPListeners.read(store.root)
    }

    public static let enabledServices = FactKey<EnabledServices>(
        "services.enabled", "Units enabled or masked in /etc/systemd/system, and SysV services started in runlevels 3 and 5") { store throws(FactError) in
        try EnabledServices.read(store.root)
    }

    public static let noVerifyURIs = FactKey<NoVerifyURIs>(
        "remote.no-verify-uris", "libvirt URIs with no_verify=1 in libvirt.conf, cron jobs and shell start-up files") { store throws(FactError) in
        try NoVerifyURIs.read(store.root)
    }

    public static let rootSSH = FactKey<RootSSHFiles>("ssh.root-files", "Mode and owner of /root/.ssh and its authorized_keys (never the keys)") { store throws(FactError) in
        try RootSSHFiles.read(store.root)
    }
}
