#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DoctorCore
import Foundation

// issue 12 (storage): guest disk images (where they are, their format from the header's magic bytes, apparent
// versus allocated size), the block devices given to guests, the mount table and the free space of the file
// systems holding images.

/// What the first bytes of an image file say it is. Only a bounded prefix is ever read (never a whole image).
public struct ImageHeader: Codable, Sendable, Equatable {
    /// qcow2, qcow, cow, qed, vmdk, vdi, vhdx, vpc, luks, cloop, raw (nothing recognised).
    public var format: String
    public var version: Int?
    /// The size the guest sees (qcow/qcow2/qed header); nil for raw, where it is the file's size.
    public var virtualSize: Int?
    /// The backing file named in the header; "" when the header names one beyond the bytes read.
    public var backingFile: String?
    /// none, aes (legacy qcow AES), luks.
    public var encryption: String?

    /// How many bytes of an image are read: the qcow2 header, its extensions and the backing file name fit.
    public static let headBytes = 4096

    static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return bytes[offset..<offset + 4].reduce(0) { ($0 << 8) | UInt32($1) }
    }

    static func u64(_ bytes: [UInt8], _ offset: Int) -> UInt64? {
        guard offset >= 0, offset + 8 <= bytes.count else { return nil }
        return bytes[offset..<offset + 8].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    static func starts(_ bytes: [UInt8], _ magic: [UInt8], at offset: Int = 0) -> Bool {
        offset + magic.count <= bytes.count && Array(bytes[offset..<offset + magic.count]) == magic
    }

    /// Total: any bytes give a header (raw when nothing is recognised).
    public static func parse(_ bytes: [UInt8]) -> ImageHeader {
        var header = ImageHeader(format: "raw")
        if starts(bytes, [0x51, 0x46, 0x49, 0xfb]) {  // "QFI\xfb"
            let version = u32(bytes, 4).map(Int.init)
            header.version = version
            header.format = version == 1 ? "qcow" : "qcow2"
            // Both versions keep the backing file offset (8 bytes) at 8, its length (4) at 16 and the virtual
            // size at 24; the encryption method is at 32 in qcow2 and at 36 in qcow (after mtime and cluster bits).
            if let size = u64(bytes, 24), size <= UInt64(Int.max) { header.virtualSize = Int(size) }
            switch u32(bytes, version == 1 ? 36 : 32) {
            case 1: header.encryption = "aes"
            case 2: header.encryption = "luks"
            default: header.encryption = "none"
            }
            if let offset = u64(bytes, 8), offset > 0, let length = u32(bytes, 16), length > 0 {
                if offset < UInt64(bytes.count), length <= 1023, Int(offset) + Int(length) <= bytes.count {
                    let name = bytes[Int(offset)..<Int(offset) + Int(length)]
                    header.backingFile = String(decoding: name, as: UTF8.self)
                } else {
                    header.backingFile = ""
                }
            }
            return header
        }
        if starts(bytes, [0x51, 0x45, 0x44, 0x00]) {  // "QED\0"
            header.format = "qed"
            return header
        }
        if starts(bytes, [0x4f, 0x4f, 0x4f, 0x4d]) { header.format = "cow"; return header }  // UML "OOOM"
        if starts(bytes, Array("KDMV".utf8)) || starts(bytes, Array("COWD".utf8)) || starts(bytes, Array("# Disk DescriptorFile".utf8)) {
            header.format = "vmdk"
            return header
        }
        if starts(bytes, [0x7f, 0x10, 0xda, 0xbe], at: 64) { header.format = "vdi"; return header }
        if starts(bytes, Array("vhdxfile".utf8)) { header.format = "vhdx"; return header }
        if starts(bytes, Array("conectix".utf8)) { header.format = "vpc"; return header }
        if starts(bytes, [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]) { header.format = "luks"; header.encryption = "luks"; return header }
        if starts(bytes, Array("#!/bin/sh\n#V2.0 Format".utf8)) { header.format = "cloop"; return header }
        return header
    }
}

