import CZlib
import Foundation

/// A member of a bundle archive.
public struct ArchiveMember: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case file, directory, symlink(String) }
    /// Relative path inside the archive ("proc/cpuinfo").
    public var path: String
    public var kind: Kind
    public var contents: [UInt8]
    public var mode: UInt32

    public init(path: String, kind: Kind = .file, contents: [UInt8] = [], mode: UInt32 = 0o644) {
        self.path = path
        self.kind = kind
        self.contents = contents
        self.mode = mode
    }
}

public struct ArchiveError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// tar (POSIX ustar, with GNU long names) inside gzip: what `tar xzf` opens on any support machine.
/// Reading is defensive: it refuses absolute paths, `..`, links that leave the archive, device files,
/// oversized members and archives, and truncated or corrupt streams, and never touches the disk itself.
public enum Archive {
    public struct Limits: Sendable {
        public var maximumUncompressedBytes: Int
        public var maximumMemberBytes: Int
        public var maximumMembers: Int

        public static let standard = Limits(maximumUncompressedBytes: 2 << 30, maximumMemberBytes: 512 << 20, maximumMembers: 200_000)

        public init(maximumUncompressedBytes: Int, maximumMemberBytes: Int, maximumMembers: Int) {
            self.maximumUncompressedBytes = maximumUncompressedBytes
            self.maximumMemberBytes = maximumMemberBytes
            self.maximumMembers = maximumMembers
        }
    }

    // MARK: Writing

    public static func tarGz(_ members: [ArchiveMember], modificationTime: Date = Date()) throws -> [UInt8] {
        var tar: [UInt8] = []
        let mtime = Int(modificationTime.timeIntervalSince1970)
        for member in members {
            let name = member.path + (member.kind == .directory && !member.path.hasSuffix("/") ? "/" : "")
            if name.utf8.count > 100 {
                // GNU long name: a pseudo-member "././@LongLink" whose data is the real name.
                var longName = Array(name.utf8) + [0]
                tar += header(name: "././@LongLink", size: longName.count, type: UInt8(ascii: "L"), mode: 0o644, mtime: mtime, link: "")
                tar += longName
                longName = []
                tar += [UInt8](repeating: 0, count: (512 - (name.utf8.count + 1) % 512) % 512)
            }
            let shortName = String(decoding: Array(name.utf8.prefix(100)), as: UTF8.self)
            switch member.kind {
            case .file:
                tar += header(name: shortName, size: member.contents.count, type: UInt8(ascii: "0"), mode: member.mode, mtime: mtime, link: "")
                tar += member.contents
                tar += [UInt8](repeating: 0, count: (512 - member.contents.count % 512) % 512)
            case .directory:
                tar += header(name: shortName, size: 0, type: UInt8(ascii: "5"), mode: 0o755, mtime: mtime, link: "")
            case .symlink(let target):
                tar += header(name: shortName, size: 0, type: UInt8(ascii: "2"), mode: 0o777, mtime: mtime, link: target)
            }
        }
        tar += [UInt8](repeating: 0, count: 1024)
        return try gzip(tar)
    }

