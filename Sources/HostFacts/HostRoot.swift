#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims
import DoctorCore
import Foundation

/// What kind of file system object a path names.
public enum FileKind: String, Codable, Sendable {
    case regular, directory, symlink, charDevice = "char", blockDevice = "block", fifo, socket, other
}

/// The parts of stat(2) the checks use, after the root's metadata sidecar has been applied.
public struct FileStat: Codable, Sendable, Equatable {
    public var kind: FileKind
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int
    public var major: UInt32?
    public var minor: UInt32?

    public var modeOctal: String { "0" + String(mode & 0o7777, radix: 8) }
}

/// The single way the tool reads a machine. Every probe asks a HostRoot for `/proc/cpuinfo`, never opens it
/// itself, so the same code runs on the live host (`/`), on a directory laid out like one (a mounted disk,
/// a fixture, an unpacked bundle), on a support bundle read into memory (a MemoryTree), and in tests.
///
/// A directory root may carry `.meta.yaml` at its top to overlay what git cannot store: device nodes, modes,
/// owners, SELinux labels, and files that must read as "permission denied" (see RootMetadata).
public final class HostRoot: Sendable {
    /// Where the files are: on this machine's disk (the live `/` or a directory), or in memory.
    enum Backend: Sendable {
        case disk
        case tree(MemoryTree)
    }

    /// Absolute path of the root directory; "/" for the live machine. For a tree it is only a label (the
    /// bundle's file name) and names nothing on disk.
    public let path: String
    let backend: Backend
    /// True only for the running machine: live-only probes (ioctl on /dev/kvm, uname) are allowed.
    public let isLive: Bool
    public let metadata: RootMetadata
    /// Set while collecting a bundle: every path the checks touch, so the bundle holds exactly that.
    public let recorder: AccessRecorder?
    /// What kind of evidence this is and which regions it never captured (see `EvidenceSource`).
    public let evidence: EvidenceSource

    /// Files above this size are refused: no /proc, /sys or /etc file a check reads is ever this big,
    /// and a runaway file must not take the run's memory.
    public static let defaultReadLimit = 8 << 20

    public static let live = HostRoot(uncheckedPath: "/", isLive: true, metadata: RootMetadata(), recorder: nil, evidence: .live())

    private init(uncheckedPath: String, isLive: Bool, metadata: RootMetadata, recorder: AccessRecorder?, backend: Backend = .disk,
                 evidence: EvidenceSource) {
        self.path = uncheckedPath
        self.isLive = isLive
        self.metadata = metadata
        self.recorder = recorder
        self.backend = backend
        self.evidence = evidence
    }

    /// The same root, recording what is read from it.
    public func recording(into recorder: AccessRecorder) -> HostRoot {
        HostRoot(uncheckedPath: path, isLive: isLive, metadata: metadata, recorder: recorder, backend: backend, evidence: evidence)
    }

    /// The same files described as another kind of evidence, with files synthesized from the collector's
    /// command outputs laid over them (a sos report's `sysctl -a` answers /proc/sys reads).
    public func reinterpreted(as evidence: EvidenceSource, metadata: RootMetadata) -> HostRoot {
        HostRoot(uncheckedPath: path, isLive: isLive, metadata: metadata, recorder: recorder, backend: backend, evidence: evidence)
    }

    /// The same files seen from one of their directories (a sos archive's single top-level folder).
    public func subtree(_ directory: String, label: String) throws(FactError) -> HostRoot {
        switch backend {
        case .tree(let tree):
            let node = try tree.lookup(directory).node
            return try HostRoot(tree: tree.rooted(at: node), label: label)
        case .disk:
            return try HostRoot(directory: try resolve(directory))
        }
    }

    /// A tree held in memory (a bundle's members); `label` names it in reports. Its top-level `.meta.yaml`
    /// applies as for a directory root.
    public convenience init(tree: MemoryTree, label: String) throws(FactError) {
        var metadata = RootMetadata()
        if let child = tree.nodes[0].children[RootMetadata.fileName] {
            switch tree.nodes[child].content {
            case .file(let bytes):
                guard bytes.count <= 1 << 20 else { throw .tooLarge(source: label + "/" + RootMetadata.fileName, limit: 1 << 20) }
                metadata = try RootMetadata.decode(String(decoding: bytes, as: UTF8.self), source: label + "/" + RootMetadata.fileName)
            default:
                throw .io(source: label + "/" + RootMetadata.fileName, detail: "not a regular file")
            }
        }
        self.init(uncheckedPath: label, isLive: false, metadata: metadata, recorder: nil, backend: .tree(tree),
                  evidence: EvidenceSource(kind: .bundle, label: label))
    }

