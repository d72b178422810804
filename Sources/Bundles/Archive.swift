import CZlib
import Foundation
import HostFacts
#if canImport(Glibc)
import Glibc
#endif

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

/// tar (POSIX ustar, with GNU long names and pax headers) inside gzip: what `tar xzf` opens on any support
/// machine. Reading is defensive and happens in memory only: the gzip stream is inflated in chunks, every header
/// number is range-checked, and total size, member size and member count are bounded; nothing is ever written
/// to disk (a bundle is judged through an in-memory HostRoot, see MemoryTree).
public enum Archive {
    public struct Limits: Sendable {
        /// Bytes of tar stream (headers, contents, padding) the gzip may unpack to, plus the per-member cost below.
        public var maximumUncompressedBytes: Int
        public var maximumMemberBytes: Int
        public var maximumMembers: Int

        /// What one member costs in memory besides its contents (its path, the ArchiveMember, a tree node and
        /// its directory entry, measured at a few hundred bytes; rounded up). Charged against the total, so a
        /// flood of empty members is bounded by memory, not only by count.
        public static let memberOverheadBytes = 1024

        /// `collect` stores at most 200 MB of content by default (--max-size); facts.json, report.json,
        /// report.html and tar headers add a few MB. 384 MiB leaves room for a bundle collected with a somewhat
        /// larger --max-size while bounding what a hostile archive costs (everything kept is held in memory).
        /// No single collected file is near 64 MiB (log tails are 4 MiB, other reads 8 MiB), and a real bundle
        /// holds a few thousand members, far below 50,000.
        public static let standard = Limits(maximumUncompressedBytes: 384 << 20, maximumMemberBytes: 64 << 20, maximumMembers: 50_000)

        public init(maximumUncompressedBytes: Int, maximumMemberBytes: Int, maximumMembers: Int) {
            self.maximumUncompressedBytes = maximumUncompressedBytes
            self.maximumMemberBytes = maximumMemberBytes
            self.maximumMembers = maximumMembers
        }
    }

    /// Longest path or link target accepted (Linux's PATH_MAX); GNU long-name records are bounded by it.
    static let maximumNameBytes = 4096
    /// A pax extended header holds a few key=value records; anything bigger is not from a tar tool.
    static let maximumPaxHeaderBytes = 64 << 10

    // MARK: Writing

    public static func tarGz(_ members: [ArchiveMember], modificationTime: Date = Date()) throws -> [UInt8] {
        var tar: [UInt8] = []
        // 11 octal digits; a clock outside 1970...2242 is written as 0 rather than trapping in Int(Double).
        let seconds = modificationTime.timeIntervalSince1970
        let mtime = seconds.isFinite && seconds >= 0 && seconds < 8_000_000_000 ? Int(seconds) : 0
        for member in members {
            let name = member.path + (member.kind == .directory && !member.path.hasSuffix("/") ? "/" : "")
            if name.utf8.count > 100 {
                // GNU long name: a pseudo-member "././@LongLink" whose data is the real name.
                let longName = Array(name.utf8) + [0]
                tar += header(name: "././@LongLink", size: longName.count, type: UInt8(ascii: "L"), mode: 0o644, mtime: mtime, link: "")
                tar += longName
                tar += [UInt8](repeating: 0, count: (512 - longName.count % 512) % 512)
            }
            if case .symlink(let target) = member.kind, target.utf8.count > 100 {
                // GNU long link: sysfs link targets often exceed ustar's 100 bytes.
                let longTarget = Array(target.utf8) + [0]
                tar += header(name: "././@LongLink", size: longTarget.count, type: UInt8(ascii: "K"), mode: 0o644, mtime: mtime, link: "")
                tar += longTarget
                tar += [UInt8](repeating: 0, count: (512 - longTarget.count % 512) % 512)
            }
            // The ustar size field holds 11 octal digits; a bigger member would silently corrupt the archive.
            guard member.contents.count < 1 << 33 else { throw ArchiveError("\(member.path) is too large for a tar member") }
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
}
