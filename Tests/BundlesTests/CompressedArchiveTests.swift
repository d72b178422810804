@testable import Bundles
import Foundation
import HostFacts
import Testing
import TestSupport

/// tar.xz, tar.bz2 and plain tar (sos reports come as .tar.xz), told by their first bytes, read with the same
/// bounds as bundles; and the member filter that lets a caller stream past what it does not need.
@Suite struct CompressedArchiveTests {
    static let members = [
        ArchiveMember(path: "etc", kind: .directory, mode: 0o755),
        ArchiveMember(path: "etc/hostname", contents: Array("host.example.test\n".utf8)),
        ArchiveMember(path: String(repeating: "deep/", count: 30) + "file", contents: Array(repeating: 0x61, count: 3000)),
        ArchiveMember(path: "etc/localtime", kind: .symlink("/usr/share/zoneinfo/UTC"), mode: 0o777),
        ArchiveMember(path: "empty", contents: []),
    ]

    static let end = [UInt8](repeating: 0, count: 1024)

    static func compress(_ tar: [UInt8], _ format: Archive.Format) throws -> [UInt8] {
        switch format {
        case .tar: tar
        case .gzip: try Archive.gzip(tar)
        case .xz: try Archive.xz(tar)
        case .bzip2: try Archive.bzip2(tar)
        }
    }

    static func archive(_ format: Archive.Format, _ members: [ArchiveMember] = members) throws -> [UInt8] {
        try compress(try Archive.tar(members, modificationTime: Date(timeIntervalSince1970: 0)), format)
    }

