@testable import Bundles
import CheckEngine
import DoctorCore
import Foundation
@testable import HostFacts
import Reporting
import Testing
import TestSupport

/// Hostile archives: every shape must give a clear error or a result confined to the archive.
@Suite struct HostileHeaderTests {
    /// One header block with its checksum recomputed after `edit` changed raw bytes.
    static func block(name: String, type: Character = "0", size: Int = 0, link: String = "", edit: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
        var block = Archive.header(name: name, size: size, type: UInt8(ascii: type.unicodeScalars.first!), mode: 0o644, mtime: 0, link: link)
        edit(&block)
        for index in 148..<156 { block[index] = 0x20 }
        let checksum = block.reduce(0) { $0 + Int($1) }
        for (index, byte) in String(format: "%06o", checksum).utf8.enumerated() { block[148 + index] = byte }
        block[154] = 0
        return block
    }

    static func data(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512) }

    static let end = [UInt8](repeating: 0, count: 1024)

    static func read(_ tar: [UInt8], limits: Archive.Limits = .standard) throws -> [ArchiveMember] {
        try Archive.read(tarGz: try Archive.gzip(tar), limits: limits)
    }

    static func field(_ block: inout [UInt8], _ offset: Int, _ bytes: [UInt8]) {
        for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
    }

    /// Each of these trapped or misread before: now each is one sentence naming the member.
    @Test(arguments: [
        ("size -1", 124, Array("-1".utf8) + [0], "the size field is not an octal number"),
        ("negative base-256 size", 124, [UInt8](repeating: 0xFF, count: 12), "the size field is negative"),
        ("base-256 size beyond Int", 124, [0x80] + [UInt8](repeating: 0xFF, count: 11), "the size field is too large"),
        ("octal size beyond Int", 124, Array("77777777777".utf8) + [0x37], "claims"),
        ("negative base-256 mode", 100, [UInt8](repeating: 0xFF, count: 8), "the mode field is negative"),
        ("huge base-256 mode", 100, [0x80, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "the mode"),
        ("mode with letters", 100, Array("0x1234\0\0".utf8), "the mode field is not an octal number"),
    ] as [(String, Int, [UInt8], String)])
    func hostileNumbersAreClearErrors(_ testCase: (String, Int, [UInt8], String)) throws {
        let (_, offset, bytes, message) = testCase
        let tar = Self.block(name: "evil") { Self.field(&$0, offset, bytes) } + Self.end
        #expect(throws: ArchiveError.self) { try Self.read(tar) }
        do {
            _ = try Self.read(tar)
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("evil"), "the member is named: \(error)")
        }
    }

    @Test func aBadChecksumFieldIsACorruptHeader() throws {
        var tar = Self.block(name: "evil")
        Self.field(&tar, 148, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect { try Self.read(tar + Self.end) } throws: { "\($0)".contains("header checksum mismatch") }
        var text = Self.block(name: "evil")
        Self.field(&text, 148, Array("99999999".utf8))
        #expect { try Self.read(text + Self.end) } throws: { "\($0)".contains("header checksum mismatch") }
    }

    @Test func theModeKeepsOnlyPermissionBits() throws {
        // GNU tar of old wrote the file type into the mode (0100644); that is not an error.
        let tar = Self.block(name: "file") { Self.field(&$0, 100, Array("0100644\0".utf8)) } + Self.end
        #expect(try Self.read(tar).first?.mode == 0o644)
    }

    @Test(arguments: [
        ("V", "not a file, directory or symbolic link"),
        ("S", "not a file, directory or symbolic link"),
        ("1", "hard links are not accepted"),
        ("3", "device files"),
        ("4", "device files"),
        ("6", "FIFOs"),
    ])
    func membersThatAreNotFilesDirectoriesOrLinksAreRefused(_ testCase: (String, String)) throws {
        let tar = Self.block(name: "thing", type: Character(testCase.0), link: "etc/passwd") + Self.end
        #expect { try Self.read(tar) } throws: { "\($0)".contains(testCase.1) }
    }

    @Test func gnuLongNamesAreBoundedAndClean() throws {
        let huge = Array(String(repeating: "a/", count: 3000).utf8) + [0]
        #expect { try Self.read(Self.block(name: "././@LongLink", type: "L", size: huge.count) + Self.data(huge) + Self.end) }
            throws: { "\($0)".contains("more than the 4097 allowed") }
        let withNul = Array("innocent\0../../../etc/cron.d/x".utf8) + [0]
        #expect { try Self.read(Self.block(name: "././@LongLink", type: "L", size: withNul.count) + Self.data(withNul) + Self.block(name: "x") + Self.end) }
            throws: { "\($0)".contains("contains a NUL byte") }
        let climbing = Array("a/../../etc/cron.d/x".utf8) + [0]
        #expect { try Self.read(Self.block(name: "././@LongLink", type: "L", size: climbing.count) + Self.data(climbing) + Self.block(name: "x") + Self.end) }
            throws: { "\($0)".contains("paths with .. are not accepted") }
        let linkTarget = Array((String(repeating: "x/", count: 60) + "end").utf8) + [0]
        let read = try Self.read(Self.block(name: "././@LongLink", type: "K", size: linkTarget.count) + Self.data(linkTarget)
            + Self.block(name: "link", type: "2", link: "short") + Self.end)
        #expect(read.first?.kind == .symlink(String(repeating: "x/", count: 60) + "end"))
    }

    @Test func paxHeadersAreParsedWithBoundedLengths() throws {
        func pax(_ text: String) -> [UInt8] {
            let bytes = Array(text.utf8)
            return Self.block(name: "PaxHeader", type: "x", size: bytes.count) + Self.data(bytes)
        }
        /// A well-formed record: its length counts its own digits.
        func record(_ key: String, _ value: String) -> String {
            let body = " \(key)=\(value)\n"
            var length = body.utf8.count + 1
            while String(length).count + body.utf8.count != length { length += 1 }
            return "\(length)\(body)"
        }
        #expect { try Self.read(pax("99999999999999999999999 path=x\n") + Self.block(name: "x") + Self.end) }
            throws: { "\($0)".contains("claims more bytes than its header holds") }
        #expect { try Self.read(pax("4 a\n") + Self.block(name: "x") + Self.end) } throws: { "\($0)".contains("malformed pax") }
        let oversized = [UInt8](repeating: 0x41, count: 70_000)
        #expect { try Self.read(Self.block(name: "PaxHeader", type: "x", size: oversized.count) + Self.data(oversized) + Self.end) }
            throws: { "\($0)".contains("a pax header of 70000 bytes") }
        #expect { try Self.read(pax(record("size", "99999999999999999999")) + Self.block(name: "x") + Self.end) }
            throws: { "\($0)".contains("pax size") }
        #expect { try Self.read(pax(record("path", "../../../x")) + Self.block(name: "x") + Self.end) }
            throws: { "\($0)".contains("paths with .. are not accepted") }
        let renamed = try Self.read(pax(record("path", "etc/hostname")) + Self.block(name: "x") + Self.end)
        #expect(renamed.map(\.path) == ["etc/hostname"])
    }

    /// `tar czf bundle.tar.gz -C dir .` names the top directory "./"; that is the tree's top, not an error.
    @Test func theTopDirectoryEntryOfARepackedBundleIsAccepted() throws {
        let read = try Self.read(Self.block(name: "./", type: "5") + Self.block(name: "./etc/hostname") + Self.end)
        #expect(read.map(\.path) == ["etc/hostname"])
        #expect { try Self.read(Self.block(name: "./", type: "0") + Self.end) } throws: { "\($0)".contains("empty name") }
    }

    @Test func aTruncatedHeaderOrMemberIsSaidSo() throws {
        let member = Self.block(name: "big", size: 2000) + Self.data([UInt8](repeating: 0x41, count: 2000))
        #expect { try Self.read(Array(member.prefix(1000))) } throws: { "\($0)".contains("big") && "\($0)".contains("truncated") }
        #expect { try Self.read(Array(member.prefix(300))) } throws: { "\($0)".contains("truncated inside a tar header") }
    }

    /// A flood of empty members is bounded by what each costs in memory, not only by the count limit.
    @Test func emptyMembersCountTowardsTheMemoryBudget() throws {
        var tar: [UInt8] = []
        for index in 0..<1000 { tar += Self.block(name: "m\(index)") }
        tar += Self.end
        let limits = Archive.Limits(maximumUncompressedBytes: 600_000, maximumMemberBytes: 1 << 20, maximumMembers: 10_000)
        #expect { try Self.read(tar, limits: limits) } throws: { "\($0)".contains("members take more than 600000 bytes in memory") }
        #expect { try Self.read(tar, limits: .init(maximumUncompressedBytes: 1 << 30, maximumMemberBytes: 1 << 20, maximumMembers: 999)) }
            throws: { "\($0)".contains("more than 999 members") }
    }

    /// The gzip is inflated as a stream: a bomb stops at the limit, and a damaged CRC is noticed.
    @Test func aBombBehindAValidMemberAndABadCRCAreRefused() throws {
        let member = Self.block(name: "zeros", size: 3 << 20) + [UInt8](repeating: 0, count: 3 << 20)
        let limits = Archive.Limits(maximumUncompressedBytes: 2 << 20, maximumMemberBytes: 4 << 20, maximumMembers: 10)
        #expect { try Self.read(member + Self.end, limits: limits) } throws: { "\($0)".contains("decompression bomb") }
        var archive = try Archive.tarGz([ArchiveMember(path: "a", contents: Array("hello".utf8))])
        archive[archive.count - 8] ^= 0xFF  // the CRC-32 in the gzip trailer
        #expect { try Archive.read(tarGz: archive) } throws: { "\($0)".contains("corrupt") }
    }
}

