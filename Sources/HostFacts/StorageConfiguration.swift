import DoctorCore
import Foundation

// issue 12 (storage): configuration files about guest storage: multipath aliases, NFS exports, udev naming
// rules, and the SELinux booleans and permissive domains that matter for guests.

/// /etc/multipath.conf as sections and settings, in file order.
///
///     multipaths {
///         multipath {
///             wwid  3600a0b800013275100000015427b625e
///             alias oramp1
///         }
///     }
public struct MultipathConfig: Codable, Sendable, Equatable {
    public struct Section: Codable, Sendable, Equatable {
        public var name: String
        /// Names of the enclosing sections, outermost first.
        public var parents: [String]
        public var line: Int
        public var settings: [String: String]
    }

    public var file: String
    public var sections: [Section]
    /// Lines that are neither a setting, a section start nor a closing brace (or a brace that closes nothing).
    public var strayLines: [Int]
    /// Sections still open at the end of the file.
    public var unclosed: Int

    static let maximumLines = 50_000
    static let maximumDepth = 16

    /// Total: any text gives a config (unknown words are kept for the lint to judge).
    public static func parse(_ text: String, file: String) -> MultipathConfig {
        var config = MultipathConfig(file: file, sections: [], strayLines: [], unclosed: 0)
        var stack: [Int] = []  // indices into sections
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(maximumLines).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(where: { $0 == "#" || $0 == "!" }) { line = line[..<hash] }
            let words = line.split(whereSeparator: \.isWhitespace)
            guard !words.isEmpty else { continue }
            if words.count == 1 && words[0] == "}" {
                if stack.popLast() == nil { config.strayLines.append(index + 1) }
                continue
            }
            if words.last == "{" || words[0].hasSuffix("{") {
                let name = words[0].hasSuffix("{") && words[0] != "{" ? String(words[0].dropLast()) : String(words[0])
                guard stack.count < maximumDepth else { config.strayLines.append(index + 1); continue }
                config.sections.append(Section(name: name, parents: stack.map { config.sections[$0].name }, line: index + 1, settings: [:]))
                stack.append(config.sections.count - 1)
                continue
            }
            guard let current = stack.last, words.count >= 2 else { config.strayLines.append(index + 1); continue }
            let value = words.dropFirst().joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            config.sections[current].settings[String(words[0])] = value
        }
        config.unclosed = stack.count
        return config
    }

    /// The sections multipath knows, by the section that may hold them ("" = top level).
    public static let knownSections: [String: Set<String>] = [
        "": ["defaults", "blacklist", "blacklist_exceptions", "devices", "multipaths", "overrides"],
        "devices": ["device"], "multipaths": ["multipath"], "blacklist": ["device"], "blacklist_exceptions": ["device"],
        "overrides": ["protocol"], "device": [], "multipath": [], "defaults": [], "protocol": [],
    ]
}

/// One line of /etc/exports: a directory and who may mount it with which options.
public struct NFSExport: Codable, Sendable, Equatable {
    public struct Client: Codable, Sendable, Equatable {
        public var host: String
        public var options: [String]
    }

    public var path: String
    public var clients: [Client]
    public var line: Int

    /// Parses /etc/exports (continuation lines joined; quoted paths unquoted). Total; lines without a path
    /// are skipped.
    public static func parse(_ text: String) -> [NFSExport] {
        var exports: [NFSExport] = []
        var pending = ""
        var startLine = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(20_000).enumerated() {
            var line = String(raw)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            if pending.isEmpty { startLine = index + 1 }
            if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
            let whole = pending + line
            pending = ""
            var words = whole.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { continue }
            let path = words.removeFirst().trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard path.hasPrefix("/") else { continue }
            let clients = words.map { word -> Client in
                guard let open = word.firstIndex(of: "(") else { return Client(host: word, options: []) }
                let host = String(word[..<open])
                let options = word[word.index(after: open)...].trimmingCharacters(in: CharacterSet(charactersIn: ")"))
                return Client(host: host.isEmpty ? "*" : host, options: options.split(separator: ",").map(String.init))
            }
            exports.append(NFSExport(path: path, clients: clients, line: startLine))
        }
        return exports
    }
}

