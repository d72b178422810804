import DoctorCore
import Yams

/// The sidecar `.meta.yaml` of a directory root: what git cannot hold, overlaid on the files.
///
///     files:
///       /dev/kvm: { type: char, mode: "0660", uid: 0, gid: 36, major: 10, minor: 232 }
///       /var/log/dmesg: { unreadable: true }          # reads as "permission denied"
///       /var/lib/libvirt/images/a.qcow2: { selinux: "system_u:object_r:virt_image_t:s0" }
///     process: { uid: 1000, gids: [1000, 36] }      # who the run pretends to be (default: root)
///
/// Probes never see the sidecar: HostRoot applies it, so fixtures exercise the same code as a live host.
public struct RootMetadata: Codable, Sendable, Equatable {
    public static let fileName = ".meta.yaml"

    public struct Entry: Codable, Sendable, Equatable {
        public var type: FileKind?
        public var mode: String?
        public var uid: UInt32?
        public var gid: UInt32?
        public var major: UInt32?
        public var minor: UInt32?
        public var selinux: String?
        public var unreadable: Bool?
        public var absent: Bool?
        public var content: String?
    }

    public struct Process: Codable, Sendable, Equatable {
        public var uid: UInt32
        public var gids: [UInt32]?
    }

    public var files: [String: Entry]
    public var process: Process?

    public init(files: [String: Entry] = [:], process: Process? = nil) {
        self.files = files
        self.process = process
    }

    static func load(fromRoot root: String) throws(FactError) -> RootMetadata {
        let location = root + "/" + fileName
        let text: String
        do {
            text = try HostRoot.live.readText(location, limit: 1 << 20)
        } catch .absent {
            return RootMetadata()
        }
        return try decode(text, source: location)
    }

    /// Parses sidecar text, wherever it came from (a directory root or a bundle read in memory); `source`
    /// names it in errors.
    public static func decode(_ text: String, source: String) throws(FactError) -> RootMetadata {
        do {
            let decoded = try YAMLDecoder().decode(RootMetadata.self, from: text)
            var normalized: [String: Entry] = [:]
            for (path, entry) in decoded.files { normalized[normalize(path)] = entry }
            return RootMetadata(files: normalized, process: decoded.process)
        } catch {
            throw .unparsable(source: source, detail: "\(error)")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        files = try c.decodeIfPresent([String: Entry].self, forKey: .files) ?? [:]
        process = try c.decodeIfPresent(Process.self, forKey: .process)
    }

    func entry(for path: String) -> Entry? { files[RootMetadata.normalize(path)] }

    /// Names the sidecar declares directly inside a directory (device nodes under /dev).
    func children(of directory: String) -> [String] {
        let prefix = RootMetadata.normalize(directory) == "/" ? "/" : RootMetadata.normalize(directory) + "/"
        return files.compactMap { path, entry in
            guard entry.absent != true, path.hasPrefix(prefix) else { return nil }
            let rest = path.dropFirst(prefix.count)
            return rest.contains("/") || rest.isEmpty ? nil : String(rest)
        }
    }

    static func normalize(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }
}