/// The in-memory HostRoot: every operation works on it and no path leaves the tree.
@Suite struct MemoryTreeRootTests {
    static func tree(_ entries: [(String, MemoryTree.Content)]) throws -> MemoryTree {
        var builder = MemoryTree.Builder()
        for (path, content) in entries { try builder.add(path, content, mode: 0o644) }
        return builder.build()
    }

    static let hostile: [(String, MemoryTree.Content)] = [
        ("etc/hostname", .file(Array("inside\n".utf8))),
        ("etc/cron.d/job", .file(Array("* * * * * inside\n".utf8))),
        ("a/l", .symlink("..")),
        ("up", .symlink("../../../../../../../..")),
        ("abs", .symlink("/etc")),
        ("loop", .symlink("loop")),
        ("ping", .symlink("pong")),
        ("pong", .symlink("ping")),
        ("dir-link", .symlink("etc/cron.d")),
        ("var/log/kern.log", .file(Array("0123456789".utf8))),
        (".meta.yaml", .file(Array("files:\n  \"/dev/kvm\": { type: char, mode: \"0660\", gid: 36, major: 10, minor: 232 }\n  \"/etc/shadow\": { unreadable: true }\n  \"/etc/hostname\": { selinux: \"system_u:object_r:etc_t:s0\" }\n".utf8))),
    ]