/// One line of /proc/mounts.
public struct MountEntry: Codable, Sendable, Equatable {
    public var device: String
    public var mountPoint: String
    public var type: String
    public var options: [String]

    /// Parses /proc/mounts (or /proc/self/mounts): `device mountpoint type options dump pass`, with spaces
    /// in names written as \040. Lines that are not six fields are skipped; at most 20,000 lines are read.
    public static func parse(_ text: String) -> [MountEntry] {
        var entries: [MountEntry] = []
        for line in text.split(separator: "\n").prefix(20_000) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, fields[1].hasPrefix("/") else { continue }
            entries.append(MountEntry(device: unescape(fields[0]), mountPoint: unescape(fields[1]), type: String(fields[2]),
                                      options: fields[3].split(separator: ",").map(String.init)))
        }
        return entries
    }

    static func unescape<S: StringProtocol>(_ field: S) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
               let value = UInt8(String(decoding: source[index + 1...index + 3], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The mount holding `path`: the longest mount point that is a prefix of it (the last one mounted wins).
    public static func holding(_ path: String, in mounts: [MountEntry]) -> MountEntry? {
        var best: MountEntry?
        for mount in mounts {
            let prefix = mount.mountPoint == "/" ? "/" : mount.mountPoint + "/"
            guard path == mount.mountPoint || path.hasPrefix(prefix) else { continue }
            if best == nil || mount.mountPoint.count >= best!.mountPoint.count { best = mount }
        }
        return best
    }
}

/// Free space of the file system holding a directory (statvfs).
public struct FileSystemSpace: Codable, Sendable, Equatable {
    public var directory: String
    public var totalBytes: Int
    /// Space an unprivileged writer may use (f_bavail); QEMU runs unprivileged.
    public var availableBytes: Int
    /// Identifies the file system, so directories on the same one are added up once (f_fsid, or a mount point).
    public var id: String
}

public struct GuestImages: Codable, Sendable, Equatable {
    public struct Image: Codable, Sendable, Equatable {
        public var path: String
        /// The guest that uses it; nil for a file found in an image directory.
        public var guest: String?
        /// disk, cdrom, floppy.
        public var device: String
        public var exists: Bool
        public var apparentBytes: Int?
        /// st_blocks * 512 (or the root's sidecar `allocated:`).
        public var allocatedBytes: Int?
        public var header: ImageHeader?
        /// Whether the backing file named in the header exists (relative names are relative to the image).
        public var backingExists: Bool?
        /// Type of the file system holding it, from /proc/mounts.
        public var mountPoint: String?
        public var fileSystemType: String?
        public var mountOptions: [String]?

        public var readOnly: Bool { device == "cdrom" || device == "floppy" }
        public var directory: String {
            let parts = path.split(separator: "/")
            return "/" + parts.dropLast().joined(separator: "/")
        }
        /// The size the guest may grow the file to.
        public var capacityBytes: Int? { header?.virtualSize ?? apparentBytes }
        /// How much more space the image may take on the host.
        public var growthBytes: Int? {
            guard let capacity = capacityBytes, let allocated = allocatedBytes else { return nil }
            return max(0, CheckedNumbers.saturatingAdd(capacity, -allocated))
        }
    }

    public struct BlockDisk: Codable, Sendable, Equatable {
        public var guest: String
        public var path: String
        public var device: String
        public var exists: Bool = false
        /// The security.selinux label of the device node (or the root's sidecar).
        public var context: String?
        /// The path links resolve to (/dev/disk/by-id/... -> /dev/sdc).
        public var resolved: String?
    }

    public var images: [Image]
    public var blockDisks: [BlockDisk]
    public var mounts: [MountEntry]?
    /// Per image directory; nil when this evidence has no statvfs answer (a root without /statvfs.txt).
    public var spaces: [FileSystemSpace]?
    public var notInspected: Int
    public var limitReason: String?

    public static let imageDirectories = ["/var/lib/libvirt/images", "/var/lib/xen/images"]
    static let maximumImages = 5_000
    static let timeBudget = 5.0
    /// A bundle's or root's recording of statvfs per image directory.
    public static let spaceRecording = "/statvfs.txt"
    /// A bundle's recording of each image's header: a bundle carries a big image as an empty file.
    public static let headerRecording = "/image-headers.txt"

    public func space(for image: Image) -> FileSystemSpace? {
        spaces?.first { $0.directory == image.directory }
    }

    /// The recording's text: `<directory>\ttotal=<bytes>\tavail=<bytes>\tfsid=<id>` per line.
    public var recordedText: String? {
        guard let spaces, !spaces.isEmpty else { return nil }
        return spaces.map { "\($0.directory)\ttotal=\($0.totalBytes)\tavail=\($0.availableBytes)\tfsid=\($0.id)\n" }.joined()
    }

    /// The header recording's text: `<path>\tformat=F[\tversion=N][\tvirtual=N][\tencryption=E][\tbacking=B]`
    /// per image whose header was read. A path or backing name holding a tab or line break is left out.
    public var recordedHeaders: String? {
        var lines: [String] = []
        for image in images {
            guard let header = image.header, !image.path.contains(where: { $0 == "\t" || $0.isNewline }),
                  !(header.backingFile ?? "").contains(where: { $0 == "\t" || $0.isNewline }) else { continue }
            var fields = [image.path, "format=\(header.format)"]
            if let version = header.version { fields.append("version=\(version)") }
            if let size = header.virtualSize { fields.append("virtual=\(size)") }
            if let encryption = header.encryption { fields.append("encryption=\(encryption)") }
            if let backing = header.backingFile { fields.append("backing=\(backing)") }
            lines.append(fields.joined(separator: "\t") + "\n")
        }
        return lines.isEmpty ? nil : lines.joined()
    }

    /// Parses the header recording; a line without a path and a format is an error.
    public static func parseHeaders(_ text: String, source: String) throws(FactError) -> [String: ImageHeader] {
        var headers: [String: ImageHeader] = [:]
        for line in text.split(separator: "\n").prefix(maximumImages) where !line.hasPrefix("#") && !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0].hasPrefix("/"), fields[1].hasPrefix("format="), fields[1].count > 7 else {
                throw .unparsable(source: source, detail: "expected '<path>\\tformat=F', found '\(line.prefix(60))'")
            }
            var header = ImageHeader(format: String(fields[1].dropFirst(7)))
            for field in fields.dropFirst(2) {
                guard let equals = field.firstIndex(of: "=") else { continue }
                let key = field[..<equals], value = String(field[field.index(after: equals)...])
                switch key {
                case "version": header.version = CheckedNumbers.integer(value, in: 0...1_000)
                case "virtual": header.virtualSize = CheckedNumbers.integer(value, in: 0...Int.max)
                case "encryption": header.encryption = value
                case "backing": header.backingFile = value
                default: continue
                }
            }
            headers[String(fields[0])] = header
        }
        return headers
    }

    /// Parses the recording; lines that do not parse are an error (a recording is written by this tool).
    public static func parseSpaces(_ text: String, source: String) throws(FactError) -> [FileSystemSpace] {
        var spaces: [FileSystemSpace] = []
        for line in text.split(separator: "\n").prefix(10_000) where !line.hasPrefix("#") && !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: "\t")
            guard fields.count >= 3, fields[0].hasPrefix("/") else {
                throw .unparsable(source: source, detail: "expected '<directory>\\ttotal=N\\tavail=N', found '\(line.prefix(60))'")
            }
            var values: [String: String] = [:]
            for field in fields.dropFirst() {
                guard let (key, value) = TextChecks.splitKeyValue(field, separator: "=") else { continue }
                values[key] = value
            }
            guard let total = values["total"].flatMap({ CheckedNumbers.integer($0, in: 0...Int.max) }),
                  let available = values["avail"].flatMap({ CheckedNumbers.integer($0, in: 0...Int.max) }) else {
                throw .unparsable(source: source, detail: "total= and avail= must be byte counts in '\(line.prefix(60))'")
            }
            spaces.append(FileSystemSpace(directory: String(fields[0]), totalBytes: total, availableBytes: available,
                                          id: values["fsid"] ?? String(fields[0])))
        }
        return spaces
    }

    static func read(_ store: FactStore) throws(FactError) -> Sourced<GuestImages> {
        let root = store.root
        if root.evidence.kind == .sosReport {
            throw root.liveOnly("the guest image files (a sos report copies no image files)")
        }
        var result = GuestImages(images: [], blockDisks: [], mounts: nil, spaces: nil, notInspected: 0, limitReason: nil)
        var sources: [String] = []
        for path in ["/proc/self/mounts", "/proc/mounts"] {
            if let text = try? root.readText(path, limit: 4 << 20) {
                result.mounts = MountEntry.parse(text)
                sources.append(path)
                break
            }
        }
        var disks: [(guest: String, disk: LibvirtDomain.Disk)] = []
        var anyDefinitions = false
        if let snapshot = try? store.get(Facts.libvirt) {
            anyDefinitions = true
            sources.append("libvirt")
            for domain in snapshot.domains { disks += domain.disks.map { (domain.name, $0) } }
        } else if let inventory = try? store.get(Facts.libvirtDomains) {
            anyDefinitions = true
            sources.append("/etc/libvirt/qemu")
            for domain in inventory.domains { disks += domain.disks.map { (domain.name, $0) } }
        }
        // A bundle's headers, for images it carries only as empty files.
        var recorded: [String: ImageHeader] = [:]
        if !root.isLive, let text = try root.readTextIfPresent(headerRecording, limit: 4 << 20) {
            recorded = try parseHeaders(text, source: headerRecording)
            sources.append(headerRecording)
        }
        // Legacy Xen guests defined in /etc/xen: their disk = [ ... ] lines.
        if let names = try? root.list("/etc/xen") {
            for name in names.prefix(500) where !name.hasSuffix(".sxp") && !name.hasPrefix("xl.") && !name.hasPrefix(".") {
                let path = "/etc/xen/\(name)"
                guard (try? root.fileInfo(path))?.kind == .regular, let text = try? root.readText(path, limit: 1 << 20),
                      text.contains("disk") else { continue }
                let config = XenDiskLines.parse(text)
                guard !config.disks.isEmpty else { continue }
                anyDefinitions = true
                sources.append(path)
                let guest = config.name ?? name
                disks += config.disks.map { (guest, $0) }
            }
        }
        let started = Date()
        var seen = Set<String>()
        func inspect(_ path: String, guest: String?, device: String) {
            guard !seen.contains(path) else {
                // A file found in the directory first and then named by a guest: keep the guest.
                if let guest, let index = result.images.firstIndex(where: { $0.path == path && $0.guest == nil }) {
                    result.images[index].guest = guest
                    result.images[index].device = device
                }
                return
            }
            seen.insert(path)
            if result.images.count >= maximumImages || Date().timeIntervalSince(started) > timeBudget {
                result.notInspected += 1
                result.limitReason = result.images.count >= maximumImages ? "stopped after \(maximumImages) images" : "stopped after \(Int(timeBudget)) s"
                return
            }
            result.images.append(root.inspectImage(path, guest: guest, device: device, mounts: result.mounts, recorded: recorded[path]))
        }
        for (guest, disk) in disks {
            guard let source = disk.source, source.hasPrefix("/") else { continue }
            switch disk.type {
            case "file": inspect(source, guest: guest, device: disk.device)
            case "block":
                var block = BlockDisk(guest: guest, path: source, device: disk.device)
                block.exists = root.exists(source)
                block.context = root.extendedAttribute(source, name: "security.selinux")
                block.resolved = root.canonicalPath(source)
                result.blockDisks.append(block)
            default: continue
            }
        }
        var anyDirectory = false
        for directory in imageDirectories {
            guard let names = try? root.list(directory) else { continue }
            anyDirectory = true
            sources.append(directory)
            for name in names where !name.hasPrefix(".") {
                let path = "\(directory)/\(name)"
                guard (try? root.fileInfo(path))?.kind == .regular else { continue }
                inspect(path, guest: nil, device: name.hasSuffix(".iso") ? "cdrom" : "disk")
            }
        }
        guard anyDefinitions || anyDirectory else {
            throw .absent("any guest definition or image directory (/etc/libvirt/qemu, \(imageDirectories.joined(separator: ", ")))")
        }
        result.spaces = try root.fileSystemSpaces(for: Array(Set(result.images.filter(\.exists).map(\.directory))).sorted())
        if result.spaces != nil { sources.append(root.isLive ? "statvfs" : spaceRecording) }
        return Sourced(result, sources: sources)
    }
}