    /// A tar member written by hand, for what our writer never produces.
    static func member(_ name: String, type: Character = "0", data: [UInt8] = [], size: Int? = nil, link: String = "") -> [UInt8] {
        Archive.header(name: name, size: size ?? data.count, type: UInt8(ascii: type.unicodeScalars.first!), mode: 0o644, mtime: 0, link: link)
            + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    static func pax(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length { length += 1 }
        return member("PaxHeader", type: "x", data: Array("\(length)\(body)".utf8))
    }

    // MARK: Round trips

    @Test(arguments: Archive.Format.allCases)
    func everyFormatRoundTripsFromMemoryAndFromAFile(_ format: Archive.Format) throws {
        let bytes = try Self.archive(format)
        #expect(Archive.format(of: Array(bytes.prefix(512))) == format)
        #expect(try Archive.read(bytes: bytes) == Self.members)
        let scratch = ScratchRoot()
        // The name says gzip whatever the content: only the first bytes count.
        scratch.write("misnamed.tar.gz", bytes: bytes)
        #expect(try Archive.read(file: scratch.path + "/misnamed.tar.gz") == Self.members)
    }

    /// The decoders are fed one byte at a time: every stream must cope with input cut anywhere.
    @Test(arguments: Archive.Format.allCases)
    func aSourceGivingOneByteAtATimeReadsTheSame(_ format: Archive.Format) throws {
        let bytes = try Self.archive(format)
        var offset = 0
        let read = try Archive.read(expected: nil, limits: .standard, keep: nil) { buffer in
            guard offset < bytes.count, buffer.count > 0 else { return 0 }
            buffer[0] = bytes[offset]
            offset += 1
            return 1
        }
        #expect(read == Self.members)
    }

    /// pbzip2 writes one bzip2 stream per chunk, and `cat a.xz b.xz` is a valid .xz: both read as one archive,
    /// even with the tar split mid-member between the streams.
    @Test(arguments: [Archive.Format.xz, .bzip2])
    func concatenatedStreamsReadAsOne(_ format: Archive.Format) throws {
        let tar = try Archive.tar(Self.members, modificationTime: Date(timeIntervalSince1970: 0))
        let split = 1500
        let bytes = try Self.compress(Array(tar[..<split]), format) + Self.compress(Array(tar[split...]), format)
        #expect(try Archive.read(bytes: bytes) == Self.members)
    }

    /// An empty tar, as tar(1) writes it, is all zeros: an archive with no members.
    @Test func anAllZeroFileIsAnEmptyPlainTar() throws {
        #expect(try Archive.read(bytes: [UInt8](repeating: 0, count: 10240)) == [])
    }

    // MARK: Archives made by the system's tools

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static let longPath = String(repeating: "sos_commands/", count: 10) + "a-file-name-long-enough-for-a-long-name-record"

    /// A small tree like a sos report's: a top directory, a long path, an absolute link, an empty directory.
    static func sosLikeTree() -> ScratchRoot {
        let scratch = ScratchRoot()
        scratch.write("tree/sosreport-host-2026/etc/hostname", "host.example.test\n")
        scratch.write("tree/sosreport-host-2026/" + longPath, bytes: Array(repeating: 0x62, count: 70_000))
        scratch.link("tree/sosreport-host-2026/etc/localtime", to: "/usr/share/zoneinfo/UTC")
        try! FileManager.default.createDirectory(atPath: scratch.path + "/tree/sosreport-host-2026/var/empty", withIntermediateDirectories: true)
        return scratch
    }

    static func checkSosLikeTree(_ members: [ArchiveMember], _ label: String) {
        let byPath = Dictionary(members.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["sosreport-host-2026/etc/hostname"]?.contents == Array("host.example.test\n".utf8), "\(label)")
        #expect(byPath["sosreport-host-2026/" + longPath]?.contents == Array(repeating: 0x62, count: 70_000), "\(label)")
        #expect(byPath["sosreport-host-2026/etc/localtime"]?.kind == .symlink("/usr/share/zoneinfo/UTC"), "\(label)")
        #expect(byPath["sosreport-host-2026/var/empty"]?.kind == .directory, "\(label)")
    }

    /// GNU tar in each of its formats, compressed by xz(1) and bzip2(1). Skipped where a tool is missing.
    @Test func archivesMadeByTarXzAndBzip2AreRead() throws {
        guard let tar = Self.executable("tar") else {
            print("skipping: no tar(1) on this machine")
            return
        }
        let scratch = Self.sosLikeTree()
        var made = 0
        for (flag, tool) in [("-J", "xz"), ("-j", "bzip2"), ("", nil), ("-z", "gzip")] as [(String, String?)] {
            if let tool, Self.executable(tool) == nil {
                print("skipping tar \(flag): no \(tool)(1) on this machine")
                continue
            }
            for tarFormat in ["gnu", "pax", "ustar"] {
                let output = scratch.path + "/out-\(tarFormat)\(flag).tar"
                let arguments = ["-C", scratch.path + "/tree", "--format=\(tarFormat)", "-c"] + (flag.isEmpty ? [] : [flag]) + ["-f", output, "sosreport-host-2026"]
                // ustar cannot hold the long path in its 155 + 100 bytes when a component is too long; tar
                // says so and fails. That archive is not tested.
                guard try Self.run(tar, arguments) == 0 else { continue }
                let members = try Archive.read(file: output)
                Self.checkSosLikeTree(members, "\(tarFormat) \(flag)")
                let wanted = try Archive.read(file: output) { $0.hasSuffix("/etc/hostname") }
                #expect(wanted.map(\.path) == ["sosreport-host-2026/etc/hostname"], "\(tarFormat) \(flag)")
                made += 1
            }
        }
        #expect(made > 0)
    }

    /// sos writes its archive with Python's tarfile (pax format); this makes one the same way when python3
    /// is present.
    @Test func anArchiveMadeByPythonsTarfileIsRead() throws {
        guard let python = Self.executable("python3") else {
            print("skipping: no python3 on this machine")
            return
        }
        let scratch = Self.sosLikeTree()
        for mode in ["w:xz", "w:bz2", "w:gz", "w"] {
            let output = scratch.path + "/python-\(mode.replacingOccurrences(of: ":", with: "-")).tar"
            let script = """
                import sys, tarfile
                with tarfile.open(sys.argv[1], mode=sys.argv[2], format=tarfile.PAX_FORMAT) as archive:
                    archive.add(sys.argv[3], arcname="sosreport-host-2026")
                """
            guard try Self.run(python, ["-c", script, output, mode, scratch.path + "/tree/sosreport-host-2026"]) == 0 else {
                print("skipping tarfile mode \(mode): python3 could not write it")
                continue
            }
            Self.checkSosLikeTree(try Archive.read(file: output), "tarfile \(mode)")
        }
    }

    // MARK: Broken streams

    /// Bytes that do not compress, so a cut lands where it is meant to.
    static func noise(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test(arguments: [Archive.Format.xz, .bzip2, .tar])
    func truncatedArchivesAreSaidToBeTruncated(_ format: Archive.Format) throws {
        let bytes = try Self.archive(format, [ArchiveMember(path: "a", contents: Self.noise(200_000))])
        // Inside the first header, in the middle, and (compressed) one byte short or (plain) inside the data.
        for cut in [600, bytes.count / 2, format == .tar ? bytes.count - 1100 : bytes.count - 1] {
            do {
                _ = try Archive.read(bytes: Array(bytes.prefix(cut)))
                Issue.record("\(format) cut at \(cut) of \(bytes.count) was read")
            } catch {
                #expect("\(error)".contains("truncated"), "\(format) cut at \(cut): \(error)")
            }
        }
    }

    /// The tar inside is whole and only the end of the compressed stream is missing (the xz index and footer,
    /// bzip2's stream CRC): the stream is still finished and found short.
    @Test(arguments: [(Archive.Format.xz, 12), (.bzip2, 4)])
    func aMissingStreamEndIsTruncation(_ testCase: (Archive.Format, Int)) throws {
        let bytes = try Self.archive(testCase.0)
        #expect { _ = try Archive.read(bytes: Array(bytes.dropLast(testCase.1))) } throws: { "\($0)".contains("truncated") }
    }

    /// Every byte of an .xz file is covered by a CRC or the block check: flipping any one is an error, never
    /// a trap. bzip2 leaves a few bits unchecked (the block-size digit, which only sizes memory, and padding):
    /// a flip there may go unnoticed, but never changes what is read.
    @Test(arguments: [Archive.Format.xz, .bzip2])
    func flippingAnyByteIsAnError(_ format: Archive.Format) throws {
        let bytes = try Self.archive(format)
        var unnoticed: [Int] = []
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x55
            do {
                let read = try Archive.read(bytes: damaged)
                #expect(read == Self.members, "\(format): byte \(index) of \(bytes.count) changed the archive unnoticed")
                unnoticed.append(index)
            } catch {
                #expect(error is ArchiveError)
            }
        }
        #expect(format == .bzip2 || unnoticed.isEmpty, "\(format): flips at \(unnoticed) were not noticed")
        var damaged = bytes
        damaged[bytes.count / 2] ^= 0x55
        #expect { _ = try Archive.read(bytes: damaged) } throws: { "\($0)".contains("corrupt") }
    }

    /// The check itself: an xz stream whose check field is damaged, everything else intact.
    @Test(arguments: [(Int32(1), 4), (4, 8), (10, 32)])
    func aDamagedXzCheckIsCorrupt(_ check: (Int32, Int)) throws {
        var stream = try Archive.xz(try Archive.tar(Self.members, modificationTime: Date(timeIntervalSince1970: 0)), check: check.0)
        // The 12-byte footer holds the index size ("backward size", in 4-byte units less one); the block's
        // check field ends where the index starts.
        let footer = stream.count - 12
        let backwardSize = (0..<4).reduce(0) { $0 | Int(stream[footer + 4 + $1]) << (8 * $1) }
        let checkStart = footer - (backwardSize + 1) * 4 - check.1
        stream[checkStart] ^= 0x01
        #expect { _ = try Archive.read(bytes: stream) } throws: { "\($0)".contains("xz stream is corrupt") }
    }

    @Test(arguments: [Archive.Format.xz, .bzip2])
    func dataAfterTheLastStreamIsCorrupt(_ format: Archive.Format) throws {
        let bytes = try Self.archive(format) + Array("trailing garbage".utf8)
        #expect { _ = try Archive.read(bytes: bytes) } throws: { "\($0)".contains("corrupt") }
    }

    @Test(arguments: [Archive.Format.xz, .bzip2, .tar])
    func aBombStopsAtTheLimitWithOrWithoutAFilter(_ format: Archive.Format) throws {
        let tar = Self.member("zeros", size: 32 << 20) + [UInt8](repeating: 0, count: 32 << 20) + Self.end
        let bomb = try Self.compress(tar, format)
        if format != .tar { #expect(bomb.count < 2 << 20) }
        let limits = Archive.Limits(maximumUncompressedBytes: 4 << 20, maximumMemberBytes: 64 << 20, maximumMembers: 10, maximumStreamedBytes: 8 << 20)
        #expect { _ = try Archive.read(bytes: bomb, limits: limits) } throws: { "\($0)".contains("more than 4194304 bytes") }
        // Passed over, the member still counts against what may stream.
        #expect { _ = try Archive.read(bytes: bomb, limits: limits) { _ in false } } throws: { "\($0)".contains("more than the 8388608") }
    }

    /// A header may ask for a 4 GiB dictionary; liblzma is held to a memory limit instead of allocating it.
    @Test func anXzDictionaryBeyondTheMemoryLimitIsRefused() throws {
        var bytes = try Archive.xz(try Archive.tar(Self.members), preset: 0)
        // Stream header: 12 bytes. Block header: its size, flags, the optional sizes, then the LZMA2 filter
        // (ID 0x21, one property byte: the dictionary size), padding and a CRC32.
        let header = 12
        let headerSize = (Int(bytes[header]) + 1) * 4
        let flags = bytes[header + 1]
        var index = header + 2
        func skipVarint() { while bytes[index] & 0x80 != 0 { index += 1 }; index += 1 }
        if flags & 0x40 != 0 { skipVarint() }
        if flags & 0x80 != 0 { skipVarint() }
        #expect(bytes[index] == 0x21 && bytes[index + 1] == 0x01)
        bytes[index + 2] = 40  // 4 GiB - 1, the largest dictionary LZMA2 can say
        let crc = Self.crc32(bytes[header..<(header + headerSize - 4)])
        for offset in 0..<4 { bytes[header + headerSize - 4 + offset] = UInt8(truncatingIfNeeded: crc >> (8 * offset)) }
        #expect { _ = try Archive.read(bytes: bytes) } throws: { "\($0)".contains("more than 128 MiB of memory") }
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// xz stream padding decodes to nothing; a file of it is refused once it is much bigger than the limit
    /// rather than read to its end.
    @Test func paddingThatDecodesToNothingIsBounded() throws {
        let bytes = try Self.archive(.xz) + [UInt8](repeating: 0, count: 4 << 20)
        let limits = Archive.Limits(maximumUncompressedBytes: 1 << 20, maximumMemberBytes: 1 << 20, maximumMembers: 100)
        #expect { _ = try Archive.read(bytes: bytes, limits: limits) } throws: { "\($0)".contains("holds more than") }
        // Within the bound, padding (a multiple of four zero bytes) is what xz(1) accepts too.
        #expect(try Archive.read(bytes: try Self.archive(.xz) + [0, 0, 0, 0], limits: limits) == Self.members)
    }

    @Test func wrongMagicIsOneClearSentence() throws {
        #expect { _ = try Archive.read(bytes: Array("hello, not an archive".utf8)) }
            throws: { "\($0)".contains("not a gzip file, nor an xz, bzip2 or plain tar archive") }
        #expect { _ = try Archive.read(bytes: []) } throws: { "\($0)".contains("not a gzip file, nor an xz") }
        #expect { _ = try Archive.read(bytes: [UInt8](repeating: 0x41, count: 4096)) } throws: { "\($0)".contains("match none of them") }
        #expect { _ = try Archive.read(bytes: [0x28, 0xB5, 0x2F, 0xFD] + [UInt8](repeating: 0, count: 100)) } throws: { "\($0)".contains("zstd") }
        // A bundle is gzip: read(tarGz:) does not take another format.
        #expect { _ = try Archive.read(tarGz: try Self.archive(.xz)) } throws: { "\($0)".contains("not a gzip file (a bundle is a .tar.gz)") }
        #expect(Archive.format(of: Array("BZh0".utf8)) == nil)
        #expect(Archive.format(of: [0xFD, 0x37, 0x7A, 0x58, 0x5A]) == nil)
    }

    // MARK: The member filter

    @Test(arguments: Archive.Format.allCases)
    func theFilterKeepsWhatItIsAskedFor(_ format: Archive.Format) throws {
        var asked: [String] = []
        let read = try Archive.read(bytes: try Self.archive(format)) { path in
            asked.append(path)
            return path.hasPrefix("etc/")
        }
        #expect(asked == Self.members.map(\.path))
        #expect(read == Self.members.filter { $0.path.hasPrefix("etc/") })
        // Kept members make a tree on their own: parents that were passed over are implied.
        let tree = try Archive.tree(read)
        let root = try HostRoot(tree: tree, label: "filtered")
        #expect(try root.readText("/etc/hostname") == "host.example.test\n")
    }

    /// What is passed over may exceed what may be kept, per member and in all, and counts separately.
    @Test func passedOverMembersHaveTheirOwnBounds() throws {
        let big = [UInt8](repeating: 0x5A, count: 3 << 20)
        let tar = Self.member("logs/huge.log", data: big) + Self.member("etc/hostname", data: Array("h\n".utf8))
            + Self.member("logs/other.log", data: big) + Self.end
        let limits = Archive.Limits(maximumUncompressedBytes: 1 << 20, maximumMemberBytes: 1 << 20, maximumMembers: 5,
                                    maximumStreamedBytes: 16 << 20, maximumSkippedMembers: 2)
        for format in Archive.Format.allCases {
            let bytes = try Self.compress(tar, format)
            let read = try Archive.read(bytes: bytes, limits: limits) { !$0.hasPrefix("logs/") }
            #expect(read.map(\.path) == ["etc/hostname"], "\(format)")
            // Kept, the same members are over the bounds on what is held.
            #expect(throws: ArchiveError.self, "\(format)") { _ = try Archive.read(bytes: bytes, limits: limits) }
            var fewer = limits
            fewer.maximumSkippedMembers = 1
            #expect { _ = try Archive.read(bytes: bytes, limits: fewer) { !$0.hasPrefix("logs/") } }
                throws: { "\($0)".contains("more than 1 members besides the ones wanted") }
            var shorter = limits
            shorter.maximumStreamedBytes = 5 << 20
            #expect { _ = try Archive.read(bytes: bytes, limits: shorter) { !$0.hasPrefix("logs/") } }
                throws: { "\($0)".contains("unpacks to more than 5242880 bytes") }
        }
    }

    /// The filter sees normalized paths; an unsafe path is refused even when it would be passed over, and a
    /// member type the reader refuses to keep (a hard link, a device) is merely passed over.
    @Test func theFilterSeesSafePathsOnly() throws {
        var asked: [String] = []
        let tar = Self.member("./a//./b") + Self.member("hard", type: "1", link: "a/b") + Self.member("dev/null", type: "3") + Self.end
        let read = try Archive.read(bytes: tar) { path in
            asked.append(path)
            return path == "a/b"
        }
        #expect(asked == ["a/b", "hard", "dev/null"])
        #expect(read.map(\.path) == ["a/b"])
        #expect { _ = try Archive.read(bytes: Self.member("../escape") + Self.end) { _ in false } } throws: { "\($0)".contains("paths with .. are not accepted") }
        #expect { _ = try Archive.read(bytes: Self.member("/etc/shadow") + Self.end) { _ in false } } throws: { "\($0)".contains("absolute paths") }
        // A GNU sparse member is followed by blocks its size does not count: it cannot be stepped over.
        #expect { _ = try Archive.read(bytes: Self.member("sparse", type: "S") + Self.end) { _ in false } } throws: { "\($0)".contains("member type 'S'") }
    }

    /// A pax size may be larger than a kept member may be when the member is passed over; a size no archive
    /// could hold is refused before anything is read.
    @Test func paxSizesOfPassedOverMembers() throws {
        let data = [UInt8](repeating: 0x41, count: 5000)
        let limits = Archive.Limits(maximumUncompressedBytes: 1 << 20, maximumMemberBytes: 1024, maximumMembers: 5)
        let proper = Self.pax("size", "5000") + Archive.header(name: "big", size: 0, type: UInt8(ascii: "0"), mode: 0o644, mtime: 0, link: "")
            + data + [UInt8](repeating: 0, count: (512 - 5000 % 512) % 512) + Self.member("small", data: [1]) + Self.end
        #expect(try Archive.read(bytes: proper, limits: limits) { $0 == "small" }.map(\.path) == ["small"])
        #expect { _ = try Archive.read(bytes: proper, limits: limits) } throws: { "\($0)".contains("claims 5000 bytes") }
        let absurd = Self.pax("size", "999999999999999") + Self.member("x") + Self.end
        #expect { _ = try Archive.read(bytes: absurd, limits: limits) { _ in false } } throws: { "\($0)".contains("the whole archive may unpack to") }
    }

    /// Without a filter the stream is bounded by what may be kept, as before filters existed.
    @Test func withoutAFilterTheStreamIsBoundedByWhatMayBeKept() throws {
        let tar = Self.member("a", data: [1]) + [UInt8](repeating: 0, count: 3 << 20)
        let limits = Archive.Limits(maximumUncompressedBytes: 1 << 20, maximumMemberBytes: 1 << 20, maximumMembers: 5, maximumStreamedBytes: 1 << 30)
        #expect(limits.streamBytes(filtered: false) == 1 << 20)
        #expect { _ = try Archive.read(bytes: try Archive.xz(tar), limits: limits) } throws: { "\($0)".contains("unpacks to more than 1048576") }
        #expect(try Archive.read(bytes: try Archive.xz(tar), limits: limits) { _ in true }.map(\.path) == ["a"])
        #expect(Archive.Limits.standard.maximumStreamedBytes == 4 << 30)
    }
}