    @Test func linksResolveInsideTheTreeOnly() throws {
        let root = try HostRoot(tree: try Self.tree(Self.hostile), label: "test.tar.gz")
        // Every way up stops at the tree's top: these name the tree's files, never the host's.
        for path in ["/a/l/a/l/a/l/etc/hostname", "/up/etc/hostname", "/abs/hostname", "/../../etc/hostname", "/a/l/up/abs/hostname"] {
            #expect(try root.readText(path) == "inside\n", "\(path)")
        }
        #expect(try root.readText("/dir-link/job") == "* * * * * inside\n")
        // The host has /etc/passwd and /etc/os-release; the tree does not, so they are absent here.
        for path in ["/etc/passwd", "/up/etc/os-release", "/a/l/l/../../../../etc/passwd", "/abs/../../../etc/passwd"] {
            #expect(throws: FactError.absent(path)) { try root.readText(path) }
            #expect(!root.exists(path))
        }
        #expect(throws: FactError.io(source: "/loop/x", detail: "too many levels of symbolic links")) { try root.readText("/loop/x") }
        #expect(throws: FactError.self) { try root.readText("/ping") }
        #expect(throws: FactError.self) { try root.resolve("/etc/hostname") }
    }

    @Test func everyOperationWorksOnATree() throws {
        let root = try HostRoot(tree: try Self.tree(Self.hostile), label: "test.tar.gz")
        #expect(try root.list("/").contains("etc") && !(try root.list("/")).contains(".meta.yaml"))
        #expect(try root.list("/abs/cron.d") == ["job"])
        #expect(try root.list("/dev") == ["kvm"], "the sidecar's device nodes are listed")
        #expect(try root.fileInfo("/etc/hostname") == FileStat(kind: .regular, mode: 0o644, uid: 0, gid: 0, size: 7))
        #expect(try root.fileInfo("/abs").kind == .directory)
        let kvm = try root.fileInfo("/dev/kvm")
        #expect(kvm.kind == .charDevice && kvm.modeOctal == "0660" && kvm.gid == 36 && kvm.major == 10 && kvm.minor == 232)
        #expect(throws: FactError.permissionDenied("/etc/shadow")) { try root.readText("/etc/shadow") }
        #expect(root.readLink("/a/l") == "..")
        #expect(root.readLink("/abs") == "/etc")
        #expect(root.readLink("/etc/hostname") == nil)
        #expect(root.extendedAttribute("/etc/hostname", name: "security.selinux") == "system_u:object_r:etc_t:s0")
        #expect(root.extendedAttribute("/etc/cron.d/job", name: "security.selinux") == nil)
        #expect(try root.readTail("/var/log/kern.log", maxBytes: 4) == Array("6789".utf8))
        #expect(try root.readTail("/up/var/log/kern.log", maxBytes: 100) == Array("0123456789".utf8))
        #expect(throws: FactError.tooLarge(source: "/var/log/kern.log", limit: 5)) { try root.readBytes("/var/log/kern.log", limit: 5) }
        #expect(root.canonicalPath("/a/l/abs/cron.d/job") == "/etc/cron.d/job")
        #expect(root.canonicalPath("/nowhere") == nil)
        #expect(root.modificationDate("/etc/hostname") == nil)
        #expect(!root.isLive && root.label == "test.tar.gz")
    }

