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

    /// `collect --format` prints the bundle's own report, the one `analyze` will later give, after the path.
    @Test func collectCanAlsoPrintTheReport() throws {
        let scratch = ScratchRoot()
        let run = try Run(["collect", "--root", root("ovirt-node-certs-vnc-stale"), "--output", scratch.path, "--format", "text", "--now", "2026-06-01T00:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix(scratch.path + "/virt-doctor-"))
        #expect(run.stdout.contains("[FAIL]  cert.vnc-expiry"))
        #expect(run.stdout.contains("Evaluated as of 2026-06-01T00:00:00Z"))
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

@Suite(.serialized) struct DiffCLITests {
    /// The same node before and after its VNC copy was refreshed: the failure goes, the certificate changes.
    @Test func diffShowsRenewedCertificates() throws {
        let scratch = ScratchRoot()
        for fixture in ["ovirt-node-certs-vnc-stale", "ovirt-node-certs-valid"] {
            let run = try Run(["collect", "--root", root(fixture), "--output", scratch.path + "/\(fixture).tar.gz", "--now", "2026-06-01T00:00:00Z"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let diff = try Run(["diff", scratch.path + "/ovirt-node-certs-vnc-stale.tar.gz", scratch.path + "/ovirt-node-certs-valid.tar.gz"])
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("cert.vnc-expiry: fail -> pass"))
        #expect(diff.stdout.contains("certificate /etc/pki/vdsm/libvirt-vnc/server-cert.pem: serial"))
        let reports = try Run(["diff", "--format", "json", scratch.path + "/ovirt-node-certs-vnc-stale.tar.gz", scratch.path + "/ovirt-node-certs-valid.tar.gz"])
        #expect((try JSONSerialization.jsonObject(with: Data(reports.stdout.utf8)) as? [String: Any])?["findings"] != nil)
        let bad = try Run(["diff", "/nonexistent/a.json", "/nonexistent/b.json"])
        #expect(bad.status == 1)
    }
}