    /// No files at all, only a libvirt connection (`migrate --to URI`): every file is "not captured", so
    /// the checks that need the destination's files say so and libvirt's answers stand alone.
    public static func libvirtConnection(_ uri: String) -> HostRoot {
        let evidence = EvidenceSource(kind: .libvirtConnection, label: uri, partialRegions: ["/"], lacking: ["files"])
        return HostRoot(uncheckedPath: uri, isLive: false, metadata: RootMetadata(), recorder: nil, backend: .tree(MemoryTree.Builder().build()), evidence: evidence)
    }

    /// A directory laid out like `/`. Throws when it is not a readable directory or its sidecar is broken.
    public convenience init(directory: String) throws(FactError) {
        // Absolute and canonical, so relative --root arguments and the sidecar path agree.
        var normalized = directory
        if let canonical = realpath(directory, nil) {
            normalized = String(cString: canonical)
            free(canonical)
        }
        while normalized.count > 1 && normalized.hasSuffix("/") { normalized.removeLast() }
        if normalized == "/" {
            self.init(uncheckedPath: "/", isLive: true, metadata: RootMetadata(), recorder: nil, evidence: .live())
            return
        }
        var info = SwiftGlibc.stat()
        guard stat(normalized, &info) == 0 else { throw HostRoot.error(errno, normalized) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .io(source: normalized, detail: "not a directory")
        }
        let metadata = try RootMetadata.load(fromRoot: normalized)
        var evidence = EvidenceSource(kind: .directory, label: normalized)
        // A mounted disk or a copy has empty /dev, /proc and /sys (they are mount points of the running system);
        // a missing file there is unknown, not absent. A fixture or a recorded tree that holds them is complete.
        let plain = HostRoot(uncheckedPath: normalized, isLive: false, metadata: metadata, recorder: nil, evidence: evidence)
        let empty = HostRoot.pseudoFileSystems.filter { ((try? plain.list($0)) ?? []).isEmpty }
        evidence.partialRegions = empty
        evidence.lacking = HostRoot.lackingWords(empty)
        self.init(uncheckedPath: normalized, isLive: false, metadata: metadata, recorder: nil, evidence: evidence)
    }

    /// The file systems the kernel makes up at run time: a copy of a disk holds them only as empty directories.
    public static let pseudoFileSystems = ["/dev", "/proc", "/sys"]

    /// The codes the header turns into words for regions never captured ("dev", "proc", "sys").
    static func lackingWords(_ regions: [String]) -> [String] {
        regions.map { String($0.dropFirst()) }
    }

    /// The error a read of `path` ends in: a missing file in a region the evidence never captured is unknown.
    func uncaptured(_ error: FactError, _ path: String) -> FactError {
        guard case .absent = error, !isLive, evidence.isUncaptured(RootMetadata.normalize(path)) else { return error }
        return .notCaptured(what: path, source: evidence.noun)
    }

    /// The error for a probe only the running machine can answer (an ioctl, a libvirt connection), asked of
    /// a root that is not the running machine.
    public func liveOnly(_ what: String) -> FactError {
        .notCaptured(what: what, source: evidence.noun)
    }

    /// Whether `path` exists, with "the evidence cannot tell" as an error rather than a silent false.
    public func captured(_ path: String) throws(FactError) -> Bool {
        do {
            _ = try fileInfo(path)
            return true
        } catch .absent {
            return false
        }
    }

    /// A short label for reports: "/" or the directory.
    public var label: String { path }

    // MARK: Reading