public struct StorageConfiguration: Codable, Sendable, Equatable {
    public var multipath: MultipathConfig?
    /// WWIDs multipath has seen on this host (/etc/multipath/wwids); nil when the file is absent.
    public var knownWWIDs: [String]?
    public var exports: [NFSExport]?
    /// udev rule files that name disks: file → rule lines with NAME=/SYMLINK+= and scsi_id.
    public var udevNamingRules: [String: [String]]
    public var scsiIdConfig: String?
    /// SELinux booleans: name → current value (only the ones virtualization cares about, when present).
    public var selinuxBooleans: [String: Bool]
    /// Domains made permissive with `semanage permissive -a` (modules named permissive_<domain>).
    public var permissiveDomains: [String]

    public static let booleans = ["xend_disable_t", "xend_disable_trans", "virt_use_nfs", "virt_use_samba", "virt_use_fusefs"]

    static func read(_ store: FactStore) throws(FactError) -> Sourced<StorageConfiguration> {
        let root = store.root
        var sources: [String] = []
        var config = StorageConfiguration(udevNamingRules: [:], selinuxBooleans: [:], permissiveDomains: [])
        if let text = try root.readTextIfPresent("/etc/multipath.conf", limit: 4 << 20) {
            config.multipath = MultipathConfig.parse(text, file: "/etc/multipath.conf")
            sources.append("/etc/multipath.conf")
        }
        if let text = try? root.readText("/etc/multipath/wwids", limit: 4 << 20) {
            config.knownWWIDs = text.split(separator: "\n").compactMap { line in
                let trimmed = TextChecks.trimmed(line)
                guard trimmed.hasPrefix("/"), trimmed.hasSuffix("/"), trimmed.count > 2 else { return nil }
                return String(trimmed.dropFirst().dropLast())
            }
            sources.append("/etc/multipath/wwids")
        }
        if let text = try root.readTextIfPresent("/etc/exports", limit: 1 << 20) {
            config.exports = NFSExport.parse(text)
            sources.append("/etc/exports")
        }
        if let names = try? root.list("/etc/exports.d") {
            for name in names where name.hasSuffix(".exports") {
                guard let text = try? root.readText("/etc/exports.d/\(name)", limit: 1 << 20) else { continue }
                config.exports = (config.exports ?? []) + NFSExport.parse(text)
                sources.append("/etc/exports.d/\(name)")
            }
        }
        for directory in ["/etc/udev/rules.d"] {
            for name in ((try? root.list(directory)) ?? []).prefix(500) where name.hasSuffix(".rules") {
                guard let text = try? root.readText("\(directory)/\(name)", limit: 1 << 20) else { continue }
                let lines = text.split(separator: "\n").prefix(10_000).filter { line in
                    !line.hasPrefix("#") && (line.contains("scsi_id") || line.contains("ID_SERIAL") || line.contains("ID_WWN"))
                        && (line.contains("NAME=") || line.contains("SYMLINK"))
                }
                if !lines.isEmpty { config.udevNamingRules["\(directory)/\(name)"] = lines.map(String.init) }
            }
        }
        config.scsiIdConfig = try? root.readText("/etc/scsi_id.config", limit: 64 << 10)
        for name in booleans {
            guard let text = try? root.readText("/sys/fs/selinux/booleans/\(name)", limit: 64) else { continue }
            // "1 1": current value, then the value pending a commit.
            config.selinuxBooleans[name] = text.split(separator: " ").first.map { TextChecks.trimmed($0) == "1" }
            sources.append("/sys/fs/selinux/booleans/\(name)")
        }
        for directory in ["/var/lib/selinux/targeted/active/modules/400", "/etc/selinux/targeted/active/modules/400",
                          "/etc/selinux/targeted/modules/active/modules"] {
            for name in (try? root.list(directory)) ?? [] where name.hasPrefix("permissive_") {
                let domain = String(name.dropFirst("permissive_".count).prefix { $0 != "." })
                if !config.permissiveDomains.contains(domain) { config.permissiveDomains.append(domain) }
                sources.append("\(directory)/\(name)")
            }
        }
        return Sourced(config, sources: sources)
    }
}

extension Facts {
    public static let storageConfiguration = FactKey<StorageConfiguration>(
        "storage.configuration",
        "multipath.conf, NFS exports, udev disk-naming rules, SELinux booleans and permissive domains for guests"
    ) { store throws(FactError) in
        try StorageConfiguration.read(store)
    }
}
