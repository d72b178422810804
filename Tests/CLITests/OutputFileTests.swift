import Foundation
import Testing
import TestSupport

/// Every file the tool writes is private from its first byte, and nothing but a regular file is replaced.
@Suite(.serialized) struct OutputFileTests {
    func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    /// Runs virt-doctor with umask 000, so only the tool itself can make the file private.
    func runPermissive(_ arguments: [String]) throws -> Run {
        let quoted = ([Paths.executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try Run(["-c", "umask 000; exec \(quoted)"], executable: "/bin/sh")
    }

    @Test func reportsAreCreatedPrivateWhateverTheUmask() throws {
        let scratch = ScratchRoot()
        let file = scratch.path + "/report.txt"
        let run = try runPermissive(["check", "--root", root("kvm-intel-host-ready"), "--output", file])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(mode(file) == 0o600)
        // An existing regular file is replaced, and ends up private too.
        FileManager.default.createFile(atPath: file, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        let again = try runPermissive(["check", "--root", root("kvm-intel-host-ready"), "--output", file])
        #expect(again.status == 0)
        #expect(mode(file) == 0o600)
        #expect(try String(contentsOfFile: file, encoding: .utf8) != "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["report.txt"], "no temporary file is left behind")
    }

    @Test func bundlesAndMapsAreCreatedPrivateWhateverTheUmask() throws {
        let scratch = ScratchRoot()
        let archive = scratch.path + "/bundle.tar.gz"
        let run = try runPermissive(["collect", "--root", root("kvm-intel-host-ready"), "--output", archive, "--obfuscate", "--now", "2026-06-01T00:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(mode(archive) == 0o600)
        #expect(mode(archive + ".obfuscation-map.json") == 0o600)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)) == ["bundle.tar.gz", "bundle.tar.gz.obfuscation-map.json"])
    }

    @Test func aTrailingSlashNamesADirectory() throws {
        let scratch = ScratchRoot()
        let missing = try Run(["collect", "--root", root("kvm-intel-host-ready"), "--output", scratch.path + "/newdir/", "--now", "2026-06-01T00:00:00Z"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such directory"), "\(missing.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "no file named newdir is written")
        let existing = try Run(["collect", "--root", root("kvm-intel-host-ready"), "--output", scratch.path + "/", "--now", "2026-06-01T00:00:00Z"])
        #expect(existing.status == 0, "\(existing.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).contains { $0.hasPrefix("virt-doctor-") && $0.hasSuffix(".tar.gz") })
        let report = try Run(["check", "--root", root("kvm-intel-host-ready"), "--output", scratch.path + "/reports/"])
        #expect(report.status == 1)
        #expect(report.stderr.contains("does not exist"), "\(report.stderr)")
    }

    @Test func aMissingDirectoryIsAClearError() throws {
        let run = try Run(["collect", "--root", root("kvm-intel-host-ready"), "--output", "/nonexistent-virt-doctor/bundle.tar.gz"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the directory /nonexistent-virt-doctor does not exist"), "\(run.stderr)")
        #expect(!run.stderr.contains("Error Domain"), "no raw Foundation error")
    }

    @Test func symbolicLinksAreNeitherFollowedNorReplaced() throws {
        let scratch = ScratchRoot()
        scratch.write("victim.txt", "precious\n")
        scratch.link("link.txt", to: scratch.path + "/victim.txt")
        for arguments in [["check", "--root", root("kvm-intel-host-ready"), "--output", scratch.path + "/link.txt"],
                          ["collect", "--root", root("kvm-intel-host-ready"), "--output", scratch.path + "/link.txt"]] {
            let run = try Run(arguments)
            #expect(run.status == 1, "\(arguments[0])")
            #expect(run.stderr.contains("is a symbolic link"), "\(run.stderr)")
            #expect(try String(contentsOfFile: scratch.path + "/victim.txt", encoding: .utf8) == "precious\n")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path + "/link.txt") == scratch.path + "/victim.txt")
        }
    }

    @Test func devicesFIFOsAndDirectoriesAreRefused() throws {
        let scratch = ScratchRoot()
        #expect(mkfifo(scratch.path + "/fifo", 0o600) == 0)
        try FileManager.default.createDirectory(atPath: scratch.path + "/dir.txt", withIntermediateDirectories: false)
        for (target, phrase) in [("/dev/null", "is a device node"), (scratch.path + "/fifo", "is a FIFO")] {
            for command in ["check", "collect"] {
                // Were the FIFO opened, the tool would block; it must refuse before.
                let run = try Run([command, "--root", root("kvm-intel-host-ready"), "--output", target])
                #expect(run.status == 1, "\(command) \(target)")
                #expect(run.stderr.contains(phrase), "\(run.stderr)")
            }
        }
        var info = stat()
        #expect(lstat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "/dev/null is still the device")
        let directory = try Run(["check", "--root", root("kvm-intel-host-ready"), "--output", scratch.path + "/dir.txt"])
        #expect(directory.status == 1)
        #expect(directory.stderr.contains("is a directory"), "\(directory.stderr)")
    }
}
