import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// YAML read at run time and the `.meta.yaml` sidecar of a directory root are hostile input too.
@Suite struct SidecarSafetyTests {
    /// The classic "billion laughs": nine levels of ten aliases each stand for 10^9 strings.
    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        files: {}

        """

    /// The bomb used as a mapping key: hashing the key while looking for duplicates walks every node.
    static let aliasAsKey = """
        x: &a [1,1,1,1,1,1,1,1,1,1]
        y: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
        z: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
        w: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
        v: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
        u: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
        files:
          ? *f
          : { unreadable: true }

        """

    static let sequenceAsKey = """
        files:
          ? [a, b, c]
          : { unreadable: true }

        """

    static func finishesFast(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    @Test(arguments: [billionLaughs, aliasAsKey, sequenceAsKey])
    func hostileSidecarIsRefusedQuickly(_ text: String) throws {
        var caught: FactError?
        let seconds = Self.finishesFast {
            do throws(FactError) { _ = try RootMetadata.decode(text, source: "/r/.meta.yaml") } catch { caught = error }
        }
        #expect(seconds < 2)
        guard case .unparsable(let source, let detail)? = caught else {
            Issue.record("expected an unparsable error, got \(String(describing: caught))")
            return
        }
        #expect(source == "/r/.meta.yaml")
        #expect(detail.contains("alias") || detail.contains("anchor") || detail.contains("mapping key"), "\(detail)")
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: SafeYAML.Refusal.self) { try SafeYAML.inspect(deep) }
    }

    @Test func emptyOrCommentOnlySidecarMeansNoMetadata() throws {
        for text in ["", "\n", "# nothing declared yet\n# really\n", "---\n", "~\n"] {
            #expect(try RootMetadata.decode(text, source: "s") == RootMetadata(), "\(text.debugDescription)")
        }
        let scratch = ScratchRoot()
        scratch.write(".meta.yaml", "# no overlay\n")
        scratch.write("proc/cmdline", "ro\n")
        #expect(try HostRoot(directory: scratch.path).metadata == RootMetadata())
    }

    @Test func ordinarySidecarStillDecodes() throws {
        let metadata = try RootMetadata.decode("files:\n  /dev/kvm: { type: char, mode: \"0660\", uid: 0, gid: 36, major: 10, minor: 232 }\nprocess: { uid: 1000, gids: [1000, 36] }\n", source: "s")
        #expect(metadata.files["/dev/kvm"]?.gid == 36)
        #expect(metadata.process?.gids == [1000, 36])
    }

    @Test func sidecarLinkIsNotFollowed() throws {
        let outside = ScratchRoot()
        outside.write("secret.yaml", "files: [this line is outside the root]\n")
        let scratch = ScratchRoot()
        scratch.link(".meta.yaml", to: outside.path + "/secret.yaml")
        do {
            _ = try HostRoot(directory: scratch.path)
            Issue.record("a linked sidecar was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("symbolic link"), "\(text)")
            #expect(!text.contains("outside the root"), "the outside file's content must not be echoed")
        }
        let relative = ScratchRoot()
        relative.link(".meta.yaml", to: "../../../../../../../../etc/passwd")
        #expect(throws: (any Error).self) { try HostRoot(directory: relative.path) }
    }

    @Test func sidecarThatIsNotARegularFileIsRefused() throws {
        let scratch = ScratchRoot()
        #expect(mkfifo(scratch.path + "/.meta.yaml", 0o600) == 0)
        let start = Date()
        #expect(throws: (any Error).self) { try HostRoot(directory: scratch.path) }
        #expect(Date().timeIntervalSince(start) < 2, "a FIFO must not block the open")
        let directory = ScratchRoot()
        directory.write(".meta.yaml/x", "y")
        #expect(throws: (any Error).self) { try HostRoot(directory: directory.path) }
    }

    @Test func oversizedSidecarIsRefused() throws {
        let scratch = ScratchRoot()
        scratch.write(".meta.yaml", "# " + String(repeating: "x", count: RootMetadata.maximumBytes) + "\n")
        #expect(throws: (any Error).self) { try HostRoot(directory: scratch.path) }
    }
}

/// `--cert DIR` looks below DIR too, bounded, without following links to directories.
@Suite struct CertificateDirectoryTests {
    @Test func descendsIntoSubdirectoriesButNotThroughLinks() throws {
        let scratch = ScratchRoot()
        scratch.write("certs/top.pem", "not a certificate\n")
        scratch.write("certs/a/b/deep.crt", "not a certificate\n")
        scratch.write("certs/a/readme.txt", "text\n")
        scratch.write("elsewhere/outside.pem", "not a certificate\n")
        scratch.link("certs/loop", to: "..")
        scratch.link("certs/other", to: "../elsewhere")
        let files = CertificateDiscovery.certificateFiles(below: "/certs", root: scratch.root)
        #expect(files == ["/certs/a/b/deep.crt", "/certs/top.pem"])
    }

    @Test func depthIsBounded() throws {
        let scratch = ScratchRoot()
        let deep = (1...20).map { "d\($0)" }.joined(separator: "/")
        scratch.write("certs/\(deep)/far.pem", "x\n")
        scratch.write("certs/d1/near.pem", "x\n")
        let files = CertificateDiscovery.certificateFiles(below: "/certs", root: scratch.root)
        #expect(files == ["/certs/d1/near.pem"])
    }
}