/// The disks of a legacy Xen guest configuration (/etc/xen/<guest>):
///
///     name = "guest1"
///     disk = [ 'file:/var/lib/xen/images/guest1.img,xvda,w', 'phy:/dev/sdb,xvdb,w', 'file:/iso/x.iso,hdc:cdrom,r' ]
enum XenDiskLines {
    static let prefixes = ["tap2:tapdisk:aio:", "tap2:aio:", "tap:aio:", "tap:qcow2:", "tap:qcow:", "tap:vhd:", "tap:sync:", "file:", "phy:"]

    /// Total: any text gives a name (or nil) and the disks it could read; at most 256 disks.
    static func parse(_ text: String) -> (name: String?, disks: [LibvirtDomain.Disk]) {
        var name: String?
        var disks: [LibvirtDomain.Disk] = []
        var collecting = false
        var list = ""
        for raw in text.split(separator: "\n").prefix(10_000) {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !collecting, let equals = trimmed.firstIndex(of: "=") {
                let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
                let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if key == "name" { name = value.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
                if key == "disk" { collecting = true; list = "" ; line = Substring(value) }
            }
            guard collecting else { continue }
            list += line
            if line.contains("]") || list.count > 1 << 16 { collecting = false } else { continue }
            for (index, item) in list.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "'" || $0 == "\"" }).enumerated() where index % 2 == 1 && disks.count < 256 {
                let fields = item.split(separator: ",", omittingEmptySubsequences: false)
                guard let target = fields.first, let prefix = prefixes.first(where: { target.hasPrefix($0) }) else { continue }
                let source = String(target.dropFirst(prefix.count))
                guard source.hasPrefix("/") else { continue }
                let device = fields.count > 1 && fields[1].hasSuffix(":cdrom") ? "cdrom" : "disk"
                disks.append(LibvirtDomain.Disk(device: device, type: prefix == "phy:" ? "block" : "file", source: source,
                                                driver: String(prefix.dropLast()), bus: "xen"))
            }
        }
        return (name, disks)
    }
}

