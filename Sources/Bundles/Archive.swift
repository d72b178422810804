import CBzip2
import CLzma
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

/// tar (POSIX ustar, with GNU long names and pax headers), plain or inside gzip, xz or bzip2: what `tar xf`
/// opens on any support machine. virt-doctor writes .tar.gz bundles; sos reports are usually .tar.xz. Reading
/// is defensive and happens in memory only: the compressed stream is decoded in chunks, every header number
/// is range-checked, and total size, member size and member count are bounded; nothing is ever written to
/// disk (a bundle is judged through an in-memory HostRoot, see MemoryTree).
public enum Archive {
    /// How an archive file is stored, told by its first bytes (never by its name).
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case tar, gzip, xz, bzip2
    }

    public struct Limits: Sendable {
        /// Bytes the members the reader keeps may take in memory: their contents plus the per-member cost
        /// below. Without a member filter every member is kept, and the decompressed tar stream (headers,
        /// contents, padding) is bounded by this number as well.
        public var maximumUncompressedBytes: Int
        /// Largest member kept; a member the filter passes over may be bigger (it is streamed past).
        public var maximumMemberBytes: Int
        /// Members kept.
        public var maximumMembers: Int
        /// With a member filter: the bytes the whole tar stream may decompress to, members passed over
        /// included. Passing over costs time, not memory, so this bound is much higher than the one on what
        /// is kept. Also bounds the compressed bytes read (with a little slack), so padding that decodes to
        /// nothing cannot be read forever either.
        public var maximumStreamedBytes: Int
        /// With a member filter: members passed over (each costs a header check and some decoding).
        public var maximumSkippedMembers: Int

        /// What one member costs in memory besides its contents (its path, the ArchiveMember, a tree node and
        /// its directory entry, measured at a few hundred bytes; rounded up). Charged against the total, so a
        /// flood of empty members is bounded by memory, not only by count.
        public static let memberOverheadBytes = 1024

        /// `collect` stores at most 200 MB of content by default (--max-size); facts.json, report.json,
        /// report.html and tar headers add a few MB. 384 MiB leaves room for a bundle collected with a somewhat
        /// larger --max-size while bounding what a hostile archive costs (everything kept is held in memory).
        /// No single collected file is near 64 MiB (log tails are 4 MiB, other reads 8 MiB), and a real bundle
        /// holds a few thousand members, far below 50,000.
        /// With a filter (a sos report: tens of thousands of files, a few hundred MB unpacked, of which a small
        /// part is wanted) up to 4 GiB may stream past, about a minute of xz decoding at worst, and up to
        /// 1,000,000 members may be passed over; what is kept stays under the numbers above.
        public static let standard = Limits(maximumUncompressedBytes: 384 << 20, maximumMemberBytes: 64 << 20, maximumMembers: 50_000,
                                            maximumStreamedBytes: 4 << 30, maximumSkippedMembers: 1_000_000)

        /// Without the last two, a filter may stream as much as is kept (`maximumUncompressedBytes`) and pass
        /// over as many members as may be kept: the limits mean what they meant before filters existed.
        public init(maximumUncompressedBytes: Int, maximumMemberBytes: Int, maximumMembers: Int,
                    maximumStreamedBytes: Int? = nil, maximumSkippedMembers: Int? = nil) {
            self.maximumUncompressedBytes = maximumUncompressedBytes
            self.maximumMemberBytes = maximumMemberBytes
            self.maximumMembers = maximumMembers
            self.maximumStreamedBytes = maximumStreamedBytes ?? maximumUncompressedBytes
            self.maximumSkippedMembers = maximumSkippedMembers ?? maximumMembers
        }

        /// The bound on the decompressed stream: without a filter every member is kept, so the stream can
        /// be no bigger than what may be kept (apart from header blocks, which the per-member cost covers).
        func streamBytes(filtered: Bool) -> Int {
            filtered ? maximumStreamedBytes : min(maximumStreamedBytes, maximumUncompressedBytes)
        }
    }

    /// What liblzma may allocate to decode one .xz file, its dictionary mostly. `xz -9` needs 65 MiB; a header
    /// asking for more (up to 1.5 GiB is legal) is refused instead of allocated.
    static let xzMemoryLimit: UInt64 = 128 << 20

    /// Longest path or link target accepted (Linux's PATH_MAX); GNU long-name records are bounded by it.
    static let maximumNameBytes = 4096
    /// A pax extended header holds a few key=value records; anything bigger is not from a tar tool.
    static let maximumPaxHeaderBytes = 64 << 10

    // MARK: Writing

    public static func tarGz(_ members: [ArchiveMember], modificationTime: Date = Date()) throws -> [UInt8] {
        try gzip(tar(members, modificationTime: modificationTime))
    }

    /// The uncompressed tar of `members` (what tarGz compresses); tests compress it other ways.
    static func tar(_ members: [ArchiveMember], modificationTime: Date = Date()) throws -> [UInt8] {
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
        return tar
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

    /// One .xz stream of arbitrary bytes (CRC64 check by default, as xz(1) writes), for tests and fuzzing seeds.
    static func xz(_ bytes: [UInt8], preset: UInt32 = 6, check: Int32 = 4) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = bytes.withUnsafeBufferPointer { vd_xz_compress($0.baseAddress, $0.count, preset, check, &output, &size) }
        guard status == 0, let output else { throw ArchiveError("xz compression failed (liblzma \(status))") }
        defer { vd_xz_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }

    /// One bzip2 stream of arbitrary bytes, for tests and fuzzing seeds.
    static func bzip2(_ bytes: [UInt8], blockSize100k: Int32 = 9) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = bytes.withUnsafeBufferPointer { vd_bzip2_compress($0.baseAddress, $0.count, blockSize100k, &output, &size) }
        guard status == 0, let output else { throw ArchiveError("bzip2 compression failed (libbz2 \(status))") }
        defer { vd_bzip2_free(output) }
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
