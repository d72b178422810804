import Foundation
import Testing
import TestSupport

/// Malformed bundles and reports through the binary: one sentence on standard error, exit code 1, never a
/// Foundation error's text.
@Suite(.serialized) struct BundleSecurityCLITests {
    /// A ustar member written by hand (this target cannot import Bundles' writer).
    static func tarMember(_ name: String, _ contents: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int) { for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte } }
        put(name, 0)
        put("0000644", 100)
        put(String(format: "%011o", contents.count), 124)
        put("00000000000", 136)
        block[156] = UInt8(ascii: "0")
        put("ustar", 257)
        put("00", 263)
        for index in 148..<156 { block[index] = 0x20 }
        put(String(format: "%06o", block.reduce(0) { $0 + Int($1) }), 148)
        block[154] = 0
        return block + contents + [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
    }

    /// gzip with stored (uncompressed) deflate blocks: enough for a test archive, no zlib needed.
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let final: UInt8 = offset + count == data.count ? 1 : 0
            out += [final, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        let size = UInt32(truncatingIfNeeded: data.count)
        for value in [crc, size] { for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
        return out
    }

    static func expectOneSentence(_ run: Run, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(message), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("virt-doctor: ") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)", sourceLocation: sourceLocation)
        for foundation in ["Error Domain", "NSCocoaErrorDomain", "The operation could not be completed", "DecodingError", "dataCorrupted"] {
            #expect(!run.stderr.contains(foundation), "\(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedBundlesAreOneSentenceWithExitCodeOne() throws {
        let scratch = ScratchRoot()
        let end = [UInt8](repeating: 0, count: 1024)
        let cases: [(String, [UInt8], String)] = [
            ("not-gzip", Array("hello".utf8), "not a gzip file"),
            ("truncated", Array(Self.gzip(Self.tarMember("a", [UInt8](repeating: 65, count: 5000)) + end).prefix(3000)), "truncated"),
            ("corrupt-tar", Self.gzip([UInt8](repeating: 0x41, count: 2048)), "header checksum mismatch"),
            ("no-manifest", Self.gzip(Self.tarMember("etc/hostname", Array("h\n".utf8)) + end), "no manifest.json"),
            ("manifest-not-json", Self.gzip(Self.tarMember("manifest.json", Array("{ nope".utf8)) + end), "manifest.json is not valid JSON"),
            ("manifest-wrong-schema", Self.gzip(Self.tarMember("manifest.json", Array("{\"schemaVersion\": 2}".utf8)) + end), "schema version 2"),
            ("manifest-incomplete", Self.gzip(Self.tarMember("manifest.json", Array("{\"schemaVersion\": 1}".utf8)) + end), "manifest.json lacks the field"),
            ("twice", Self.gzip(Self.tarMember("a", []) + Self.tarMember("a", []) + end), "a appears twice in the archive"),
        ]
        for (name, bytes, message) in cases {
            scratch.write(name + ".tar.gz", bytes: bytes)
            Self.expectOneSentence(try Run(["analyze", scratch.path + "/" + name + ".tar.gz"]), message)
        }
        Self.expectOneSentence(try Run(["analyze", scratch.path + "/missing.tar.gz"]), "No such file or directory")
    }

    @Test func diffOfMalformedInputsIsOneSentence() throws {
        let scratch = ScratchRoot()
        scratch.write("a.json", "{\"not\": \"a report\"}")
        scratch.write("b.json", "[")
        scratch.write("c.tar.gz", bytes: Self.gzip(Self.tarMember("etc/hostname", []) + [UInt8](repeating: 0, count: 1024)))
        Self.expectOneSentence(try Run(["diff", scratch.path + "/a.json", scratch.path + "/b.json"]), "a.json is neither a virt-doctor bundle nor a report.json")
        Self.expectOneSentence(try Run(["diff", scratch.path + "/c.tar.gz", scratch.path + "/b.json"]), "c.tar.gz is not a virt-doctor bundle: it holds no report.json")
        Self.expectOneSentence(try Run(["diff", scratch.path + "/b.json", scratch.path + "/a.json"]), "b.json is neither a virt-doctor bundle nor a report.json: it is not valid JSON")
    }
}
