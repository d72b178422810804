import DoctorCore

// issue 14: what the migration checks need of each host beyond the single-host facts: the mounts (where a
// guest's disk lives), the speed of the network links, and the SSH keys a qemu+ssh migration uses.

/// Mounted file systems from /proc/self/mounts (or /proc/mounts).
public struct MountTable: Codable, Sendable, Equatable {
    public var file: String
    public var entries: [MountEntry]

    /// File system types whose data other hosts see at the same time: what live migration without storage
    /// copy needs. Block devices are judged by their name instead (a persistent name of a shared LUN).
    public static let sharedTypes: Set<String> = ["nfs", "nfs4", "glusterfs", "fuse.glusterfs", "ceph", "fuse.ceph", "cephfs", "gfs2",
                                                   "ocfs2", "cifs", "smb3", "beegfs", "lustre", "gpfs", "fuse.sshfs", "9p", "virtiofs"]

    static func read(_ root: HostRoot) throws(FactError) -> MountTable {
        var firstError: FactError?
        for path in ["/proc/self/mounts", "/proc/mounts"] {
            do throws(FactError) {
                // 4 MiB holds far more mounts than any host has; parse() stops at 20,000 lines.
                let text = try root.readText(path, limit: 4 << 20)
                return MountTable(file: path, entries: MountEntry.parse(text))
            } catch {
                if firstError == nil || path == "/proc/mounts" { firstError = root.uncaptured(error, path) }
            }
        }
        throw firstError ?? .absent("/proc/mounts")
    }

    /// The mount holding `path`.
    public func holding(_ path: String) -> MountEntry? { MountEntry.holding(path, in: entries) }
}

/// Negotiated speed of the host's physical network links (/sys/class/net/<name>/speed, Mb/s). Virtual
/// devices (bridges, taps, bonds' members' parents, veths) have no `device` link and are left out; a link
/// that is down reports -1 and is left out too.
public struct LinkSpeeds: Codable, Sendable, Equatable {
    public var megabitsPerSecond: [String: Int]

    /// The fastest link: migration traffic is normally routed over the host's fastest network.
    public var fastest: (name: String, megabits: Int)? {
        megabitsPerSecond.max { ($0.value, $1.key) < ($1.value, $0.key) }.map { ($0.key, $0.value) }
    }

    static func read(_ root: HostRoot) throws(FactError) -> LinkSpeeds {
        let names: [String]
        do throws(FactError) {
            names = try root.list("/sys/class/net")
        } catch {
            // sos does not copy /sys/class/net, but its networking plugin saves `ethtool <nic>` per interface.
            if root.evidence.kind == .sosReport, let speeds = sosEthtool(root) { return speeds }
            throw root.uncaptured(error, "/sys/class/net")
        }
        var speeds: [String: Int] = [:]
        for name in names.prefix(4096) where !name.contains("/") && name != "lo" {
            guard root.exists("/sys/class/net/\(name)/device"),
                  let text = try? root.readTextIfPresent("/sys/class/net/\(name)/speed", limit: 64),
                  let speed = parseSpeed(text) else { continue }
            speeds[name] = speed
        }
        // A sos report's /sys/class/net is derived from `ip -d link` and has no speed files.
        if speeds.isEmpty, root.evidence.kind == .sosReport, let saved = sosEthtool(root) { return saved }
        return LinkSpeeds(megabitsPerSecond: speeds)
    }

    /// `sos_commands/networking/ethtool_<nic>` files: "Speed: 10000Mb/s" (or "Unknown!" for a link that is down).
    static func sosEthtool(_ root: HostRoot) -> LinkSpeeds? {
        let directory = "/sos_commands/networking"
        guard let files = try? root.list(directory) else { return nil }
        var speeds: [String: Int] = [:]
        for file in files.prefix(4096) where file.hasPrefix("ethtool_") && !file.dropFirst(8).hasPrefix("-") {
            let name = String(file.dropFirst(8))
            guard name != "lo", !name.hasPrefix("vnet"), !name.hasPrefix("virbr"), !name.hasPrefix("br"),
                  let text = try? root.readTextIfPresent("\(directory)/\(file)", limit: 1 << 16) else { continue }
            if let speed = parseEthtoolSpeed(text) { speeds[name] = speed }
        }
        return speeds.isEmpty ? nil : LinkSpeeds(megabitsPerSecond: speeds)
    }

    /// The `Speed:` line of ethtool's output, in Mb/s.
    public static func parseEthtoolSpeed(_ text: String) -> Int? {
        for line in text.split(separator: "\n").prefix(200) {
            let trimmed = TextChecks.trimmed(line.prefix(256))
            guard trimmed.hasPrefix("Speed:") else { continue }
            let value = TextChecks.trimmed(trimmed.dropFirst(6))
            guard value.hasSuffix("Mb/s") else { return nil }
            return parseSpeed(String(value.dropLast(4)))
        }
        return nil
    }

    /// A speed file's value; nil for an unknown speed (-1, a link that is down), junk, or an absurd number.
    public static func parseSpeed(_ text: String) -> Int? {
        guard let value = Int(TextChecks.trimmed(text)), value > 0, value <= 10_000_000 else { return nil }
        return value
    }
}

/// The SSH files a qemu+ssh migration uses as root: the source's key pair and known hosts, the
/// destination's authorized keys. Only public material is read; a private key is only looked at (stat).
public struct MigrationSSHKeys: Codable, Sendable, Equatable {
    public struct PublicKey: Codable, Sendable, Equatable, Hashable {
        public var type: String
        /// The base64 key itself: what authorized_keys on the other side must hold.
        public var blob: String
        public var file: String
    }