    @Test func recordingATreeKeepsItsBackend() throws {
        let recorder = AccessRecorder()
        let root = try HostRoot(tree: try Self.tree(Self.hostile), label: "t").recording(into: recorder)
        #expect(try root.readText("/abs/hostname") == "inside\n")
        #expect(recorder.snapshot().reads == ["/abs/hostname"])
    }

    @Test func membersNeverLandThroughLinksOrTwice() throws {
        var builder = MemoryTree.Builder()
        try builder.add("a/l", .symlink(".."), mode: 0o777)
        #expect(throws: MemoryTree.Conflict.self) { try builder.add("a/l/l", .symlink(".."), mode: 0o777) }
        #expect { try builder.add("a/l/etc/cron.d/x", .file([]), mode: 0o644) } throws: { "\($0)".contains("which is a symbolic link") }
        try builder.add("f", .file([1]), mode: 0o644)
        #expect { try builder.add("f", .file([2]), mode: 0o644) } throws: { "\($0)".contains("appears twice") }
        #expect { try builder.add("f/below", .file([]), mode: 0o644) } throws: { "\($0)".contains("which is a file") }
        try builder.add("d/child", .file([]), mode: 0o644)
        try builder.add("d", .directory, mode: 0o750)  // an explicit entry for an implied directory is fine
        #expect { try builder.add("d", .file([]), mode: 0o644) } throws: { "\($0)".contains("both a directory and a file") }
        #expect { try builder.add("../x", .file([]), mode: 0o644) } throws: { "\($0)".contains("not a plain relative path") }
        let root = try HostRoot(tree: builder.build(), label: "t")
        #expect(try root.fileInfo("/d").mode == 0o750)
        #expect(try root.readBytes("/f") == [1])
    }

    @Test func aBrokenSidecarIsAnError() throws {
        #expect(throws: FactError.self) { try HostRoot(tree: try Self.tree([(".meta.yaml", .file(Array("files: [".utf8)))]), label: "t") }
        #expect(throws: FactError.self) { try HostRoot(tree: try Self.tree([(".meta.yaml", .directory)]), label: "t") }
    }
}