    /// Reads a whole file as text (invalid UTF-8 is replaced, so parsers see junk rather than a crash).
    public func readText(_ path: String, limit: Int = HostRoot.defaultReadLimit) throws(FactError) -> String {
        let bytes = try readBytes(path, limit: limit)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a text file if it exists; nil when absent, errors for everything else.
    public func readTextIfPresent(_ path: String, limit: Int = HostRoot.defaultReadLimit) throws(FactError) -> String? {
        do {
            return try readText(path, limit: limit)
        } catch .absent {
            return nil
        }
    }

    public func readBytes(_ path: String, limit: Int = HostRoot.defaultReadLimit) throws(FactError) -> [UInt8] {
        do throws(FactError) {
            let bytes = try readBytesUnrecorded(path, limit: limit)
            recorder?.read(path)
            return bytes
        } catch {
            if case .permissionDenied = error { recorder?.denied(path) }
            throw uncaptured(error, path)
        }
    }

    func readBytesUnrecorded(_ path: String, limit: Int) throws(FactError) -> [UInt8] {
        if let entry = metadata.entry(for: path) {
            if entry.unreadable == true { throw .permissionDenied(path) }
            if let content = entry.content { return Array(content.utf8) }
        }
        if case .tree(let tree) = backend {
            switch tree.nodes[try tree.lookup(path).node].content {
            case .file(let bytes):
                if bytes.count > limit { throw .tooLarge(source: path, limit: limit) }
                return bytes
            case .directory: throw .io(source: path, detail: "is a directory, not a file")
            case .symlink: throw .absent(path)  // lookup follows links; one left over is dangling
            }
        }
        let real = try resolve(path)
        let descriptor = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw HostRoot.error(errno, path) }
        defer { close(descriptor) }
        var info = SwiftGlibc.stat()
        if fstat(descriptor, &info) == 0 {
            let kind = HostRoot.kind(info.st_mode)
            // A FIFO or socket planted where a file belongs would block or lie; refuse it.
            if kind == .directory || kind == .fifo || kind == .socket {
                throw .io(source: path, detail: "is a \(kind.rawValue), not a file")
            }
        }
        // /proc and /sys report size 0, so read in chunks until EOF or the limit.
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw HostRoot.error(errno, path)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
            if result.count > limit { throw .tooLarge(source: path, limit: limit) }
        }
        return result
    }

    /// Names in a directory, sorted; device nodes declared in the sidecar are included.
    public func list(_ path: String) throws(FactError) -> [String] {
        do throws(FactError) {
            return try listUncaptured(path)
        } catch {
            throw uncaptured(error, path)
        }
    }

    func listUncaptured(_ path: String) throws(FactError) -> [String] {
        var names = Set<String>()
        var found = false
        switch backend {
        case .tree(let tree):
            if let node = try? tree.lookup(path).node, case .directory = tree.nodes[node].content {
                found = true
                names.formUnion(tree.nodes[node].children.keys)
            }
        case .disk:
            let real = try? resolve(path)
            if let real, let directory = opendir(real) {
                found = true
                defer { closedir(directory) }
                while let entry = readdir(directory) {
                    let name = withUnsafePointer(to: entry.pointee.d_name) {
                        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                    }
                    if name != "." && name != ".." { names.insert(name) }
                }
            } else if real != nil, errno != ENOENT, errno != ENOTDIR, metadata.children(of: path).isEmpty {
                throw HostRoot.error(errno, path)
            }
        }
        let declared = metadata.children(of: path)
        if !declared.isEmpty { found = true }
        names.formUnion(declared)
        if path == "/" { names.remove(RootMetadata.fileName) }
        guard found else { throw .absent(path) }
        recorder?.listed(path, names.sorted())
        return names.sorted()
    }

    /// stat(2), overlaid with the sidecar (a declared device node exists even though git holds no file).
    public func fileInfo(_ path: String) throws(FactError) -> FileStat {
        do throws(FactError) {
            return try fileInfoUncaptured(path)
        } catch {
            throw uncaptured(error, path)
        }
    }

    func fileInfoUncaptured(_ path: String) throws(FactError) -> FileStat {
        var declared = metadata.entry(for: path)
        // A directory the sidecar only implies (/dev when it declares /dev/kvm) exists as a directory.
        if declared == nil, !metadata.children(of: path).isEmpty {
            declared = RootMetadata.Entry(type: .directory, mode: "0755")
        }
        var base: FileStat?
        if case .tree(let tree) = backend {
            do throws(FactError) {
                let entry = tree.nodes[try tree.lookup(path).node]
                switch entry.content {
                case .directory: base = FileStat(kind: .directory, mode: entry.mode, uid: 0, gid: 0, size: 0)
                case .file(let bytes): base = FileStat(kind: .regular, mode: entry.mode, uid: 0, gid: 0, size: bytes.count)
                case .symlink: throw FactError.absent(path)
                }
            } catch {
                if declared == nil { throw error }
            }
        } else if let real = try? resolve(path) {
            var info = SwiftGlibc.stat()
            if stat(real, &info) == 0 {
                base = FileStat(
                    kind: HostRoot.kind(info.st_mode), mode: UInt32(info.st_mode & 0o7777),
                    uid: info.st_uid, gid: info.st_gid, size: Int(info.st_size),
                    major: HostRoot.isDevice(info.st_mode) ? HostRoot.major(UInt64(info.st_rdev)) : nil,
                    minor: HostRoot.isDevice(info.st_mode) ? HostRoot.minor(UInt64(info.st_rdev)) : nil)
            } else if declared == nil {
                throw HostRoot.error(errno, path)
            }
        } else if declared == nil {
            throw .absent(path)
        }
        guard let declared else {
            recorder?.stat(path, base!)
            return base!
        }
        if declared.absent == true { throw .absent(path) }
        var result = base ?? FileStat(kind: .regular, mode: 0o644, uid: 0, gid: 0, size: declared.content?.utf8.count ?? 0)
        if let kind = declared.type { result.kind = kind }
        if let mode = declared.mode, let bits = UInt32(mode, radix: 8) { result.mode = bits }
        if let uid = declared.uid { result.uid = uid }
        if let gid = declared.gid { result.gid = gid }
        if let major = declared.major { result.major = major }
        if let minor = declared.minor { result.minor = minor }
        return result
    }

    public func exists(_ path: String) -> Bool {
        (try? fileInfo(path)) != nil
    }

    /// The target of a symbolic link, as stored (not resolved).
    public func readLink(_ path: String) -> String? {
        if case .tree(let tree) = backend {
            guard let parent = try? tree.lookup(parentPath(path)).node,
                  let child = tree.nodes[parent].children[lastComponent(path)],
                  case .symlink(let target) = tree.nodes[child].content else { return nil }
            recorder?.link(path, target)
            return target
        }
        guard let parent = try? resolve(parentPath(path)) else { return nil }
        let real = parent == "/" ? "/" + lastComponent(path) : parent + "/" + lastComponent(path)
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(real, &buffer, 4096)
        guard count >= 0 else { return nil }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        recorder?.link(path, target)
        return target
    }

    /// An extended attribute such as `security.selinux`; the sidecar's `selinux:` wins in directory roots.
    public func extendedAttribute(_ path: String, name: String) -> String? {
        if name == "security.selinux", let label = metadata.entry(for: path)?.selinux { return label }
        // An archive carries no extended attributes; the sidecar above is where a bundle records labels.
        if case .tree = backend { return nil }
        guard let real = try? resolve(path) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = vd_getxattr(real, name, &buffer, buffer.count)
        guard count > 0 else { return nil }
        var bytes = Array(buffer[0..<count])
        if bytes.last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where a path of this root really is on the running machine, following symbolic links inside the
    /// root: an absolute link target in a mounted disk points into that disk, not into the host.
    /// A tree in memory has no such place: this throws for it, so no caller can open a host path by mistake
    /// (use canonicalPath and modificationDate, which work on every root).
    public func resolve(_ path: String) throws(FactError) -> String {
        if case .tree = backend {
            throw .io(source: path, detail: "this root is an archive read in memory and has no location on disk")
        }
        let components = path.split(separator: "/").map(String.init)
        if isLive { return "/" + components.joined(separator: "/") }
        var resolved: [String] = []
        var pending = components[...]
        var hops = 0
        while let component = pending.popFirst() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            let candidate = self.path + "/" + (resolved + [component]).joined(separator: "/")
            var info = SwiftGlibc.stat()
            if lstat(candidate, &info) != 0 {
                if errno == ENOENT || errno == ENOTDIR { throw .absent(path) }
                throw HostRoot.error(errno, path)
            }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                hops += 1
                if hops > 40 { throw .io(source: path, detail: "too many levels of symbolic links") }
                var buffer = [CChar](repeating: 0, count: 4097)
                let count = readlink(candidate, &buffer, 4096)
                guard count >= 0 else { throw HostRoot.error(errno, path) }
                let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("/") { resolved = [] }
                pending = (target.split(separator: "/").map(String.init) + pending)[...]
                continue
            }
            resolved.append(component)
        }
        return self.path + (resolved.isEmpty ? "" : "/" + resolved.joined(separator: "/"))
    }

    /// The path inside this root that `path` really names, links followed ("/sys/block/vda" ->
    /// "/sys/devices/.../vda"); nil when it does not exist.
    public func canonicalPath(_ path: String) -> String? {
        switch backend {
        case .tree(let tree):
            guard let names = try? tree.lookup(path).names else { return nil }
            return "/" + names.joined(separator: "/")
        case .disk:
            guard let resolved = try? resolve(path) else { return nil }
            if isLive {
                guard let real = realpath(resolved, nil) else { return nil }
                defer { free(real) }
                return String(cString: real)
            }
            let relative = resolved.dropFirst(self.path.count)
            return relative.isEmpty ? "/" : String(relative)
        }
    }

    /// When a file was last changed; nil when unknown (a tree in memory does not keep times).
    public func modificationDate(_ path: String) -> Date? {
        guard case .disk = backend, let real = try? resolve(path) else { return nil }
        var info = SwiftGlibc.stat()
        guard stat(real, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    // MARK: Helpers

    static func error(_ code: Int32, _ path: String) -> FactError {
        switch code {
        case ENOENT, ENOTDIR: .absent(path)
        case EACCES, EPERM: .permissionDenied(path)
        default: .io(source: path, detail: String(cString: strerror(code)))
        }
    }

    static func kind(_ mode: mode_t) -> FileKind {
        switch mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFLNK: .symlink
        case S_IFCHR: .charDevice
        case S_IFBLK: .blockDevice
        case S_IFIFO: .fifo
        case S_IFSOCK: .socket
        default: .other
        }
    }

    /// Linux's dev_t encoding (glibc's gnu_dev_major/minor, which Swift cannot see as macros).
    static func major(_ device: UInt64) -> UInt32 {
        UInt32(((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff)))
    }

    static func minor(_ device: UInt64) -> UInt32 {
        UInt32((device & 0xff) | ((device >> 12) & ~UInt64(0xff)))
    }

    static func isDevice(_ mode: mode_t) -> Bool {
        let type = mode & S_IFMT
        return type == S_IFCHR || type == S_IFBLK
    }
}

