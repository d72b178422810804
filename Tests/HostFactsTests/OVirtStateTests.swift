import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The parsers of OVirtState.swift (issue 12, group ovirt) on realistic text and on junk: every input gives
/// a value or a FactError, never a trap.
@Suite struct OVirtStateParserTests {
    static let junk = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n" + String(repeating: "x", count: 9000) + "\n::::::\n"

    @Test func libvirtdJournal() {
        let text = """
            2026-05-31T08:14:02+0000 virt-host1 systemd[1]: Starting Virtualization daemon...
            2026-05-31T08:14:02+0000 virt-host1 libvirtd[2101]: The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired
            2026-05-31T08:14:02+0000 virt-host1 systemd[1]: Failed to start Virtualization daemon.
            2026-05-31T08:20:00+0000 virt-host1 vdsm[3011]: VM x is down with error. qemu-kvm:  The server certificate /etc/pki/vdsm/libvirt-vnc/server-cert.pem has expired.
            2026-05-31T15:40:01+0000 virt-host1 systemd[1]: Started Virtualization daemon.
            """
        var log = LibvirtdStartLog(sources: [], events: [])
        LibvirtdStartLog.scan(text, source: "/var/log/messages", libvirtdOnly: false, into: &log)
        #expect(log.events.map(\.kind) == [.certificateExpired, .failedToStart, .started])
        #expect(log.events[0].certificate == "/etc/pki/vdsm/certs/vdsmcert.pem")
        #expect(log.events[0].line == 2)
    }

    @Test func libvirtdLogFileNamesTheDaemonNowhere() {
        let line = "2026-05-31 08:14:02.131+0000: 2101: error : virNetTLSContextCheckCertTimes:142 : The CA certificate /etc/pki/CA/cacert.pem has expired"
        var log = LibvirtdStartLog(sources: [], events: [])
        LibvirtdStartLog.scan(line, source: "/var/log/libvirt/libvirtd.log", libvirtdOnly: true, into: &log)
        #expect(log.events.first?.certificate == "/etc/pki/CA/cacert.pem")
        var other = LibvirtdStartLog(sources: [], events: [])
        LibvirtdStartLog.scan("some-daemon: The server certificate /x has expired", source: "/var/log/syslog", libvirtdOnly: false, into: &other)
        #expect(other.events.isEmpty)
    }

    @Test func libvirtdJunk() {
        var log = LibvirtdStartLog(sources: [], events: [])
        LibvirtdStartLog.scan(Self.junk + "libvirtd: certificate  has expired\nlibvirtd: Ä certificate ÖÜ has expired\n", source: "junk", libvirtdOnly: false, into: &log)
        #expect(log.events.allSatisfy { $0.kind == .certificateExpired })
        #expect(log.sources == ["junk"])
    }

    @Test func backupNames() {
        #expect(CertificateBackups.parseName("server-key.pem.backup.20250905")! == ("server-key.pem", "2025-09-05"))
        #expect(CertificateBackups.parseName("vdsmcert.pem.bak")! == ("vdsmcert.pem", nil))
        #expect(CertificateBackups.parseName("clientcert.pem.bak.20261399")! == ("clientcert.pem", nil))
        #expect(CertificateBackups.parseName("clientcert.pem~")! == ("clientcert.pem", nil))
        #expect(CertificateBackups.parseName("vdsmcert.pem") == nil)
        #expect(CertificateBackups.parseName("notes.txt.bak") == nil)
        #expect(CertificateBackups.parseName(".bak") == nil)
        #expect(CertificateBackups.parseName("~") == nil)
        #expect(CertificateBackups.parseName("backupkey") == nil)
        #expect(CertificateBackups.parseName(String(repeating: "é", count: 300)) == nil)
    }

    @Test func privateKeyContent() {
        #expect(CertificateBackups.holdsPrivateKey(Array("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n".utf8)))
        #expect(!CertificateBackups.holdsPrivateKey(Array("-----BEGIN CERTIFICATE-----\nAAAA\n".utf8)))
        #expect(!CertificateBackups.holdsPrivateKey(Array(Self.junk.utf8)))
        #expect(!CertificateBackups.holdsPrivateKey([]))
    }

