import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// virsh's outputs in a sos report (SosVirsh) and `ip -d link` (SosReport.parseIPLinks): the parsers on the
/// text virsh and iproute2 print and on junk, then the kvm-host-healthy fixture opened as a root.
@Suite struct SosVirshTests {
    static let garbage = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n"
    static let huge = "99999999999999999999999999999999"

    @Test func domainList() throws {
        let list = try #require(SosVirsh.parseList("""
             Id   Name          State
            ---------------------------------
             1    web01         running
             12   batch-7       paused
             -    db01          shut off
             -    old           in shutdown
             3    weird         no such state

            """))
        #expect(list.map(\.name) == ["web01", "batch-7", "db01", "old", "weird"])
        #expect(list.map(\.state) == ["running", "paused", "shutoff", "shutdown", "nostate"])
        let empty = try #require(SosVirsh.parseList(" Id   Name   State\n--------------------\n\n"))
        #expect(empty.isEmpty)
    }

    @Test func domainListJunk() {
        #expect(SosVirsh.parseList("") == nil)
        #expect(SosVirsh.parseList(Self.garbage) == nil)
        #expect(SosVirsh.parseList("error: failed to connect to the hypervisor\nerror: no valid connection\n") == nil)
        // Rows under a real header that are not rows: skipped, never a trap.
        let rows = SosVirsh.parseList(" Id Name State\n \(Self.huge) x running\n 1\n - \n\u{0} a b\n")
        #expect(rows?.isEmpty == true)
    }

    @Test func objectLists() throws {
        let networks = try #require(SosVirsh.parseObjectList("""
             Name      State      Autostart   Persistent
            ----------------------------------------------
             default   active     yes         yes
             isolated  inactive   no          yes

            """))
        #expect(networks.map(\.name) == ["default", "isolated"])
        #expect(networks.map(\.active) == [true, false])
        #expect(networks.map(\.autostart) == [true, false])
        #expect(SosVirsh.parseObjectList(Self.garbage) == nil)
        #expect(SosVirsh.parseObjectList("") == nil)
    }

    @Test func nodeInfo() {
        let node = SosVirsh.parseNodeInfo("""
            CPU model:           x86_64
            CPU(s):              24
            CPU frequency:       2200 MHz
            CPU socket(s):       1
            Core(s) per socket:  12
            Thread(s) per core:  2
            NUMA cell(s):        1
            Memory size:         65536000 KiB
            """)
        #expect(node.cpus == 24 && node.mhz == 2200 && node.memoryKiB == 65_536_000 && node.threads == 2)
        let junk = SosVirsh.parseNodeInfo("CPU(s): \(Self.huge)\nMemory size: -5 KiB\n" + Self.garbage)
        #expect(junk.cpus == 0 && junk.memoryKiB == 0)
    }

    @Test func unsafeDomainNamesAreNeverPaths() {
        #expect(SosVirsh.isSafeName("web01"))
        for name in ["", ".", "..", "../../etc/shadow", "a/b", "a b", "tab\there", String(repeating: "x", count: 300)] {
            #expect(!SosVirsh.isSafeName(name), "\(name)")
        }
    }

    @Test func ipLinks() {
        let links = SosReport.parseIPLinks("""
            1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
                link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
            4: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
                bridge forward_delay 1500 hello_time 200 max_age 2000
            5: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq master br0 state UP mode DEFAULT
                bridge_slave state forwarding priority 32 cost 4
            6: vlan10@eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP
            """)
        #expect(links.map(\.name) == ["lo", "br0", "eno1", "vlan10"])
        #expect(links.map(\.isBridge) == [false, true, false, false])
        #expect(links.map(\.master) == [nil, nil, "br0", "br0"])
        #expect(SosReport.parseIPLinks(Self.garbage).isEmpty)
        #expect(SosReport.parseIPLinks("").isEmpty)
        // Names that could climb out of /sys/class/net or are no interface name are dropped.
        let hostile = SosReport.parseIPLinks("7: ..: <UP> mtu 1\n8: a/b: <UP> master ../../x\n9: \(String(repeating: "n", count: 40)): <UP>\n")
        #expect(hostile.isEmpty)
    }

    @Test func healthyHostFromTheReport() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("kvm-host-healthy"))
        let store = FactStore(root: root)
        let libvirt = try store.get(Facts.libvirt)
        #expect(libvirt.domains.map(\.name).sorted() == ["db01", "web01"])
        #expect(libvirt.domains.first { $0.name == "web01" }?.state == "running")
        #expect(libvirt.domains.first { $0.name == "db01" }?.state == "shutoff")
        #expect(libvirt.domains.first { $0.name == "web01" }?.vcpus == 4)
        #expect(libvirt.node.cpus == 24 && libvirt.node.memoryKiB == 65_536_000)
        #expect(libvirt.driver == "QEMU" && libvirt.libvirtVersion == "9.5.0")
        #expect(libvirt.networks.map(\.name) == ["default"] && libvirt.networks.first?.bridge == "virbr0")
        #expect(!root.evidence.lacking.contains("libvirt-connection"))

        let bridges = try store.get(Facts.bridges)
        let virbr0 = try #require(bridges.bridges.first { $0.name == "virbr0" }, "\(bridges)")
        #expect(virbr0.ports == ["vnet0"])
    }

    /// Without virsh outputs a report still lacks a libvirt connection, and says so.
    @Test func reportWithoutVirshLacksTheConnection() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("bios-disabled"))
        #expect(root.evidence.lacking.contains("libvirt-connection"))
        let result = FactStore(root: root).sourced(Facts.libvirt)
        guard case .failure(let error) = result else { Issue.record("libvirt answered from nothing"); return }
        #expect(error.isUnknownFromEvidence)
    }

    /// A domain list naming a domain whose dumpxml is missing, and one whose name is a path.
    @Test func hostileListing() throws {
        let scratch = ScratchRoot()
        scratch.write("version.txt", "sosreport: 4.5.6\n")
        scratch.write("sos_commands/kernel/uname_-a", "Linux h 5.14.0 #1 SMP x86_64 GNU/Linux\n")
        scratch.write("sos_commands/virsh/virsh_-r_list_--all", " Id Name State\n---\n 1 ../../../etc running\n 2 ghost running\n")
        scratch.write("sos_commands/virsh/virsh_-r_nodeinfo", Self.garbage)
        let root = try EvidenceOpening.open(directory: scratch.path)
        let libvirt = try FactStore(root: root).get(Facts.libvirt)
        #expect(libvirt.domains.isEmpty)
        #expect(libvirt.problems.contains { $0.contains("ghost") }, "\(libvirt.problems)")
        #expect(libvirt.problems.contains { $0.contains("cannot be a file name") }, "\(libvirt.problems)")
    }
}
