import Foundation
import Testing
import TestSupport

/// issue 13: hit-a — dom.accel, dom.tainted and kvm.capabilities-stale on an extracted sos report
/// (Tests/Fixtures/sos/ha-sos-emulated, from make-roots-i13-hit-a.py): the accelerator comes from the
/// process plugin's `ps auxwww`, the status XML and guest logs from the libvirt plugin's copies; the
/// capabilities cache is never in a report, so that check skips and says why.
@Suite struct HitASosTests {
    @Test func emulatedAndTaintedGuestInASosReport() throws {
        let run = try Run(["check", "--root", Paths.sosFixture("ha-sos-emulated"), "--only", "dom.accel,dom.tainted,kvm.capabilities-stale",
                           "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = (json["findings"] as? [[String: Any]]) ?? []
        func finding(_ id: String) -> (status: String?, summary: String) {
            let found = findings.first { $0["id"] as? String == id }
            return (found?["status"] as? String, found?["summary"] as? String ?? "")
        }
        #expect(finding("dom.accel").status == "fail", "\(finding("dom.accel"))")
        #expect(finding("dom.accel").summary.contains("kvm_intel is loaded and /dev/kvm is present"))
        #expect(finding("dom.tainted").status == "warn", "\(finding("dom.tainted"))")
        #expect(finding("dom.tainted").summary.contains("web01: custom-argv"))
        #expect(finding("kvm.capabilities-stale").status == "skip")
        #expect(finding("kvm.capabilities-stale").summary.contains("which sos does not copy"))
    }

    /// `virsh -r capabilities` in the report offers x86_64 guests of type qemu only, while kvm_intel is
    /// loaded and /dev/kvm is listed: libvirt's own answer lacks KVM.
    @Test func capabilitiesWithoutKVMInASosReport() throws {
        let run = try Run(["check", "--root", Paths.sosFixture("ha-sos-caps-qemu-only"), "--only", "kvm.capabilities-stale",
                           "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let finding = ((json["findings"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == "kvm.capabilities-stale" }
        #expect(finding?["status"] as? String == "fail", "\(finding ?? [:])")
        #expect((finding?["summary"] as? String)?.contains("libvirt offers only qemu guests for x86_64, no kvm") == true)
    }
}
