import Foundation
import Testing
import TestSupport

/// The release binary against hostile numbers and YAML: a report or a usage error, never a trap or a hang.
@Suite(.serialized) struct HostileInputCLITests {
    /// Exit statuses of a finished run: 0, 1, 2 or argument-parser's 64; a trap ends with a signal (132, 133).
    static func expectNoTrap(_ run: Run, _ label: String) {
        #expect([0, 1, 2, 64].contains(run.status), "\(label): status \(run.status), stderr: \(run.stderr)")
    }

    @Test func checkAndFactsOnHostileNumbersGiveAReport() throws {
        let root = Paths.fixtureRoot("hostile-numbers")
        let check = try Run(["check", "--root", root, "--format", "json"])
        #expect(check.status == 0 || check.status == 2, "\(check.stderr)")
        #expect(check.stdout.contains("\"verdict\""))
        let facts = try Run(["facts", "--root", root])
        #expect(facts.status == 0, "\(facts.stderr)")
        #expect(facts.stdout.contains("host.memory"))
        #expect(facts.stdout.contains("could not be parsed"))
        let what = try Run(["what", "--root", root])
        Self.expectNoTrap(what, "what")
    }

    @Test func collectOnHostileNumbersWritesABundle() throws {
        let output = ScratchRoot()
        let run = try Run(["collect", "--root", Paths.fixtureRoot("hostile-numbers"), "--output", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(".tar.gz"))
    }

    @Test(arguments: [
        ["collect", "--max-size", "99999999999G"], ["collect", "--max-size", "-5M"], ["collect", "--max-size", "0"],
        ["collect", "--since", "1e300s"], ["collect", "--since", "nan"], ["collect", "--since", "inf"], ["collect", "--since", "-1h"],
        ["collect", "--since", "0x10h"], ["collect", "--since", "99999w"],
        ["check", "--timeout", "nan"], ["check", "--timeout", "inf"], ["check", "--timeout", "1e300"],
        ["check", "--timeout", "0"], ["check", "--timeout", "-1"], ["check", "--timeout", "3601"],
        ["check", "--libvirt-timeout", "nan"], ["check", "--libvirt-timeout", "inf"], ["check", "--libvirt-timeout", "1e300"],
        ["check", "--libvirt-timeout", "0"], ["check", "--libvirt-timeout", "-3"],
        ["facts", "--libvirt-timeout", "nan"], ["collect", "--libvirt-timeout", "inf"], ["what", "--libvirt-timeout", "0"],
        ["certs", "--cert-warn-days", "9223372036854775807"], ["check", "--cert-warn-days", "-1"],
        ["check", "--cert-warn-days", "99999999999999999999999"],
    ])
    func hostileOptionsAreUsageErrors(_ arguments: [String]) throws {
        let run = try Run(arguments + ["--root", Paths.fixtureRoot("kvm-intel-host-ready")])
        #expect(run.status == 64, "\(arguments): status \(run.status), stderr: \(run.stderr)")
        #expect(run.stderr.contains(arguments[1]) || run.stderr.contains("Error"), "\(run.stderr)")
    }

    @Test func saneOptionsAreStillAccepted() throws {
        let root = Paths.fixtureRoot("kvm-intel-host-ready")
        let check = try Run(["check", "--root", root, "--timeout", "30", "--libvirt-timeout", "0.5", "--cert-warn-days", "0"])
        #expect(check.status == 0, "\(check.stderr)")
        let output = ScratchRoot()
        let collect = try Run(["collect", "--root", root, "--output", output.path, "--since", "7d", "--max-size", "1G", "--libvirt-timeout", "2"])
        #expect(collect.status == 0, "\(collect.stderr)")
    }

    @Test func aliasBombSidecarFailsFastWithTheFileNamed() throws {
        let scratch = ScratchRoot()
        scratch.write(".meta.yaml", """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            files:
              ? *g
              : { unreadable: true }

            """)
        let start = Date()
        for command in [["check"], ["facts"], ["what"]] {
            let run = try Run(command + ["--root", scratch.path])
            #expect(run.status == 1, "\(command): \(run.stderr)")
            #expect(run.stderr.contains(".meta.yaml"), "\(run.stderr)")
        }
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test func aliasBombInChecksDirFailsFast() throws {
        let scratch = ScratchRoot()
        scratch.write("checks/bomb.yaml", """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            ? *f
            : 1

            """)
        let start = Date()
        for command in [["list"], ["check", "--root", Paths.fixtureRoot("kvm-intel-host-ready")]] {
            let run = try Run(command + ["--checks-dir", scratch.path + "/checks"])
            #expect(run.status == 1, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("bomb.yaml") && run.stderr.contains("alias"), "\(run.stderr)")
        }
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test func emptySidecarIsNoMetadata() throws {
        let scratch = ScratchRoot()
        scratch.write(".meta.yaml", "")
        scratch.write("proc/cmdline", "ro\n")
        let run = try Run(["facts", "--root", scratch.path, "kernel.cmdline"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("[ro]"))
    }

    @Test func certsDescendsIntoSubdirectories() throws {
        let scratch = ScratchRoot()
        scratch.write("pki/a/b/c.pem", "not a certificate\n")
        let run = try Run(["certs", "--root", scratch.path, "--cert", "/pki", "--format", "json"])
        #expect(run.status == 0 || run.status == 2, "\(run.stderr)")
        #expect(run.stdout.contains("/pki/a/b/c.pem"))
    }
}
