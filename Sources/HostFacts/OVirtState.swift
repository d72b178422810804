import DoctorCore
import Foundation

// Facts of the oVirt/HOSTVM operational checks (issue 12, group ovirt): libvirtd start failures in the
// logs, certificate backups left in the PKI directories, product versions, and the hosted-engine HA state.
// Every reader works on files under the root (a live host, a copied root, a bundle, a sos report); none
// runs a program. Parsers are total: any bytes give a value or a FactError.

// MARK: - libvirtd start failures (ovirt.libvirtd-cert-failure)

/// What the logs say about libvirtd refusing to start over a certificate, and about its starts.
public struct LibvirtdStartLog: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// libvirtd: "The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired".
        case certificateExpired = "certificate-expired"
        /// systemd: "Failed to start Virtualization daemon".
        case failedToStart = "failed-to-start"
        /// systemd: "Started Virtualization daemon".
        case started
    }

    public struct Event: Codable, Sendable, Equatable {
        public var kind: Kind
        public var source: String
        /// 1-based line number within what was read of `source` (its tail for large files).
        public var line: Int
        /// The line as logged, cut to `quotedBytes`.
        public var text: String
        /// The certificate the line names (certificate-expired only).
        public var certificate: String?
    }

    /// The log files read, in the order read.
    public var sources: [String]
    public var events: [Event]

    public func events(in source: String) -> [Event] { events.filter { $0.source == source } }

    static let tailBytes = 4 << 20
    static let maximumLineBytes = 4096
    static let quotedBytes = 300
    /// Per source; the newest are kept.
    static let maximumEvents = 500

    /// Where libvirtd's messages land, and whether every line of the file is libvirtd's own (a unit journal,
    /// libvirtd.log) or lines of other programs must name libvirtd themselves (syslog, a multi-unit excerpt).
    static let logFiles: [(path: String, libvirtdOnly: Bool)] = [
        ("/sos_commands/libvirt/journalctl_--no-pager_--unit_libvirtd", true),
        ("/journalctl-libvirtd.txt", true),
        ("/var/log/journal-excerpt.txt", false),
        ("/var/log/libvirt/libvirtd.log", true),
        ("/var/log/messages", false),
        ("/var/log/syslog", false),
    ]

    /// Scans one log's text; lines that are none of the three kinds are dropped.
    public static func scan(_ text: String, source: String, libvirtdOnly: Bool, into log: inout LibvirtdStartLog) {
        var found: [Event] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            guard !raw.isEmpty else { continue }
            let line = raw.utf8.count > maximumLineBytes ? String(decoding: raw.utf8.prefix(maximumLineBytes), as: UTF8.self) : String(raw)
            guard let (kind, certificate) = classify(line, libvirtdOnly: libvirtdOnly) else { continue }
            found.append(Event(kind: kind, source: source, line: number, text: quoted(line), certificate: certificate))
        }
        if found.count > maximumEvents { found.removeFirst(found.count - maximumEvents) }
        log.events += found
        log.sources.append(source)
    }

    static func quoted(_ line: String) -> String {
        var text = String(decoding: line.utf8.prefix(quotedBytes), as: UTF8.self)
        text = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return TextChecks.trimmed(text)
    }

    /// The kind of a log line, and the certificate an expiry line names.
    static func classify(_ line: String, libvirtdOnly: Bool) -> (Kind, String?)? {
        let lower = line.lowercased()
        if lower.contains("failed to start virtualization daemon") || lower.contains("failed to start libvirtd")
            || (lower.contains("libvirtd.service") && lower.contains("failed with result")) {
            return (.failedToStart, nil)
        }
        if lower.contains("started virtualization daemon") || lower.contains("started libvirtd.service")
            || lower.contains("started libvirt legacy monolithic daemon") {
            return (.started, nil)
        }
        guard let expired = lower.range(of: " has expired") else { return nil }
        // QEMU says the same of the console certificates when a VM starts; that is not libvirtd failing.
        guard !lower.contains("qemu-kvm"), !lower.contains("qemu-system"),
              libvirtdOnly || lower.contains("libvirtd") || lower.contains("virnettlscontext") else { return nil }
        let before = lower[..<expired.lowerBound]
        guard let word = before.range(of: "certificate ", options: .backwards) else { return nil }
        // Same offsets in the original line: lower-casing ASCII letters keeps byte positions, and other
        // characters are kept as they are by lowercased() only when they are ASCII; read the path from the
        // lower-cased text's offsets only when both have the same UTF-8 length.
        let start = lower.utf8.distance(from: lower.startIndex, to: word.upperBound)
        let end = lower.utf8.distance(from: lower.startIndex, to: expired.lowerBound)
        let path: String
        if lower.utf8.count == line.utf8.count, start <= end {
            path = String(decoding: Array(line.utf8)[start..<end], as: UTF8.self)
        } else {
            path = String(lower[word.upperBound..<expired.lowerBound])
        }
        let certificate = TextChecks.trimmed(path)
        guard !certificate.isEmpty, certificate.utf8.count <= 512, !certificate.contains(" ") else { return (.certificateExpired, nil) }
        return (.certificateExpired, certificate)
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<LibvirtdStartLog> {
        var log = LibvirtdStartLog(sources: [], events: [])
        var denied: [String] = []
        for file in logFiles {
            do throws(FactError) {
                let bytes = try root.readTail(file.path, maxBytes: tailBytes)
                scan(String(decoding: bytes, as: UTF8.self), source: file.path, libvirtdOnly: file.libvirtdOnly, into: &log)
            } catch .permissionDenied {
                denied.append(file.path)
            } catch {
                continue
            }
        }
        guard !log.sources.isEmpty else {
            if !denied.isEmpty { throw .permissionDenied(denied.joined(separator: ", ")) }
            throw .absent("a log of libvirtd (its journal export, /var/log/libvirt/libvirtd.log, /var/log/messages or /var/log/syslog)")
        }
        return Sourced(log, sources: log.sources)
    }
}