/// Whole bundles through `analyze` and `diff`.
@Suite(.serialized) struct AnalyzeHostileBundleTests {
    static let now = ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z")!

    /// One real bundle, collected once from a fixture; tests change its members and pack them again.
    static let collected: [ArchiveMember] = {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vd-security-\(UUID().uuidString).tar.gz").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try! Collector.collect(CollectOptions(root: try! HostRoot(directory: Paths.fixtureRoot("ovirt-node-certs-expired")), output: output, now: now))
        return try! Archive.read(file: result.archivePath)
    }()

    static func write(_ members: [ArchiveMember], into scratch: ScratchRoot, name: String = "bundle.tar.gz") throws -> String {
        let path = scratch.path + "/" + name
        try Data(try Archive.tarGz(members)).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func write(bytes: [UInt8], into scratch: ScratchRoot, name: String) throws -> String {
        let path = scratch.path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func analyze(_ path: String) throws -> Analysis {
        try Analyzer.analyze(bundle: path, catalog: try Catalog.builtIn())
    }

    static func leftovers() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? [])
            .filter { $0.hasPrefix("virt-doctor-analyze-") })
    }

    /// The attack that escaped extraction: a chain of links each passing a per-link check, then a member
    /// written below the chain. Nothing is extracted now, so nothing can land anywhere.
    @Test func theLinkChainBundleWritesNothing() throws {
        let scratch = ScratchRoot()
        let victim = scratch.path + "/victim"
        let before = Self.leftovers()
        // Deep enough to climb from any temporary directory to /, then down to the victim.
        var chain: [ArchiveMember] = []
        var link = "a/l"
        for _ in 0..<(scratch.path.split(separator: "/").count + 8) {
            chain.append(ArchiveMember(path: link, kind: .symlink("..")))
            link += "/l"
        }
        let planted = ArchiveMember(path: link + "/" + String(victim.dropFirst()) + "/planted", contents: Array("owned\n".utf8))
        let bundle = try Self.write(Self.collected + chain + [planted], into: scratch)
        #expect { try Self.analyze(bundle) } throws: { error in
            "\(error)".contains("which is a symbolic link") && "\(error)".contains("refusing the bundle")
        }
        #expect(!FileManager.default.fileExists(atPath: victim), "nothing was written outside")
        #expect(Self.leftovers().subtracting(before).isEmpty, "no temporary directory is created")
    }

    /// Links that climb or are absolute, with no member below them: the bundle is analyzed and every read
    /// through them stays inside the archive.
    @Test func climbingLinksAreAnalyzedInsideTheBundle() throws {
        let scratch = ScratchRoot()
        let members = Self.collected + [
            ArchiveMember(path: "a/l", kind: .symlink("..")),
            ArchiveMember(path: "escape", kind: .symlink("../../../../../../../../../etc")),
            ArchiveMember(path: "absolute", kind: .symlink("/etc")),
        ]
        let analysis = try Self.analyze(try Self.write(members, into: scratch))
        #expect(analysis.integrity.intact, "links are not files: the manifest still matches")
        #expect(!analysis.report.findings.isEmpty)
    }

    @Test func aTamperedBundleIsAnalyzedAndSaysSo() throws {
        let scratch = ScratchRoot()
        var members = Self.collected
        let changed = try #require(members.firstIndex { $0.path == "etc/libvirt/qemu.conf" })
        members[changed].contents += Array("# edited\n".utf8)
        let sameSize = try #require(members.firstIndex { $0.path == "etc/vdsm/vdsm.conf" })
        members[sameSize].contents[0] ^= 0x20
        members.removeAll { $0.path == "etc/hostname" }
        members.append(ArchiveMember(path: "etc/planted.conf", contents: Array("x=1\n".utf8)))
        let analysis = try Self.analyze(try Self.write(members, into: scratch))
        #expect(!analysis.integrity.intact)
        #expect(analysis.integrity.missing == ["etc/hostname"])
        #expect(analysis.integrity.unlisted == ["etc/planted.conf"])
        #expect(analysis.integrity.changed.contains { $0.hasPrefix("etc/libvirt/qemu.conf:") && $0.contains("bytes") })
        #expect(analysis.integrity.changed.contains { $0.hasPrefix("etc/vdsm/vdsm.conf:") && $0.contains("SHA-256") })
        #expect(analysis.notes.contains { $0.contains("altered or damaged") })
        for format in [ReportFormat.text, .markdown, .html, .json] {
            let text = try analysis.rendered(format: format)
            #expect(text.contains("etc/planted.conf"), "\(format)")
            #expect(text.contains("altered or damaged"), "\(format)")
        }
        let untouched = try Self.analyze(try Self.write(Self.collected, into: scratch, name: "clean.tar.gz"))
        #expect(untouched.integrity.intact && untouched.integrity.verified == Self.collected.filter { $0.kind == .file && $0.path != "manifest.json" }.count)
        #expect(try untouched.rendered(format: .text).contains("Bundle integrity: all"))
    }

    @Test func malformedBundlesAreOneSentence() throws {
        let scratch = ScratchRoot()
        let good = try Archive.tarGz(Self.collected)
        let withoutManifest = try Archive.tarGz(Self.collected.filter { $0.path != "manifest.json" })
        var brokenManifest = Self.collected
        brokenManifest[brokenManifest.firstIndex { $0.path == "manifest.json" }!].contents = Array("{ not json".utf8)
        var futureManifest = Self.collected
        futureManifest[futureManifest.firstIndex { $0.path == "manifest.json" }!].contents = Array("{\"schemaVersion\": 7}".utf8)
        var partialManifest = Self.collected
        partialManifest[partialManifest.firstIndex { $0.path == "manifest.json" }!].contents = Array("{\"schemaVersion\": 1}".utf8)
        var duplicated = Self.collected
        duplicated.append(ArchiveMember(path: "etc/hostname", kind: .directory))
        let cases: [(String, [UInt8], String)] = [
            ("not-gzip", Array("plain text".utf8), "not a gzip file"),
            ("empty", [], "not a gzip file"),
            ("truncated", Array(good.prefix(good.count / 2)), "truncated"),
            ("corrupt-tar", try Archive.gzip([UInt8](repeating: 0x41, count: 4096)), "header checksum mismatch"),
            // The 10-byte gzip header, then deflate data whose first block has the reserved type 3: corrupt
            // whatever the bundle holds (keeping some of the real deflate stream made the outcome depend on
            // the collection time in the first tar header).
            ("corrupt-gzip", Array(good.prefix(10)) + [UInt8](repeating: 0xFF, count: 200), "corrupt"),
            ("no-manifest", withoutManifest, "not a virt-doctor bundle (it has no manifest.json)"),
            ("manifest-not-json", try Archive.tarGz(brokenManifest), "manifest.json is not valid JSON"),
            ("manifest-future", try Archive.tarGz(futureManifest), "schema version 7; this virt-doctor reads version 1"),
            ("manifest-partial", try Archive.tarGz(partialManifest), "manifest.json lacks the field"),
            ("file-and-directory", try Archive.tarGz(duplicated), "is both a file and a directory"),
        ]
        for (name, bytes, message) in cases {
            let path = try Self.write(bytes: bytes, into: scratch, name: name + ".tar.gz")
            #expect(throws: ArchiveError.self, "\(name)") { try Self.analyze(path) }
            do {
                _ = try Self.analyze(path)
            } catch {
                #expect("\(error)".contains(message), "\(name): \(error)")
            }
        }
        #expect { try Self.analyze(scratch.path + "/absent.tar.gz") } throws: { "\($0)".contains("cannot be opened (No such file or directory)") }
        // A directory is read as evidence (an extracted sos report); one with nothing of a system is refused.
        let empty = ScratchRoot()
        #expect { try Self.analyze(empty.path) } throws: { "\($0)".contains("no recognisable system evidence") }
    }

    @Test func oversizedFactsAreLeftOutWithANote() throws {
        let scratch = ScratchRoot()
        var members = Self.collected
        members[members.firstIndex { $0.path == "facts.json" }!].contents = [UInt8](repeating: 0x20, count: BundleDocuments.maximumFactsBytes + 1)
        let analysis = try Self.analyze(try Self.write(members, into: scratch))
        #expect(analysis.notes.contains { $0.contains("facts.json is \(BundleDocuments.maximumFactsBytes + 1) bytes") })
        var garbage = Self.collected
        garbage[garbage.firstIndex { $0.path == "facts.json" }!].contents = Array("[1, 2".utf8)
        #expect(try Self.analyze(try Self.write(garbage, into: scratch, name: "g.tar.gz")).notes.contains { $0.contains("facts.json is not valid JSON") })
    }

    @Test func diffSaysWhatIsWrongWithEitherSide() throws {
        let scratch = ScratchRoot()
        let good = try Self.write(Self.collected, into: scratch)
        let notJSON = try Self.write(bytes: Array("hello".utf8), into: scratch, name: "report.json")
        #expect { try Differ.compare(old: good, new: notJSON) } throws: { "\($0)".contains("neither a virt-doctor bundle nor a report.json: it is not valid JSON") }
        let truncated = try Self.write(bytes: Array(try Archive.tarGz(Self.collected).prefix(5000)), into: scratch, name: "cut.tar.gz")
        #expect { try Differ.compare(old: truncated, new: good) } throws: { "\($0)".contains("cut.tar.gz: ") && "\($0)".contains("truncated") }
        var brokenReport = Self.collected
        brokenReport[brokenReport.firstIndex { $0.path == "report.json" }!].contents = Array("{}".utf8)
        let broken = try Self.write(brokenReport, into: scratch, name: "broken.tar.gz")
        #expect { try Differ.compare(old: good, new: broken) } throws: { "\($0)".contains("report.json is not a virt-doctor report.json: it lacks the field") }
        #expect { try Differ.compare(old: scratch.path + "/none.json", new: good) } throws: { "\($0)".contains("is not present") }
        #expect(try Differ.compare(old: good, new: good).findings.isEmpty)
    }
}

