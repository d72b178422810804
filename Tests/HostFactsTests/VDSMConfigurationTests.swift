import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The parsers of VDSMConfiguration.swift (issue 13, group ovirt) on the text vdsm writes (the formats of
/// vdsm's configfile.py, mpathconf.py, lvmlocal.conf and sanlockconf.py) and on junk.
@Suite struct VDSMConfigurationParserTests {
    static let junk = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n" + String(repeating: "x", count: 9000) + "\n=====\n"

    @Test func libvirtSection() {
        let text = """
            #listen_tls = 0
            ## beginning of configuration section by vdsm-4.40.0
            auth_unix_rw="sasl"
            host_uuid="0b5d7c1e-2f4a-4e51-9c3b-7d2a1f6e8a90"
            keepalive_interval=-1
            ## end of configuration section by vdsm-4.40.0

            """
        let parsed = VDSMConfiguration.parseSection(text)
        #expect(parsed.version == "4.40.0")
        #expect(!parsed.unterminated)
        #expect(VDSMConfiguration.parseSection("## beginning of configuration section by vdsm-4.30.0\r\nx=1\r\n").unterminated)
        #expect(VDSMConfiguration.parseSection("## beginning of configuration section by vdsm-\u{0}\n").version == "?")
        #expect(VDSMConfiguration.parseSection("#listen_tls = 0\n").version == nil)
        #expect(VDSMConfiguration.parseSection(Self.junk).version == nil)
        #expect(VDSMConfiguration.parseSection("").version == nil)
    }

    @Test func multipathHeader() {
        let current = VDSMConfiguration.parseMultipathHeader("# VDSM REVISION 2.2\n\n# This file is managed by vdsm.\ndefaults {\n}\n")
        #expect(current.revision == "2.2" && !current.legacy && !current.isPrivate)
        let owned = VDSMConfiguration.parseMultipathHeader("# RHEV REVISION 1.1\n# RHEV PRIVATE\n")
        #expect(owned.revision == "1.1" && owned.legacy && owned.isPrivate)
        #expect(VDSMConfiguration.parseMultipathHeader("# VDSM REVISION 1.9\n# VDSM PRIVATE\n").isPrivate)
        // The tag counts only on the first line, as vdsm reads it.
        #expect(VDSMConfiguration.parseMultipathHeader("defaults {\n# VDSM REVISION 2.2\n").revision == nil)
        #expect(VDSMConfiguration.parseMultipathHeader("# VDSM REVISION 99999999999999999999999999999999999999\n").revision == nil)
        #expect(VDSMConfiguration.parseMultipathHeader(Self.junk).revision == nil)
        #expect(VDSMConfiguration.parseMultipathHeader("").revision == nil)
    }

    @Test func lvmLocal() {
        let text = "# Vdsm local lvm configuration.\n#\n#REVISION: 7\n#PRIVATE: NO\n\ndevices {\n    hints = \"none\"\n}\n#REVISION: 9\n"
        let parsed = VDSMConfiguration.parseLVMLocal(text)
        #expect(parsed.revision == 7 && !parsed.isPrivate)
        #expect(VDSMConfiguration.parseLVMLocal("#REVISION: 4\n#PRIVATE: YES\n").isPrivate)
        #expect(VDSMConfiguration.parseLVMLocal("#REVISION: 99999999999999999999999\n").revision == nil)
        #expect(VDSMConfiguration.parseLVMLocal("#REVISION: -3\n").revision == nil)
        #expect(VDSMConfiguration.parseLVMLocal("local {\n}\n").revision == nil)
        #expect(VDSMConfiguration.parseLVMLocal(Self.junk).revision == nil)
    }

    @Test func sanlock() {
        let options = VDSMConfiguration.parseSanlock("# Configuration for vdsm\nour_host_name = 4c4c4544-0042-3610-8052-b4c04f4e3732\nmax_worker_threads = 50\n  indented = 1\n")
        #expect(options == ["our_host_name": "4c4c4544-0042-3610-8052-b4c04f4e3732", "max_worker_threads": "50"])
        #expect(VDSMConfiguration.parseSanlock("=5\n").isEmpty)
        _ = VDSMConfiguration.parseSanlock(Self.junk)
        #expect(VDSMConfiguration.parseSanlock("key = " + String(repeating: "v", count: 1000) + "\n")["key"]?.utf8.count == 128)
    }

    @Test func expectationsFollowVDSMHistory() {
        let newest = VDSMExpectations.forVersion("4.50.5.1-1.el8")
        #expect(newest == VDSMExpectations.newest)
        let v44 = VDSMExpectations.forVersion("4.40.100.2-1.el8")
        #expect(v44?.libvirtSection == "4.40.0" && v44?.multipath == "2.0" && v44?.lvm == 4 && v44?.sanlockWorkers == true)
        let v43 = VDSMExpectations.forVersion("4.30.46-1.el7")
        #expect(v43?.libvirtSection == "4.20.0" && v43?.multipath == "1.8" && v43?.lvm == 1 && v43?.sanlockHostName == false)
        #expect(VDSMExpectations.forVersion("2:4.50.0.10-1")?.multipath == "2.2")
        #expect(VDSMExpectations.forVersion("4.50.0.9")?.multipath == "2.1")
        #expect(VDSMExpectations.forVersion("4.17.10")?.lvm == nil)
        #expect(VDSMExpectations.forVersion("4.99999999999999999999.1") == nil)
        #expect(VDSMExpectations.forVersion("master") == nil)
        #expect(VDSMExpectations.forVersion("") == nil)
        #expect(VDSMExpectations.forVersion("5.0") == nil)
    }

    @Test func readsTheFixtureRoot() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/roots/ov-vdsm-stale").path
        let root = try HostRoot(directory: directory)
        let configuration = try VDSMConfiguration.read(root).value
        #expect(configuration.file("/etc/libvirt/qemu.conf")?.revision == "4.30.0")
        #expect(configuration.file("/etc/multipath.conf")?.revision == "2.0")
        #expect(configuration.file("/etc/lvm/lvmlocal.conf")?.revision == "4")
        #expect(configuration.file("/etc/sanlock/sanlock.conf")?.options["max_worker_threads"] == "50")
    }
}