// MARK: - Certificate and key backups (cert.backup-files)

public struct CertificateBackups: Codable, Sendable, Equatable {
    public struct Backup: Codable, Sendable, Equatable {
        public var path: String
        /// The file it is a copy of (`server-key.pem` for `server-key.pem.backup.20250905`).
        public var original: String
        /// A copy of a private key: by its name, or by its content (never kept, never shown).
        public var isKey: Bool
        /// "0644"; nil when the file could not be stat'ed.
        public var mode: String?
        public var uid: UInt32?
        public var gid: UInt32?
        /// The date in its name (`.backup.YYYYMMDD`, `.bak.YYYYMMDD`) as YYYY-MM-DD.
        public var dated: String?

        /// Readable by every user.
        public var worldReadable: Bool { modeBits.map { $0 & 0o004 != 0 } ?? false }
        /// Readable by its group.
        public var groupReadable: Bool { modeBits.map { $0 & 0o040 != 0 } ?? false }
        var modeBits: UInt32? { mode.flatMap { UInt32($0, radix: 8) } }
    }

    public var directoriesSearched: [String]
    public var backups: [Backup]

    /// Where oVirt/HOSTVM, libvirt, QEMU and Xen keep certificates and keys, and where renewals leave copies.
    static let directories = ["/etc/pki/vdsm", "/etc/pki/libvirt", "/etc/pki/CA", "/etc/pki/qemu", "/etc/pki/libvirt-vnc",
                              "/etc/pki/libvirt-spice", "/etc/pki/ovirt-engine", "/etc/xen/vnc"]
    static let maximumDepth = 4
    static let maximumEntries = 5000
    static let markers = [".backup", ".bak", ".orig", ".old", ".save", ".rpmsave"]

    /// The original's name and the date of a backup name, or nil when the name is not a backup of a
    /// certificate or key: `server-key.pem.backup.20250905`, `vdsmcert.pem.bak`, `clientcert.pem~`.
    public static func parseName(_ name: String) -> (original: String, dated: String?)? {
        guard name.utf8.count <= 255 else { return nil }
        var original: Substring?
        var rest: Substring = ""
        if name.hasSuffix("~"), name.count > 1 {
            original = name.dropLast()
        } else {
            let lower = name.lowercased()
            var best: Range<String.Index>?
            for marker in markers {
                guard let found = lower.range(of: marker, options: .backwards) else { continue }
                // The marker ends the name or is followed by a separator (".backup.20250905", ".bak-1").
                let after = lower[found.upperBound...]
                guard after.isEmpty || [".", "-", "_"].contains(after.first!) else { continue }
                if best == nil || found.lowerBound > best!.lowerBound { best = found }
            }
            guard let best, best.lowerBound > lower.startIndex, lower.utf8.count == name.utf8.count else { return nil }
            let offset = lower.utf8.distance(from: lower.startIndex, to: best.lowerBound)
            let end = lower.utf8.distance(from: lower.startIndex, to: best.upperBound)
            let bytes = Array(name.utf8)
            original = Substring(String(decoding: bytes[..<offset], as: UTF8.self))
            rest = Substring(String(decoding: bytes[end...], as: UTF8.self))
        }
        guard let original, looksLikeCertificateOrKey(String(original)) else { return nil }
        return (String(original), date(in: rest))
    }

