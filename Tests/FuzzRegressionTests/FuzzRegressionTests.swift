import Bundles
import Foundation
import FuzzTargets
import Testing
import TestSupport

/// Every fuzz target over every input that once crashed it (Tests/Fixtures/fuzz-regressions/<target>/) and
/// over its seeds (the fixtures, the check catalog and, when present, ../shared/corpus read in place). The
/// targets must return for any input; a trap here is a parser crash and fails the whole run.
/// Inputs under fuzz-regressions/pending/ crash parsers another change fixes and are not read yet.
@Suite struct FuzzRegressionTests {
    static let regressions = Paths.repository + "/Tests/Fixtures/fuzz-regressions"

    static var targetNames: [String] { FuzzTargets.all.map(\.name) }

    @Test(arguments: targetNames)
    func savedCrashInputs(_ name: String) throws {
        let target = try #require(FuzzTargets.target(named: name))
        let directory = Self.regressions + "/" + name
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files.sorted() {
            let bytes = try #require(FileManager.default.contents(atPath: directory + "/" + file), "\(name)/\(file)")
            target.run(Array(bytes))
        }
    }

    @Test(arguments: targetNames)
    func seedInputs(_ name: String) throws {
        let target = try #require(FuzzTargets.target(named: name))
        var directories = [Paths.repository]
        if Paths.corpusAvailable { directories.append(Paths.corpus) }
        let seeds = FuzzTargets.seeds(for: target, in: directories)
        for seed in seeds { target.run(seed.bytes) }
        // No fixture holds a bundle (run.sh builds archive seeds), a raw SMBIOS table or a meminfo; every
        // other target must find its fixtures, or its patterns are wrong.
        if !["tar", "tar-gz", "archive", "smbios", "meminfo"].contains(name) {
            #expect(!seeds.isEmpty, "no seed for \(name): its patterns match no fixture")
        }
    }

    /// Regression inputs live in a directory named after a target, so a typo would silently skip them.
    @Test func regressionDirectoriesNameTargets() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.regressions)) ?? []
        for name in names where name != "pending" && name != "README.md" {
            #expect(FuzzTargets.target(named: name) != nil, "fuzz-regressions/\(name) is not a fuzz target")
        }
    }

    /// The repository stores no bundle; run.sh makes archive seeds with tar(1), this test with the writer (and
    /// liblzma and libbz2 for the `archive` target).
    @Test func archiveOfAFixtureRoot() throws {
        let root = Paths.fixtureRoot("kvm-intel-host-ready")
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        var members: [ArchiveMember] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + relative) else { continue }
            members.append(ArchiveMember(path: relative, contents: Array(data)))
        }
        let archive = try Archive.tarGz(members, modificationTime: Date(timeIntervalSince1970: 0))
        FuzzTargets.tarGz(archive)
        for format in Archive.Format.allCases {
            let bytes = try BundleFuzzingEntryPoints.archive(members, format: format)
            #expect(try Archive.read(bytes: bytes).count == members.count, "\(format)")
            FuzzTargets.archive(bytes)
            // Cut short and damaged, as a fuzzer would start from it.
            FuzzTargets.archive(Array(bytes.prefix(bytes.count / 2)))
            var damaged = bytes
            damaged[bytes.count / 3] ^= 0xFF
            FuzzTargets.archive(damaged)
        }
    }
}
