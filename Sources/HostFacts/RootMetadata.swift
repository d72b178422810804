import DoctorCore
import Foundation
import Yams

/// The sidecar `.meta.yaml` of a directory root: what git cannot hold, overlaid on the files.
///
///     files:
///       /dev/kvm: { type: char, mode: "0660", uid: 0, gid: 36, major: 10, minor: 232 }
///       /var/log/dmesg: { unreadable: true }          # reads as "permission denied"
///       /var/lib/libvirt/images/a.qcow2: { selinux: "system_u:object_r:virt_image_t:s0" }
///       /var/lib/libvirt/images/b.img: { size: 42949672960, allocated: 1073741824 }   # sparse: apparent, allocated bytes
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
        /// Apparent size and allocated bytes (st_blocks * 512) of a file git cannot hold at its real size: a
        /// sparse guest image (issue 12: storage).
        public var size: Int?
        public var allocated: Int?

        public init(type: FileKind? = nil, mode: String? = nil, uid: UInt32? = nil, gid: UInt32? = nil, major: UInt32? = nil,
                    minor: UInt32? = nil, selinux: String? = nil, unreadable: Bool? = nil, absent: Bool? = nil, content: String? = nil,
                    size: Int? = nil, allocated: Int? = nil) {
            self.type = type
            self.mode = mode
            self.uid = uid
            self.gid = gid
            self.major = major
            self.minor = minor
            self.selinux = selinux
            self.unreadable = unreadable
            self.absent = absent
            self.content = content
            self.size = size
            self.allocated = allocated
        }
    }

    public struct Process: Codable, Sendable, Equatable {
        public var uid: UInt32
        public var gids: [UInt32]?

        public init(uid: UInt32, gids: [UInt32]? = nil) {
            self.uid = uid
            self.gids = gids
        }
    }

    public var files: [String: Entry]
    public var process: Process?

    public init(files: [String: Entry] = [:], process: Process? = nil) {
        self.files = files
        self.process = process
    }

    /// The most a sidecar may hold; real ones are a few kilobytes.
    public static let maximumBytes = 1 << 20

    /// Reads `<root>/.meta.yaml`. Only a regular file directly in the root counts: a link there is not
    /// followed (on a customer's disk it could point at the analyst's own files), and anything else that
    /// is not a regular file is refused with a sentence. A missing, empty or comment-only sidecar means
    /// "no metadata".
    static func load(fromRoot root: String) throws(FactError) -> RootMetadata {
        let location = (root.hasSuffix("/") ? root : root + "/") + fileName
        guard let text = try readSidecar(location) else { return RootMetadata() }
        return try decode(text, source: location)
    }

    /// The sidecar's text, nil when there is none. Opened without following a final symbolic link and
    /// without blocking on a FIFO, then checked with fstat, so what is checked is what is read.
    static func readSidecar(_ location: String) throws(FactError) -> String? {
        let descriptor = open(location, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            switch code {
            case ENOENT: return nil
            case ELOOP:
                throw .unparsable(source: location, detail: "the metadata sidecar is a symbolic link; it must be a regular file in the root and links are not followed")
            case EACCES, EPERM: throw .permissionDenied(location)
            default: throw .io(source: location, detail: String(cString: strerror(code)))
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(source: location, detail: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unparsable(source: location, detail: "the metadata sidecar is not a regular file")
        }
        guard info.st_size <= off_t(maximumBytes) else { throw .tooLarge(source: location, limit: maximumBytes) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(source: location, detail: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            // The file may grow between fstat and read.
            if bytes.count > maximumBytes { throw .tooLarge(source: location, limit: maximumBytes) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses sidecar text, wherever it came from (a directory root or a bundle read in memory); `source`
    /// names it in errors. Anchors, aliases and complex keys are refused before decoding (see SafeYAML).
    public static func decode(_ text: String, source: String) throws(FactError) -> RootMetadata {
        let shape: SafeYAML.Shape
        do throws(SafeYAML.Refusal) {
            shape = try SafeYAML.inspect(text)
        } catch {
            throw .unparsable(source: source, detail: error.description)
        }
        if shape.isEmpty { return RootMetadata() }
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

    /// The sidecar as `collect` writes it into a bundle: JSON, which every YAML reader reads as YAML, made by
    /// encoding the same type `decode` reads, so paths and labels with quotes, colons or `#` round-trip
    /// exactly (no hand-built YAML to escape wrongly).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    func entry(for path: String) -> Entry? { files[RootMetadata.normalize(path)] }

    /// Names the sidecar declares inside a directory (device nodes under /dev), including the directories
    /// its deeper entries imply (`virtio-ports` for /dev/virtio-ports/org.qemu.guest_agent.0).
    func children(of directory: String) -> [String] {
        let prefix = RootMetadata.normalize(directory) == "/" ? "/" : RootMetadata.normalize(directory) + "/"
        var names = Set<String>()
        for (path, entry) in files where entry.absent != true && path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if let first = rest.split(separator: "/").first { names.insert(String(first)) }
        }
        return Array(names)
    }

    static func normalize(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }
}