/// The known-error scan is linear and its limits really stop it.
@Suite struct LogScanLimitTests {
    @Test func theMatchLimitStopsTheWholeScan() throws {
        var scan = LogScan(messages: try Catalog.builtIn().knownMessages)
        let line = "kernel: kvm: disabled by bios\n"
        let log = Array(String(repeating: line, count: 100_000).utf8)
        let first = scan.scan(log, file: "/var/log/messages")
        #expect(!first)
        #expect(scan.matches.count == LogScan.maximumMatches)
        let second = scan.scan(log, file: "/var/log/kern.log")
        #expect(!second, "a later file is not scanned either")
        #expect(scan.matches.count == LogScan.maximumMatches)
        #expect(scan.notes.contains { $0.contains("stopped at 500") })
    }

    @Test func aLogWithoutNewlinesIsOneBoundedLine() throws {
        var scan = LogScan(messages: try Catalog.builtIn().knownMessages)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = scan.scan([UInt8](repeating: 0, count: 32 << 20), file: "/var/log/messages")
        }
        #expect(elapsed < .seconds(5))
        #expect(scan.matches.isEmpty)
        #expect(scan.notes.contains { $0.contains("1 log line(s) longer than 4096 bytes") })
    }

    @Test func matchingIsCaseInsensitiveAndPrefersTheMostSpecific() throws {
        var scan = LogScan(messages: try Catalog.builtIn().knownMessages)
        let log = Array("""
            2026-06-01 libvirtd: The server certificate /etc/pki/vdsm/certs/vdsmcert.pem HAS EXPIRED\r
            a permission denied without a path
            open /var/lib/libvirt/images/a.qcow2: Permission denied
            """.utf8)
        let going = scan.scan(log, file: "/var/log/libvirt/libvirtd.log")
        #expect(going)
        #expect(scan.matches.map(\.checks.first) == ["cert.vdsm-expiry", "selinux.image-label"])
        #expect(scan.matches[0].line.hasSuffix("HAS EXPIRED"), "the carriage return is not quoted")
    }
}