    /// gzip of arbitrary bytes (the tar step left out), for tests that build hostile archives by hand.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = bytes.withUnsafeBufferPointer { vd_gzip($0.baseAddress, $0.count, &output, &size) }
        guard status == 0, let output else { throw ArchiveError("gzip failed (zlib \(status))") }
        defer { vd_zfree(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }

    static func header(name: String, size: Int, type: UInt8, mode: UInt32, mtime: Int, link: String) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            put(String(format: "%0\(length - 1)o", value), at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(Int(mode), at: 100, length: 8)
        octal(0, at: 108, length: 8)
        octal(0, at: 116, length: 8)
        octal(size, at: 124, length: 12)
        octal(mtime, at: 136, length: 12)
        for index in 148..<156 { block[index] = 0x20 }
        block[156] = type
        put(link, at: 157, length: 100)
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        put("root", at: 265, length: 32)
        put("root", at: 297, length: 32)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", checksum), at: 148, length: 6)
        block[154] = 0
        block[155] = 0x20
        return block
    }

    // MARK: Reading

    public static func read(tarGz: [UInt8], limits: Limits = .standard) throws -> [ArchiveMember] {
        guard tarGz.count >= 2, tarGz[0] == 0x1F, tarGz[1] == 0x8B else { throw ArchiveError("not a gzip file") }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = tarGz.withUnsafeBufferPointer { vd_gunzip($0.baseAddress, $0.count, limits.maximumUncompressedBytes, &output, &size) }
        switch status {
        case 0: break
        case 1: throw ArchiveError("the archive unpacks to more than \(limits.maximumUncompressedBytes) bytes; refusing it (a decompression bomb?)")
        case 2: throw ArchiveError("the gzip stream is truncated")
        default: throw ArchiveError("the gzip stream is corrupt (zlib \(status))")
        }
        guard let output else { throw ArchiveError("empty archive") }
        defer { vd_zfree(output) }
        return try read(tar: Array(UnsafeBufferPointer(start: output, count: size)), limits: limits)
    }

    static func read(tar: [UInt8], limits: Limits) throws -> [ArchiveMember] {
        var members: [ArchiveMember] = []
        var offset = 0
        var longName: String?
        while offset + 512 <= tar.count {
            let block = tar[offset..<offset + 512]
            if block.allSatisfy({ $0 == 0 }) { break }
            let stored = block.prefix(148).reduce(0) { $0 + Int($1) } + 8 * 0x20 + block.suffix(from: offset + 156).reduce(0) { $0 + Int($1) }
            guard let checksum = octal(tar, offset + 148, 8), checksum == stored else {
                throw ArchiveError("member \(members.count + 1): header checksum mismatch (corrupt or not a tar archive)")
            }
            guard let size = octal(tar, offset + 124, 12) else { throw ArchiveError("member \(members.count + 1): unreadable size") }
            guard size <= limits.maximumMemberBytes else {
                throw ArchiveError("member \(members.count + 1) claims \(size) bytes, more than the \(limits.maximumMemberBytes) allowed")
            }
            let type = tar[offset + 156]
            let dataStart = offset + 512
            guard dataStart + size <= tar.count else { throw ArchiveError("member \(members.count + 1) is cut off: the archive is truncated") }
            let data = Array(tar[dataStart..<dataStart + size])
            offset = dataStart + (size + 511) / 512 * 512
            if type == UInt8(ascii: "L") {
                longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            }
            var name = longName ?? string(tar, offset: dataStart - 512, length: 100)
            // ustar splits long names into prefix + name; a GNU long name already holds the whole path.
            let prefix = string(tar, offset: dataStart - 512 + 345, length: 155)
            if longName == nil && !prefix.isEmpty { name = prefix + "/" + name }
            longName = nil
            let path = try safePath(name)
            let kind: ArchiveMember.Kind
            switch type {
            case UInt8(ascii: "0"), 0: kind = .file
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "2"):
                let target = string(tar, offset: dataStart - 512 + 157, length: 100)
                try checkLink(target, from: path)
                kind = .symlink(target)
            case UInt8(ascii: "1"): throw ArchiveError("\(path): hard links are not accepted in a bundle")
            case UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "6"):
                throw ArchiveError("\(path): device files and FIFOs are not accepted in a bundle")
            default:
                continue  // pax headers and other metadata carry nothing a bundle needs
            }
            members.append(ArchiveMember(path: path, kind: kind, contents: data, mode: UInt32(octal(tar, dataStart - 512 + 100, 8) ?? 0o644)))
            guard members.count <= limits.maximumMembers else { throw ArchiveError("more than \(limits.maximumMembers) members; refusing the archive") }
        }
        return members
    }

    static func octal(_ bytes: [UInt8], _ offset: Int, _ length: Int) -> Int? {
        // GNU base-256 for values octal cannot hold (sizes over 8 GiB): high bit set, big-endian binary.
        if bytes[offset] & 0x80 != 0 {
            var value = 0
            for index in offset + 1..<offset + length {
                guard value < Int.max >> 8 else { return Int.max }
                value = value << 8 | Int(bytes[index])
            }
            return value
        }
        let text = String(decoding: bytes[offset..<offset + length].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        // A sign is not octal: "-1" would make a negative size (a backwards slice) or a mode UInt32 cannot hold.
        guard !text.isEmpty else { return 0 }
        guard text.allSatisfy({ ("0"..."7").contains($0) }) else { return nil }
        return Int(text, radix: 8)
    }

    static func string(_ bytes: [UInt8], offset: Int, length: Int) -> String {
        String(decoding: bytes[offset..<offset + length].prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A member path must stay inside the archive: relative, no "..", no empty components.
    static func safePath(_ name: String) throws -> String {
        var path = name
        while path.hasPrefix("./") { path.removeFirst(2) }
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.isEmpty else { throw ArchiveError("a member has an empty name") }
        guard !path.hasPrefix("/") else { throw ArchiveError("\(name): absolute paths are not accepted") }
        guard !path.split(separator: "/").contains("..") else { throw ArchiveError("\(name): paths with .. are not accepted") }
        return path
    }

    /// Links may point inside the archive only (relative, and not climbing above its root).
    static func checkLink(_ target: String, from path: String) throws {
        guard !target.hasPrefix("/") else { throw ArchiveError("\(path) links to \(target): absolute links are not accepted") }
        var depth = path.split(separator: "/").count - 1
        for part in target.split(separator: "/") {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { throw ArchiveError("\(path) links to \(target), outside the bundle") }
        }
    }

    /// Writes members below `directory` (created fresh, mode 0700). Paths were checked when read; links are
    /// created as they are, since they stay inside.
    public static func extract(_ members: [ArchiveMember], into directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for member in members {
            let path = directory + "/" + (try safePath(member.path))
            let parent = (path as NSString).deletingLastPathComponent
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            switch member.kind {
            case .directory: try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            case .file:
                // Never follow a link planted earlier in the same archive.
                if (try? manager.destinationOfSymbolicLink(atPath: path)) != nil { try manager.removeItem(atPath: path) }
                guard manager.createFile(atPath: path, contents: Data(member.contents), attributes: [.posixPermissions: 0o644]) else {
                    throw ArchiveError("cannot write \(member.path)")
                }
            case .symlink(let target):
                if manager.fileExists(atPath: path) || (try? manager.destinationOfSymbolicLink(atPath: path)) != nil { try manager.removeItem(atPath: path) }
                try manager.createSymbolicLink(atPath: path, withDestinationPath: target)
            }
        }
    }
}
