import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct BundleCLITests {
    @Test func collectThenAnalyze() throws {
        let scratch = ScratchRoot()
        let collect = try Run(["collect", "--root", root("ovirt-node-certs-vnc-stale"), "--output", scratch.path, "--now", "2026-06-01T00:00:00Z"])
        #expect(collect.status == 0, "\(collect.stderr)")
        #expect(collect.stderr.isEmpty, "no progress line when not on a terminal")
        let archive = try #require(try FileManager.default.contentsOfDirectory(atPath: scratch.path).first { $0.hasSuffix(".tar.gz") })
        #expect(archive.hasPrefix("virt-doctor-virt-host1.example.test-"))
        let analyze = try Run(["analyze", scratch.path + "/" + archive])
        #expect(analyze.status == 2, "the recorded failures fail again")
        #expect(analyze.stdout.contains("[FAIL]  cert.vnc-expiry"))
        #expect(analyze.stdout.contains("Evaluated as of 2026-06-01T00:00:00Z"))
        let json = try Run(["analyze", scratch.path + "/" + archive, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(object["report"] != nil && object["manifest"] != nil && object["logMatches"] != nil)
    }

    @Test func brokenBundlesAreRefusedClearly() throws {
        let scratch = ScratchRoot()
        scratch.write("not-a-bundle.tar.gz", "hello")
        let run = try Run(["analyze", scratch.path + "/not-a-bundle.tar.gz"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("not a gzip file"))
        let missing = try Run(["analyze", scratch.path + "/nothing.tar.gz"])
        #expect(missing.status == 1)
    }

    @Test func explainAPastedError() throws {
        let run = try Run(["explain", "VM web01 is down with error. Exit message: qemu-kvm: The server certificate /etc/pki/vdsm/libvirt-vnc/server-cert.pem has expired."])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Checks: cert.vnc-expiry, cert.host-consistency"))
        #expect(run.stdout.contains("How to fix it"))
        let unknown = try Run(["explain", "the coffee machine is empty"])
        #expect(unknown.status == 64)
    }
}