func parentPath(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return "/" + parts.dropLast().joined(separator: "/")
}

func lastComponent(_ path: String) -> String {
    String(path.split(separator: "/").last ?? "")
}

extension HostRoot {
    /// The last `maxBytes` of a regular file (a long kern.log), or all of a shorter one.
    public func readTail(_ path: String, maxBytes: Int) throws(FactError) -> [UInt8] {
        do throws(FactError) {
            return try readTailUncaptured(path, maxBytes: maxBytes)
        } catch {
            throw uncaptured(error, path)
        }
    }

    func readTailUncaptured(_ path: String, maxBytes: Int) throws(FactError) -> [UInt8] {
        if let entry = metadata.entry(for: path) {
            if entry.unreadable == true { throw .permissionDenied(path) }
            // As readBytes does: a file the sidecar holds (a sos report's dmesg output, made /dmesg.txt) is
            // read from there, or the kernel log of a sos report would never be seen.
            if let content = entry.content {
                recorder?.read(path)
                return Array(content.utf8.suffix(max(0, maxBytes)))
            }
        }
        if case .tree(let tree) = backend {
            guard case .file(let bytes) = tree.nodes[try tree.lookup(path).node].content else {
                throw .io(source: path, detail: "not a regular file")
            }
            recorder?.read(path)
            return Array(bytes.suffix(max(0, maxBytes)))
        }
        let real = try resolve(path)
        let descriptor = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw HostRoot.error(errno, path) }
        defer { close(descriptor) }
        var info = SwiftGlibc.stat()
        guard fstat(descriptor, &info) == 0 else { throw HostRoot.error(errno, path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io(source: path, detail: "not a regular file") }
        if Int(info.st_size) > maxBytes { lseek(descriptor, off_t(Int(info.st_size) - maxBytes), SEEK_SET) }
        recorder?.read(path)
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count <= maxBytes {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw HostRoot.error(errno, path) }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }
}