    @Test func osRelease() {
        let node = "NAME=\"oVirt Node\"\nVERSION=\"4.5.5\"\nID=\"ovirt-node\"\nVERSION_ID=\"4.5.5\"\nPRETTY_NAME=\"oVirt Node 4.5.5\"\n"
        #expect(OVirtVersions.parseOSRelease(node)! == ("oVirt Node", "4.5.5"))
        #expect(OVirtVersions.parseOSRelease("NAME=\"HOSTVM Node\"\nVERSION_ID=\"4.4.9\"\n")! == ("HOSTVM", "4.4.9"))
        #expect(OVirtVersions.parseOSRelease("NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n") == nil)
        #expect(OVirtVersions.parseOSRelease(Self.junk) == nil)
        #expect(OVirtVersions.parseOSRelease("NAME=\"oVirt Node\"\nVERSION=\"master\"\n")! == ("oVirt Node", nil))
    }

    @Test func releases() {
        func release(_ name: String, _ version: String) -> String? {
            OVirtVersions(product: "oVirt", components: [.init(name: name, version: version, source: "t")]).release.map { "\($0.major).\($0.minor)" }
        }
        #expect(release("vdsm", "4.50.3.4-1.el8") == "4.5")
        #expect(release("vdsm", "4.40.100.2-1.el8") == "4.4")
        #expect(release("vdsm", "4.19.45-1.el7") == "4.1")
        #expect(release("ovirt-engine", "4.4.10.7-1.el8") == "4.4")
        #expect(release("vdsm", "99999999999999999999.1") == nil)
        #expect(release("vdsm", "") == nil)
        #expect(release("ovirt-engine", "2:x.y") == nil)
        #expect(release("ovirt-hosted-engine-setup", "2.6.1-1.el8") == nil)
        let mixed = OVirtVersions(product: "oVirt", components: [.init(name: "oVirt Node", version: "4.4.10", source: "a"),
                                                                 .init(name: "vdsm", version: "4.50.3.4-1.el8", source: "b")])
        #expect(mixed.releasesNamed == ["4.4", "4.5"])
        #expect(mixed.release! == (4, 4))
    }

    @Test func vdsmLog() {
        let text = "2026-05-20 06:01:19,870+0000 INFO  (MainThread) [vds] (PID: 3011) I am the actual vdsm 4.50.5.1-1.el8 host (4.18.0) (vdsmd:162)\n"
        #expect(OVirtVersions.parseVDSMLog(text) == "4.50.5.1-1.el8")
        #expect(OVirtVersions.parseVDSMLog(Self.junk) == nil)
        #expect(OVirtVersions.parseVDSMLog("I am the actual vdsm ") == nil)
    }

    @Test func vmStatus() throws {
        let global = "--== Host h (id: 1) status ==--\nEngine status : {\"vm\": \"up\"}\n\n!! Cluster is in GLOBAL MAINTENANCE mode !!\n"
        #expect(try HostedEngineState.parseVMStatus(global, source: "s").globalMaintenance)
        #expect(try !HostedEngineState.parseVMStatus("--== Host h (id: 1) status ==--\nEngine status : up\n", source: "s").globalMaintenance)
        #expect(try HostedEngineState.parseVMStatus("{\"global_maintenance\": true, \"1\": {}}", source: "s").globalMaintenance)
        #expect(throws: FactError.self) { try HostedEngineState.parseVMStatus(Self.junk, source: "s") }
        #expect(throws: FactError.self) { try HostedEngineState.parseVMStatus("", source: "s") }
    }

    @Test func agentLog() throws {
        func line(_ time: String, _ state: String) -> String {
            "MainThread::INFO::2026-05-\(time),123::hosted_engine::534::ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine::(_monitoring_loop) Current state \(state) (score: 3400)"
        }
        let text = [line("28 09:12:30", "EngineUp"), line("28 09:12:40", "GlobalMaintenance"), line("31 10:00:00", "GlobalMaintenance")].joined(separator: "\n")
        let state = try HostedEngineState.parseAgentLog(text, source: "agent.log")
        #expect(state.globalMaintenance)
        #expect(state.since == "2026-05-28 09:12:40")
        #expect(state.state == "GlobalMaintenance")
        #expect(throws: FactError.self) { try HostedEngineState.parseAgentLog(Self.junk, source: "agent.log") }
        #expect(throws: FactError.self) { try HostedEngineState.parseAgentLog("Current state \u{1B}[31m\n::Current state ", source: "agent.log") }
    }
}
