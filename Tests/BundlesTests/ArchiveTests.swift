@testable import Bundles
import Foundation
import Testing
import TestSupport

@Suite struct ArchiveTests {
    @Test func roundTripKeepsFilesDirectoriesLinksAndLongNames() throws {
        let long = "sys/devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0/block/sda/queue/scheduler-with-a-long-name"
        let members = [
            ArchiveMember(path: "proc", kind: .directory),
            ArchiveMember(path: "proc/cpuinfo", contents: Array("processor : 0\n".utf8)),
            ArchiveMember(path: long, contents: Array("[none]\n".utf8)),
            ArchiveMember(path: "sys/class/net/eth0", kind: .symlink("../../devices/virtual/net/eth0")),
            ArchiveMember(path: "empty", contents: []),
        ]
        let archive = try Archive.tarGz(members)
        let read = try Archive.read(tarGz: archive)
        #expect(read.map(\.path) == members.map(\.path))
        #expect(read.map(\.contents) == members.map(\.contents))
        #expect(read[3].kind == .symlink("../../devices/virtual/net/eth0"))
    }

    /// A tar member written by hand, for archives our writer would never produce.
    static func rawTar(name: String, type: Character, size: Int, link: String = "", data: [UInt8] = []) -> [UInt8] {
        var block = Archive.header(name: name, size: size, type: UInt8(ascii: type.unicodeScalars.first!), mode: 0o644, mtime: 0, link: link)
        block += data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        return block
    }

    static func gzip(_ tar: [UInt8]) throws -> [UInt8] { try Archive.gzip(tar) }

    @Test(arguments: [
        ("../escape", "0", "", "paths with .. are not accepted"),
        ("/etc/passwd", "0", "", "absolute paths are not accepted"),
        ("ok/../../x", "0", "", "paths with .. are not accepted"),
        ("dev/sda", "4", "", "device files"),
        ("fifo", "6", "", "device files and FIFOs"),
        ("hard", "1", "proc/cpuinfo", "hard links"),
    ])
    func maliciousMembersAreRefused(_ testCase: (String, String, String, String)) throws {
        let (name, type, link, message) = testCase
        let tar = Self.rawTar(name: name, type: Character(type), size: 0, link: link) + [UInt8](repeating: 0, count: 1024)
        #expect {
            _ = try Archive.read(tarGz: try Self.gzip(tar))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aMemberClaimingTenGigabytesIsRefused() throws {
        var tar = Self.rawTar(name: "huge", type: "0", size: 4, data: Array("tiny".utf8))
        // GNU base-256 size field: 10,000,000,000 bytes, which octal cannot express in 11 digits.
        let size = 10_000_000_000
        tar[124] = 0x80
        for index in 0..<11 { tar[125 + index] = UInt8(truncatingIfNeeded: size >> (8 * (10 - index))) }
        for index in 148..<156 { tar[index] = 0x20 }
        let checksum = tar[0..<512].reduce(0) { $0 + Int($1) }
        for (index, byte) in String(format: "%06o", checksum).utf8.enumerated() { tar[148 + index] = byte }
        tar[154] = 0
        #expect {
            _ = try Archive.read(tarGz: try Self.gzip(tar + [UInt8](repeating: 0, count: 1024)))
        } throws: { error in "\(error)".contains("claims 10000000000 bytes") }
    }

    @Test func aGzipBombStopsAtTheLimit() throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)   // compresses to about 64 KiB
        let bomb = try Self.gzip(zeros)
        #expect(bomb.count < 200_000)
        #expect {
            _ = try Archive.read(tarGz: bomb, limits: .init(maximumUncompressedBytes: 8 << 20, maximumMemberBytes: 1 << 20, maximumMembers: 10))
        } throws: { error in "\(error)".contains("decompression bomb") }
    }

    @Test func truncatedAndCorruptArchivesAreRefused() throws {
        let archive = try Archive.tarGz([ArchiveMember(path: "a", contents: Array(repeating: 65, count: 100_000))])
        #expect { _ = try Archive.read(tarGz: Array(archive.prefix(archive.count / 2))) } throws: { "\($0)".contains("truncated") }
        #expect { _ = try Archive.read(tarGz: Array("not gzip".utf8)) } throws: { "\($0)".contains("not a gzip file") }
        let garbage = try Self.gzip([UInt8](repeating: 0x41, count: 2048))
        #expect { _ = try Archive.read(tarGz: garbage) } throws: { "\($0)".contains("checksum") }
    }

    /// Links are no longer judged one by one at read time: the in-memory tree confines every link (see
    /// BundleSecurityTests), so links that climb or are absolute are read as they are.
    @Test func linksThatClimbOrAreAbsoluteAreReadAsWritten() throws {
        let tar = Self.rawTar(name: "up", type: "2", size: 0, link: "../../etc/shadow")
            + Self.rawTar(name: "abs", type: "2", size: 0, link: "/etc/shadow") + [UInt8](repeating: 0, count: 1024)
        let members = try Archive.read(tarGz: try Self.gzip(tar))
        #expect(members.map(\.kind) == [.symlink("../../etc/shadow"), .symlink("/etc/shadow")])
    }

    @Test func longLinkTargetsSurviveTheRoundTrip() throws {
        let target = String(repeating: "../", count: 4) + "devices/pci0000:00/0000:00:02.0/virtio1/block/vda/some/long/enough/path/to/pass/one/hundred/bytes"
        #expect(target.utf8.count > 100)
        let read = try Archive.read(tarGz: try Archive.tarGz([ArchiveMember(path: "sys/block/vda", kind: .symlink(target))]))
        #expect(read == [ArchiveMember(path: "sys/block/vda", kind: .symlink(target), mode: 0o777)])
    }
}