    static func looksLikeCertificateOrKey(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".pem", ".cer", ".crt", ".key", ".p12", ".der", ".nopass"].contains { lower.hasSuffix($0) }
            || lower.contains("cert") || lower.contains("key")
    }

    /// The first run of exactly eight digits that is a plausible date, as YYYY-MM-DD.
    static func date(in text: Substring) -> String? {
        let runs = text.split(whereSeparator: { !$0.isASCII || !$0.isNumber })
        for run in runs where run.count == 8 || run.count == 14 {
            let digits = Array(run.prefix(8))
            guard let year = Int(String(digits[0..<4])), let month = Int(String(digits[4..<6])), let day = Int(String(digits[6..<8])),
                  (1990...2200).contains(year), (1...12).contains(month), (1...31).contains(day) else { continue }
            return "\(String(digits[0..<4]))-\(String(digits[4..<6]))-\(String(digits[6..<8]))"
        }
        return nil
    }

    /// Whether bytes hold a private key (PEM or DER). Only the answer leaves this function.
    static func holdsPrivateKey(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes.prefix(1 << 16), as: UTF8.self)
        if text.contains("PRIVATE KEY-----") { return true }
        return KeyMaterial.isPrivateKeyDER(bytes)
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<CertificateBackups> {
        var result = CertificateBackups(directoriesSearched: [], backups: [])
        var visited = 0
        func walk(_ directory: String, depth: Int) {
            guard let names = try? root.list(directory) else { return }
            for name in names.sorted() {
                visited += 1
                guard visited <= maximumEntries else { return }
                let path = directory + "/" + name
                let isLink = root.readLink(path) != nil
                let info = try? root.fileInfo(path)
                if !isLink, info?.kind == .directory {
                    if depth < maximumDepth { walk(path, depth: depth + 1) }
                    continue
                }
                guard let (original, dated) = parseName(name) else { continue }
                var isKey = original.lowercased().contains("key")
                if !isKey, !isLink, info?.kind == .regular, let bytes = try? root.readBytes(path, limit: 1 << 20) {
                    isKey = holdsPrivateKey(bytes)
                }
                result.backups.append(Backup(path: path, original: directory + "/" + original, isKey: isKey,
                                             mode: info.map(\.modeOctal), uid: info?.uid, gid: info?.gid, dated: dated))
            }
        }
        for directory in directories where (try? root.fileInfo(directory))?.kind == .directory {
            result.directoriesSearched.append(directory)
            walk(directory, depth: 1)
        }
        guard !result.directoriesSearched.isEmpty else {
            throw .absent("a certificate directory (/etc/pki/vdsm, /etc/pki/libvirt, /etc/pki/CA, /etc/pki/ovirt-engine)")
        }
        return Sourced(result, sources: result.directoriesSearched)
    }
}

// MARK: - Product and versions (ovirt.version-inventory)

public struct OVirtVersions: Codable, Sendable, Equatable {
    public struct Component: Codable, Sendable, Equatable {
        /// A package name (`vdsm`, `ovirt-engine`) or the distribution's name (`oVirt Node`, `HOSTVM`).
        public var name: String
        public var version: String
        public var source: String
    }

    /// "oVirt", "HOSTVM" or "Red Hat Virtualization".
    public var product: String
    public var components: [Component]

    /// The oVirt release (major, minor) the components point to: the engine's or the node image's version,
    /// else vdsm's.
    public var release: (major: Int, minor: Int)? {
        for name in ["ovirt-engine", "oVirt Node", "HOSTVM", "Red Hat Virtualization Host", "vdsm"] {
            if let pair = components.lazy.filter({ $0.name == name }).compactMap(Self.release(of:)).first { return pair }
        }
        return nil
    }

    /// Every release the components point to, as "4.5", sorted; more than one means a host half upgraded.
    public var releasesNamed: [String] {
        Set(components.compactMap(Self.release(of:)).map { "\($0.major).\($0.minor)" }).sorted()
    }

