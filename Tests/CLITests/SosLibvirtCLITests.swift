import Foundation
import Testing
import TestSupport

/// The libvirt checks on a sos report whose virsh plugin ran: they answer from `virsh -r` as of the
/// collection time, and the header no longer says a libvirt connection is missing.
@Suite struct SosLibvirtCLITests {
    @Test func libvirtChecksAnswerFromVirshOutputs() throws {
        let run = try Run(["check", "--root", Paths.sosFixture("kvm-host-healthy"), "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        var findings: [String: [String: Any]] = [:]
        for finding in (json["findings"] as? [[String: Any]]) ?? [] { if let id = finding["id"] as? String { findings[id] = finding } }
        let daemon = findings["remote.libvirtd-running"]
        #expect(daemon?["status"] as? String == "pass", "\(daemon ?? [:])")
        #expect((daemon?["summary"] as? String)?.contains("when the sos report was made") == true, "\(daemon ?? [:])")
        #expect(findings["res.vcpu-overcommit"]?["status"] as? String == "pass", "\(findings["res.vcpu-overcommit"] ?? [:])")
        #expect((findings["res.vcpu-overcommit"]?["summary"] as? String)?.contains("4 vCPUs on 24 CPUs") == true)
        #expect(findings["dom.state"]?["status"] as? String == "pass", "\(findings["dom.state"] ?? [:])")
        // The guests' disks are known from virsh, but sos copies no image: their labels are not captured.
        let label = findings["selinux.image-label"]
        #expect(label?["status"] as? String == "skip", "\(label ?? [:])")
        #expect((label?["summary"] as? String)?.contains("not captured") == true, "\(label ?? [:])")
        let evidence = try #require(json["evidence"] as? [String: Any])
        #expect((evidence["lacking"] as? [String])?.contains("libvirt-connection") == false, "\(evidence)")

        let text = try Run(["check", "--root", Paths.sosFixture("kvm-host-healthy"), "--no-color", "--fail-on", "never"])
        #expect(text.stdout.contains("sos_commands/virsh"), "the header names where libvirt's answers came from")
        #expect(!text.stdout.contains("a libvirt connection"))
    }
}
