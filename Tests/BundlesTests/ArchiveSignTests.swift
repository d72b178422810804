@testable import Bundles
import Foundation
import Testing

/// A tar header's size or mode written with a minus sign once made a backwards slice or a negative
/// UInt32, both traps; they are now unreadable headers.
@Suite struct ArchiveSignTests {
    static func header(size: String, mode: String) -> [UInt8] {
        var block = Archive.header(name: "x", size: 0, type: UInt8(ascii: "0"), mode: 0o644, mtime: 0, link: "")
        func put(_ text: String, at offset: Int, length: Int) {
            for index in 0..<length { block[offset + index] = 0 }
            for (index, byte) in text.utf8.prefix(length).enumerated() { block[offset + index] = byte }
        }
        put(size, at: 124, length: 12)
        put(mode, at: 100, length: 8)
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum) + "\u{0} ", at: 148, length: 8)
        return block + [UInt8](repeating: 0, count: 1024)
    }

    @Test(arguments: ["-1", "-0000000001", "+-1"])
    func negativeSizeIsAnUnreadableHeader(_ size: String) {
        #expect(throws: ArchiveError.self) { try Archive.read(tarGz: Archive.gzip(Self.header(size: size, mode: "644")), limits: .standard) }
    }

    /// A signed mode is no octal number: the member is refused with a sentence, never a trap.
    @Test(arguments: ["-1", "-7777777"])
    func negativeModeIsAnUnreadableHeader(_ mode: String) throws {
        #expect(throws: ArchiveError.self) { try Archive.read(tarGz: Archive.gzip(Self.header(size: "0", mode: mode)), limits: .standard) }
    }
}