    /// The release one component's version names. The engine's and the node images' versions are the
    /// release's own; vdsm's minor is ten times it (vdsm 4.50 ships with oVirt 4.5, 4.40 with 4.4, 4.30 with
    /// 4.3; before that 4.19 was 4.1, 4.18 was 4.0, 4.17 was 3.6). Other packages have their own numbering.
    public static func release(of component: Component) -> (major: Int, minor: Int)? {
        switch component.name {
        case "ovirt-engine", "oVirt Node", "HOSTVM", "Red Hat Virtualization Host":
            return majorMinor(component.version).map { (major: $0.0, minor: $0.1) }
        case "vdsm":
            guard let (major, minor) = majorMinor(component.version), major == 4 else { return nil }
            switch minor {
            case 20...: return (4, minor / 10)
            case 19: return (4, 1)
            case 18: return (4, 0)
            case 17: return (3, 6)
            case 16: return (3, 5)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// "4.5.5-1.el8" → (4, 5); "2:4.50.3.4-1" → (4, 50).
    static func majorMinor(_ version: String) -> (Int, Int)? {
        let withoutEpoch = version.split(separator: ":", maxSplits: 1).last ?? ""
        let parts = withoutEpoch.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "_" }).prefix(2)
        guard parts.count == 2, parts.allSatisfy({ $0.count <= 4 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let major = Int(parts.first!), let minor = Int(parts.last!) else { return nil }
        return (major, minor)
    }

    static let packageNames = ["ovirt-engine", "vdsm", "ovirt-hosted-engine-setup", "ovirt-hosted-engine-ha", "ovirt-node-ng-nodectl",
                               "ovirt-release-host-node", "redhat-virtualization-host-image-update", "rhvm"]

    /// `/etc/os-release` of an oVirt Node, RHV-H or HOSTVM node: (distribution name, version), or nil for
    /// any other system.
    public static func parseOSRelease(_ text: String) -> (name: String, version: String?)? {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n").prefix(200) where line.utf8.count <= 1024 {
            guard let (key, value) = TextChecks.splitKeyValue(TextChecks.trimmed(line), separator: "="), !key.hasPrefix("#") else { continue }
            values[key] = TextChecks.unquoted(value)
        }
        let names = [values["NAME"], values["PRETTY_NAME"], values["VARIANT"]].compactMap { $0 }.joined(separator: " ").lowercased()
        let name: String
        if names.contains("hostvm") { name = "HOSTVM" }
        else if names.contains("ovirt node") { name = "oVirt Node" }
        else if names.contains("red hat virtualization host") { name = "Red Hat Virtualization Host" }
        else { return nil }
        let version = [values["VERSION_ID"], values["VERSION"]].compactMap { $0 }.first { majorMinor($0) != nil }
        return (name, version.flatMap { InstalledPackages.validVersion($0.split(separator: " ").first ?? "") })
    }

    /// vdsm.log's start-up line: "... I am the actual vdsm 4.50.3.4-1.el8 virt-host1.example.test (4.18.0-...)".
    public static func parseVDSMLog(_ text: String) -> String? {
        var found: String?
        for line in text.split(separator: "\n") where line.utf8.count <= 4096 {
            guard let range = line.range(of: "I am the actual vdsm ") else { continue }
            if let word = line[range.upperBound...].split(separator: " ").first, let version = InstalledPackages.validVersion(word) {
                found = version
            }
        }
        return found
    }

    static func read(_ store: FactStore) throws(FactError) -> Sourced<OVirtVersions> {
        let root = store.root
        var components: [Component] = []
        var sources: [String] = []
        var distribution: String?
        for path in ["/etc/os-release", "/usr/lib/os-release"] {
            guard let text = try? root.readTextIfPresent(path, limit: 1 << 16) else { continue }
            if let (name, version) = parseOSRelease(text) {
                distribution = name
                components.append(Component(name: name, version: version ?? "unknown", source: path))
                sources.append(path)
            }
            break
        }
        // A copied sos report read as a plain directory still has its rpm list at the top.
        var packageList = try? store.sourced(Facts.packages).get()
        if packageList == nil, let text = try? root.readTextIfPresent("/installed-rpms", limit: 16 << 20),
           let parsed = try? InstalledPackages.parseInstalledRPMs(text, source: "/installed-rpms") {
            packageList = Sourced(parsed, sources: ["/installed-rpms"])
        }
        if let packages = packageList {
            for name in packageNames {
                for version in packages.value.versions(of: name) {
                    components.append(Component(name: name, version: version, source: packages.sources.first ?? "packages"))
                }
            }
            for package in packages.value.packages where package.name.lowercased().hasPrefix("hostvm") {
                components.append(Component(name: package.name, version: package.version, source: packages.sources.first ?? "packages"))
            }
            if components.contains(where: { $0.source == packages.sources.first }) { sources += packages.sources }
        }
        if !components.contains(where: { $0.name == "vdsm" }),
           let bytes = try? root.readTail("/var/log/vdsm/vdsm.log", maxBytes: 4 << 20),
           let version = parseVDSMLog(String(decoding: bytes, as: UTF8.self)) {
            components.append(Component(name: "vdsm", version: version, source: "/var/log/vdsm/vdsm.log"))
            sources.append("/var/log/vdsm/vdsm.log")
        }
        guard !components.isEmpty else {
            throw .absent("an oVirt, HOSTVM or RHV component (no vdsm or ovirt-engine package, node image or vdsm.log)")
        }
        let product: String
        if distribution == "HOSTVM" || components.contains(where: { $0.name.lowercased().hasPrefix("hostvm") }) { product = "HOSTVM" }
        else if distribution == "Red Hat Virtualization Host" || components.contains(where: { $0.name.hasPrefix("redhat-virtualization") || $0.name == "rhvm" }) {
            product = "Red Hat Virtualization"
        } else { product = "oVirt" }
        return Sourced(OVirtVersions(product: product, components: components), sources: sources)
    }
}

// MARK: - Hosted-engine HA state (ovirt.he-global-maintenance)

public struct HostedEngineState: Codable, Sendable, Equatable {
    public var globalMaintenance: Bool
    /// The file the answer comes from.
    public var source: String
    /// The banner or the HA agent's state line, quoted.
    public var detail: String
    /// The agent's state name (`GlobalMaintenance`, `EngineUp`) when read from its log.
    public var state: String?
    /// When the agent entered the state it is in (first line of the latest run of that state), from its log.
    public var since: String?
    // issue 13: ovirt — the HA state of every host (ovirt.he-state).
    /// The hosts `hosted-engine --vm-status` lists, with their score, maintenance and freshness.
    public var hosts: [HAHost]?
    /// This host's score: the agent log's last "Current state X (score: N)", else its row in --vm-status.
    public var score: Int?
    /// What the agent deducted from the base score 3400 in the run of the current score, from its log.
    public var penalties: [HAPenalty]?
    /// host_id in /etc/ovirt-hosted-engine/hosted-engine.conf: which --vm-status row is this host.
    public var localHostID: Int?

    /// What sos's ovirt_hosted_engine plugin saves of `hosted-engine --vm-status`.
    static let statusOutputs = ["/sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status",
                                "/sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status_--json"]
    static let agentLog = "/var/log/ovirt-hosted-engine-ha/agent.log"

    /// `hosted-engine --vm-status` output, plain or `--json`.
    public static func parseVMStatus(_ text: String, source: String) throws(FactError) -> HostedEngineState {
        try TextChecks.requireText(text, source: source)
        let lower = text.lowercased()
        let hosts = parseHAHosts(text)
        if lower.contains("global maintenance mode") {
            let banner = text.split(separator: "\n").first { $0.lowercased().contains("global maintenance") }.map { LibvirtdStartLog.quoted(String($0)) } ?? ""
            return HostedEngineState(globalMaintenance: true, source: source, detail: banner, hosts: hosts)
        }
        let compact = lower.replacingOccurrences(of: " ", with: "")
        if compact.contains("\"global_maintenance\":true") {
            return HostedEngineState(globalMaintenance: true, source: source, detail: "\"global_maintenance\": true", hosts: hosts)
        }
        if compact.contains("\"global_maintenance\":false") {
            return HostedEngineState(globalMaintenance: false, source: source, detail: "\"global_maintenance\": false", hosts: hosts)
        }
        if lower.contains("--== host") || lower.contains("engine status") {
            return HostedEngineState(globalMaintenance: false, source: source, detail: "no GLOBAL MAINTENANCE banner", hosts: hosts)
        }
        let first = text.split(separator: "\n").first.map { LibvirtdStartLog.quoted(String($0.prefix(120))) } ?? ""
        throw .unparsable(source: source, detail: "not `hosted-engine --vm-status` output; it begins: \(first)")
    }

    /// agent.log lines: "MainThread::INFO::2026-05-30 10:00:00,123::hosted_engine::534::...::(_monitoring_loop)
    /// Current state GlobalMaintenance (score: 3400)". The last state line is the agent's state.
    public static func parseAgentLog(_ text: String, source: String) throws(FactError) -> HostedEngineState {
        var states: [(state: String, time: String?, line: String)] = []
        for line in text.split(separator: "\n") where line.utf8.count <= 4096 {
            guard let range = line.range(of: "Current state ") else { continue }
            guard let word = line[range.upperBound...].split(separator: " ").first,
                  word.count <= 64, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { continue }
            let fields = line.components(separatedBy: "::")
            let time = fields.count > 2 && fields[2].first?.isNumber == true ? String(fields[2].prefix(19)) : nil
            states.append((String(word), time, String(line)))
            if states.count > 10_000 { states.removeFirst(5_000) }
        }
        guard let last = states.last else {
            throw .unparsable(source: source, detail: "no \"Current state\" line of the HA agent")
        }
        var since = last.time
        for entry in states.reversed() {
            guard entry.state == last.state else { break }
            since = entry.time ?? since
        }
        let scoring = parseAgentScore(text)
        return HostedEngineState(globalMaintenance: last.state == "GlobalMaintenance", source: source,
                                 detail: LibvirtdStartLog.quoted(last.line), state: last.state, since: since,
                                 score: scoring?.score, penalties: scoring?.penalties)
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<HostedEngineState> {
        let configurationText: String? = (try? root.readTextIfPresent(configuration, limit: 1 << 16)) ?? nil
        let localHostID = configurationText.flatMap(parseHostID)
        // The agent log adds this host's score and its penalties to what --vm-status says.
        var agent: HostedEngineState?
        var agentError: FactError?
        do throws(FactError) {
            let bytes = try root.readTail(agentLog, maxBytes: 4 << 20)
            agent = try parseAgentLog(String(decoding: bytes, as: UTF8.self), source: agentLog)
        } catch {
            agentError = error
        }
        // A bundle's recording of `hosted-engine --vm-status --json` (collect runs it on the live host) first.
        for path in (root.isLive ? [] : [vmStatusRecording]) + statusOutputs {
            guard let text = try root.readTextIfPresent(path, limit: 1 << 20) else { continue }
            var state = try parseVMStatus(text, source: path)
            state.localHostID = localHostID
            let own = state.hosts?.first { $0.id == localHostID }
            state.score = agent?.score ?? own?.score
            state.penalties = agent?.penalties
            state.state = state.state ?? agent?.state ?? own?.state
            let sources = agent == nil ? [path] : [path, agentLog]
            return Sourced(state, sources: sources)
        }
        if var agent {
            agent.localHostID = localHostID
            return Sourced(agent, sources: [agentLog])
        }
        if let agentError {
            if case .absent = agentError {} else { throw agentError }
        }
        if root.exists(configuration) {
            throw .absent("the hosted-engine state (`hosted-engine --vm-status` output or \(agentLog))")
        }
        throw .absent("/etc/ovirt-hosted-engine/hosted-engine.conf (this host is not part of a self-hosted engine)")
    }
}

extension Facts {
    public static let libvirtdStartLog = FactKey<LibvirtdStartLog>("ovirt.libvirtd-log", "libvirtd start failures over an expired certificate, and its starts, from its journal and logs") { store throws(FactError) in
        try LibvirtdStartLog.read(store.root)
    }

    public static let certificateBackups = FactKey<CertificateBackups>("cert.backups", "Backup copies of certificates and keys left in the PKI directories, with mode and owner") { store throws(FactError) in
        try CertificateBackups.read(store.root)
    }

    public static let ovirtVersions = FactKey<OVirtVersions>("ovirt.versions", "oVirt/HOSTVM/RHV product and component versions (packages, os-release, vdsm.log)") { store throws(FactError) in
        try OVirtVersions.read(store)
    }

    public static let hostedEngine = FactKey<HostedEngineState>("ovirt.hosted-engine", "Hosted-engine HA state: global maintenance (hosted-engine --vm-status, HA agent log)") { store throws(FactError) in
        try HostedEngineState.read(store.root)
    }
}