    /// Key pairs of root: a private key file with its `.pub` beside it.
    public var publicKeys: [PublicKey]
    /// Private keys present without a readable `.pub` (their public half cannot be compared).
    public var privateKeysWithoutPublic: [String]
    /// Host names and addresses known_hosts lists in clear; hashed entries are only counted.
    public var knownHosts: [String]
    public var hashedKnownHosts: Int
    /// Key blobs root accepts (/root/.ssh/authorized_keys and authorized_keys2).
    public var authorizedBlobs: [String]
    /// Whether /root/.ssh was there at all.
    public var sshDirectoryPresent: Bool

    static let keyNames = ["id_ed25519", "id_ecdsa", "id_rsa", "id_ecdsa_sk", "id_ed25519_sk", "id_dsa"]

    static func read(_ root: HostRoot) throws(FactError) -> MigrationSSHKeys {
        var result = MigrationSSHKeys(publicKeys: [], privateKeysWithoutPublic: [], knownHosts: [], hashedKnownHosts: 0,
                                      authorizedBlobs: [], sshDirectoryPresent: false)
        do throws(FactError) {
            _ = try root.fileInfo("/root/.ssh")
            result.sshDirectoryPresent = true
        } catch .absent {
            // sos never copies root's home; a copy that left /root out cannot tell either.
            if !root.isLive, root.evidence.kind == .sosReport || root.evidence.isUncaptured("/root/.ssh") {
                throw .notCaptured(what: "/root/.ssh", source: root.evidence.noun)
            }
            return result
        } catch {
            throw error
        }
        for name in keyNames {
            let path = "/root/.ssh/\(name)"
            guard root.exists(path) else { continue }
            if let text = try? root.readTextIfPresent(path + ".pub", limit: 64 << 10), let key = parsePublicKeys(text, file: path + ".pub").first {
                result.publicKeys.append(key)
            } else {
                result.privateKeysWithoutPublic.append(path)
            }
        }
        if let text = try root.readTextIfPresent("/root/.ssh/known_hosts", limit: 4 << 20) {
            (result.knownHosts, result.hashedKnownHosts) = parseKnownHosts(text)
        }
        for file in ["/root/.ssh/authorized_keys", "/root/.ssh/authorized_keys2"] {
            if let text = try root.readTextIfPresent(file, limit: 4 << 20) {
                result.authorizedBlobs += parsePublicKeys(text, file: file).map(\.blob)
            }
        }
        return result
    }

    /// Lines of a `.pub` or authorized_keys file: `[options] type base64 [comment]`. Options (which may hold
    /// spaces inside quotes) come before the type, so the key is the first field that names a key type.
    public static func parsePublicKeys(_ text: String, file: String) -> [PublicKey] {
        var keys: [PublicKey] = []
        for line in text.split(whereSeparator: \.isNewline).prefix(10_000) {
            let fields = line.prefix(16 << 10).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let index = fields.firstIndex(where: isKeyType), index + 1 < fields.count else { continue }
            let blob = fields[index + 1]
            guard blob.count >= 16, blob.allSatisfy({ $0.isLetter || $0.isNumber || "+/=".contains($0) }) else { continue }
            keys.append(PublicKey(type: String(fields[index]), blob: String(blob), file: file))
        }
        return keys
    }

    static func isKeyType<S: StringProtocol>(_ field: S) -> Bool {
        field.hasPrefix("ssh-") || field.hasPrefix("ecdsa-sha2-") || field.hasPrefix("sk-")
    }

    /// known_hosts: `host1,host2,[host]:port keytype key`; `|1|salt|hash` entries are hashed names,
    /// `@cert-authority`/`@revoked` markers come first; `!pattern` negations are ignored.
    public static func parseKnownHosts(_ text: String) -> (hosts: [String], hashed: Int) {
        var hosts: [String] = [], hashed = 0
        for line in text.split(whereSeparator: \.isNewline).prefix(100_000) {
            var fields = line.prefix(16 << 10).split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.first?.hasPrefix("@") == true { fields.removeFirst() }
            guard let names = fields.first, !names.hasPrefix("#") else { continue }
            if names.hasPrefix("|1|") { hashed += 1; continue }
            for name in names.split(separator: ",") where !name.hasPrefix("!") {
                var host = Substring(name)
                if host.hasPrefix("["), let close = host.firstIndex(of: "]") { host = host[host.index(after: host.startIndex)..<close] }
                if hosts.count < 100_000 { hosts.append(host.lowercased()) }
            }
        }
        return (hosts, hashed)
    }
}

extension Facts {
    public static let mounts = FactKey<MountTable>("host.mounts", "Mounted file systems (/proc/self/mounts)") { store throws(FactError) in
        let table = try MountTable.read(store.root)
        return Sourced(table, sources: [table.file])
    }
    public static let linkSpeeds = FactKey<LinkSpeeds>("net.link-speeds", "Speed of the physical network links (/sys/class/net/*/speed)") { store throws(FactError) in
        Sourced(try LinkSpeeds.read(store.root), sources: ["/sys/class/net/*/speed"])
    }
    public static let migrationSSHKeys = FactKey<MigrationSSHKeys>(
        "ssh.migration-keys", "Root's SSH public keys, known hosts and authorized keys (what qemu+ssh migration uses)") { store throws(FactError) in
        Sourced(try MigrationSSHKeys.read(store.root), sources: ["/root/.ssh"])
    }
}
