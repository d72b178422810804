import Foundation
import Testing
import TestSupport

/// issue 13 (hit-b): the three checks on a sos report (Tests/Fixtures/sos/hb-sos-docker-vbox-apparmor, from
/// make-roots-i13-hit-b.py): firewall_tables' iptables-save, sysctl -a, lsmod, dmesg and the /sys/module
/// parameters sos copies answer them as the files of a live host would.
@Suite struct HitBSosTests {
    @Test func dockerVirtualBoxAndAppArmorFromASosReport() throws {
        let run = try Run(["check", "--root", Paths.sosFixture("hb-sos-docker-vbox-apparmor"), "--only",
                           "net.docker-forward-drop,kvm.coexistence,sec.apparmor-denials", "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((json["evidence"] as? [String: Any])?["kind"] as? String == "sos-report")
        let findings = (json["findings"] as? [[String: Any]]) ?? []
        func finding(_ id: String) -> (status: String, summary: String) {
            let found = findings.first { $0["id"] as? String == id }
            return (found?["status"] as? String ?? "missing", found?["summary"] as? String ?? "")
        }
        let docker = finding("net.docker-forward-drop")
        #expect(docker.status == "fail" && docker.summary.contains("guest web01 on br0"), "\(docker)")
        let coexistence = finding("kvm.coexistence")
        #expect(coexistence.status == "fail" && coexistence.summary.contains("6.12.0-15-generic"), "\(coexistence)")
        let apparmor = finding("sec.apparmor-denials")
        #expect(apparmor.status == "fail" && apparmor.summary.contains("/srv/vm-data/web01-data.qcow2"), "\(apparmor)")
    }
}