extension HostRoot {
    /// The first `maxBytes` of a regular file, never more; not recorded for bundles (an image is never copied).
    func readHead(_ path: String, maxBytes: Int) throws(FactError) -> [UInt8] {
        if let entry = metadata.entry(for: path) {
            if entry.unreadable == true { throw .permissionDenied(path) }
            if let content = entry.content { return Array(content.utf8.prefix(maxBytes)) }
        }
        if case .tree(let tree) = backend {
            guard case .file(let bytes) = tree.nodes[try tree.lookup(path).node].content else {
                throw .io(source: path, detail: "not a regular file")
            }
            return Array(bytes.prefix(maxBytes))
        }
        let real = try resolve(path)
        let descriptor = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw HostRoot.error(errno, path) }
        defer { close(descriptor) }
        var info = SwiftGlibc.stat()
        guard fstat(descriptor, &info) == 0 else { throw HostRoot.error(errno, path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io(source: path, detail: "not a regular file") }
        var result = [UInt8](repeating: 0, count: maxBytes)
        var filled = 0
        while filled < maxBytes {
            let count = result.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, maxBytes - filled) }
            if count < 0 { if errno == EINTR { continue }; throw HostRoot.error(errno, path) }
            if count == 0 { break }
            filled += count
        }
        return Array(result[0..<filled])
    }

    /// Apparent size and allocated bytes: the sidecar's `size:`/`allocated:` win (a fixture cannot hold a
    /// 40 GiB sparse file), else stat's st_size and st_blocks * 512.
    func allocation(_ path: String) -> (apparent: Int?, allocated: Int?) {
        let entry = metadata.entry(for: path)
        var apparent = entry?.size
        var allocated = entry?.allocated
        if case .disk = backend, let real = try? resolve(path) {
            var info = SwiftGlibc.stat()
            if stat(real, &info) == 0 {
                if apparent == nil { apparent = Int(info.st_size) }
                if allocated == nil { allocated = CheckedNumbers.product(Int(info.st_blocks), 512) }
            }
        } else if apparent == nil {
            apparent = (try? fileInfo(path))?.size
        }
        return (apparent, allocated)
    }

    func inspectImage(_ path: String, guest: String?, device: String, mounts: [MountEntry]?, recorded: ImageHeader? = nil) -> GuestImages.Image {
        var image = GuestImages.Image(path: path, guest: guest, device: device, exists: false)
        if let mounts, let mount = MountEntry.holding(path, in: mounts) {
            image.mountPoint = mount.mountPoint
            image.fileSystemType = mount.type
            image.mountOptions = mount.options
        }
        guard let info = try? fileInfo(path) else { return image }
        image.exists = true
        guard info.kind == .regular else { return image }
        let sizes = allocation(path)
        image.apparentBytes = sizes.apparent
        image.allocatedBytes = sizes.allocated
        // A bundle carries a big image as an empty file: fewer bytes than its size promises say nothing of its format.
        if let head = try? readHead(path, maxBytes: ImageHeader.headBytes), head.count >= min(sizes.apparent ?? 0, 512) {
            var header = ImageHeader.parse(head)
            // Raw has no header: what the guest sees is the file's own size.
            if header.format == "raw" { header.virtualSize = nil }
            image.header = header
        } else if let recorded {
            image.header = recorded
        }
        if let header = image.header {
            if let backing = header.backingFile, !backing.isEmpty, !backing.contains("://"), !backing.hasPrefix("json:") {
                let resolved = backing.hasPrefix("/") ? backing : image.directory + "/" + backing
                image.backingExists = exists(resolved)
            }
        }
        return image
    }

    /// Free space of the file systems holding `directories`: statvfs on the running machine, the recording
    /// elsewhere; nil when this evidence has neither.
    func fileSystemSpaces(for directories: [String]) throws(FactError) -> [FileSystemSpace]? {
        if isLive {
            var spaces: [FileSystemSpace] = []
            for directory in directories {
                var info = SwiftGlibc.statvfs()
                guard statvfs(directory, &info) == 0 else { continue }
                let unit = Int(info.f_frsize > 0 ? info.f_frsize : info.f_bsize)
                spaces.append(FileSystemSpace(
                    directory: directory,
                    totalBytes: CheckedNumbers.product(Int(clamping: info.f_blocks), unit) ?? Int.max,
                    availableBytes: CheckedNumbers.product(Int(clamping: info.f_bavail), unit) ?? Int.max,
                    id: String(info.f_fsid, radix: 16)))
            }
            return spaces
        }
        guard let text = try readTextIfPresent(GuestImages.spaceRecording, limit: 1 << 20) else { return nil }
        return try GuestImages.parseSpaces(text, source: GuestImages.spaceRecording)
    }
}

extension Facts {
    public static let guestImages = FactKey<GuestImages>(
        "storage.images",
        "Guest disk images (format from the header, apparent and allocated size, mount), block disks, free space"
    ) { store throws(FactError) in
        try GuestImages.read(store)
    }
}
