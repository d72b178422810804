import DoctorCore
import Foundation
@testable import HostFacts
import TestSupport
import Testing

/// The parsers behind the host-readiness checks of issue 13 (kvm.nested, host.sysctl-persistence,
/// host.hostname-ip): /etc/hosts, the kernel's lists of local addresses, `ip address` output, the guest CPU
/// of a domain XML, and which sysctl files boot reads. No corpus file holds these formats, so the samples
/// are the formats as the kernel, iproute2 and the installers write them; junk gives empty results or a
/// FactError, never a trap.
@Suite struct HostReadinessTests {
    static let junk = ["", "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage", "|-- ", "/32 host LOCAL\n", "|-- 999.1.1.1\n   /32 host LOCAL",
                       "inet", "inet6 ::::::::/64", String(repeating: "|-- 10.0.0.1\n", count: 3000), "# only a comment\n",
                       "99999999999999999999999999999999 02 40 00 80 eth0", String(repeating: "f", count: 32), "\t \t\n\n",
                       "10.0.0.1", "2001:db8::1%", String(repeating: "1", count: 100_000)]

    /// Debian's installer writes the host name on 127.0.1.1.
    static let debianHosts = """
        127.0.0.1\tlocalhost
        127.0.1.1\tpve1.example.test\tpve1

        # The following lines are desirable for IPv6 capable hosts
        ::1     localhost ip6-localhost ip6-loopback
        ff02::1 ip6-allnodes
        ff02::2 ip6-allrouters
        """

    @Test func hostsFileAsTheResolverReadsIt() {
        let hosts = HostsFile.parse(Self.debianHosts + "\n192.0.2.31 PVE1  # management\n2001:DB8:0:0::31 pve1\nnot-an-address pve1\n10.0.0.1\n")
        let entries = hosts.entries(naming: "pve1")
        #expect(entries.map(\.address) == ["127.0.1.1", "192.0.2.31", "2001:db8::31"])
        #expect(entries.first?.line == 2)
        #expect(hosts.entries(naming: "localhost").map(\.address) == ["127.0.0.1", "::1"])
        #expect(hosts.malformedLines == [10, 11])
        #expect(hosts.entries(naming: "ip6-allnodes").first?.address == "ff02::1")
    }

    /// /proc/net/fib_trie of a host with eno1 and libvirt's virbr0 (both tables, as the kernel prints them).
    static let fibTrie = """
        Main:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
             +-- 127.0.0.0/8 2 0 2
                +-- 127.0.0.0/31 1 0 0
                   |-- 127.0.0.0
                      /8 host LOCAL
                   |-- 127.0.0.1
                      /32 host LOCAL
                |-- 127.255.255.255
                   /32 link BROADCAST
             +-- 192.168.0.0/16 2 0 1
                +-- 192.168.1.0/24 2 0 2
                   |-- 192.168.1.0
                      /24 link UNICAST
                   |-- 192.168.1.23
                      /32 host LOCAL
                   |-- 192.168.1.255
                      /32 link BROADCAST
                +-- 192.168.122.0/24 2 0 2
                   |-- 192.168.122.1
                      /32 host LOCAL
        Local:
          +-- 0.0.0.0/0 3 0 5
             |-- 192.168.1.23
                /32 host LOCAL
        """

    @Test func localAddressesFromTheKernel() {
        #expect(LocalAddresses.parseFibTrie(Self.fibTrie) == ["127.0.0.1", "192.168.1.23", "192.168.122.1"])
        let inet6 = "00000000000000000000000000000001 01 80 10 80       lo\nfe800000000000003eeceffffe102050 02 40 20 80     eno1\n20010db8000000000000000000000011 02 40 00 00     eno1\n"
        #expect(LocalAddresses.parseIfInet6(inet6) == ["2001:db8::11", "::1", "fe80::3eec:efff:fe10:2050"])
        // A truncated table keeps what it had.
        #expect(LocalAddresses.parseFibTrie(String(Self.fibTrie.prefix(420))) == ["127.0.0.1"])
    }

    @Test func localAddressesFromIPAddressOutput() {
        let output = """
            1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
                link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
                inet 127.0.0.1/8 scope host lo
                   valid_lft forever preferred_lft forever
                inet6 ::1/128 scope host
            3: ovirtmgmt: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
                link/ether 3c:ec:ef:10:20:70 brd ff:ff:ff:ff:ff:ff
                inet 192.0.2.71/24 brd 192.0.2.255 scope global noprefixroute ovirtmgmt
                inet6 fe80::3eec:efff:fe10:2070/64 scope link noprefixroute
            4: eth1    inet 198.51.100.7/24 brd 198.51.100.255 scope global eth1\\       valid_lft forever preferred_lft forever
            """
        #expect(LocalAddresses.parseIPAddress(output) == ["127.0.0.1", "192.0.2.71", "198.51.100.7", "::1", "fe80::3eec:efff:fe10:2070"])
    }

    @Test func junkGivesNothingAndNeverTraps() {
        for text in Self.junk {
            _ = HostsFile.parse(text)
            #expect(LocalAddresses.parseFibTrie(text).allSatisfy { IPAddress.canonical($0) == $0 })
            #expect(LocalAddresses.parseIfInet6(text).allSatisfy { IPAddress.canonical($0) == $0 })
            #expect(LocalAddresses.parseIPAddress(text).isEmpty || text.contains("inet"))
            _ = IPAddress.canonical(text)
        }
        #expect(IPAddress.canonical("999.1.1.1") == nil)
        #expect(IPAddress.canonical("fe80::1%eth0") == "fe80::1")
        #expect(IPAddress.canonical("::ffff:127.0.0.1").map(IPAddress.isLoopback) == true)
        #expect(HostsFile.parse(String(repeating: "10.0.0.1 a\n", count: 200_000)).entries.count == HostsFile.maximumEntries)
    }

    @Test func localAddressesSkipWhenNothingWasCaptured() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/hosts", "127.0.0.1 localhost\n")
        #expect(throws: FactError.self) { try FactStore(root: scratch.root).get(Facts.localAddresses) }
        scratch.write("proc/net/fib_trie", "garbage\n")
        #expect(throws: FactError.self) { try FactStore(root: scratch.root).get(Facts.localAddresses) }
        scratch.write("proc/net/fib_trie", Self.fibTrie)
        #expect(try FactStore(root: scratch.root).get(Facts.localAddresses).addresses.contains("192.168.1.23"))
    }

    @Test func guestCPUOfADomain() throws {
        let passthrough = try GuestDefinitions.parseDomain("<domain type='kvm'><name>a</name><cpu mode='host-passthrough' check='none'/></domain>", file: "a.xml")
        #expect(passthrough.cpuMode == "host-passthrough")
        let custom = try GuestDefinitions.parseDomain("""
            <domain type='kvm'><name>b</name>
              <cpu match='exact'><model>Cascadelake-Server</model><feature policy='require' name='vmx'/><feature name='pcid'/><feature policy='disable' name='svm'/></cpu>
            </domain>
            """, file: "b.xml")
        #expect(custom.cpuMode == "custom")
        #expect(custom.cpuFeatures == ["vmx": "require", "pcid": "require", "svm": "disable"])
        let none = try GuestDefinitions.parseDomain("<domain type='kvm'><name>c</name></domain>", file: "c.xml")
        #expect(none.cpuMode == nil && none.cpuFeatures.isEmpty)
    }

    static let systemdSysctlUnit = "[Unit]\nDescription=Apply Kernel Variables\n[Service]\nType=oneshot\nExecStart=/usr/lib/systemd/systemd-sysctl\n"

    @Test func sysctlConfIgnoredUnderSystemdWithoutTheLink() throws {
        let scratch = ScratchRoot()
        scratch.write("usr/lib/systemd/system/systemd-sysctl.service", Self.systemdSysctlUnit)
        scratch.write("etc/sysctl.conf", "net.ipv4.ip_forward=1\n")
        let persisted = try FactStore(root: scratch.root).get(Facts.persistedSysctls)
        #expect(persisted.settings["net.ipv4.ip_forward"] == nil)
        #expect(persisted.ignoredFile == "/etc/sysctl.conf")
        #expect(persisted.ignoredSettings["net.ipv4.ip_forward"]?.value == "1")
    }

    @Test func sysctlConfReadThroughTheLinkInNameOrder() throws {
        let scratch = ScratchRoot()
        scratch.write("usr/lib/systemd/system/systemd-sysctl.service", Self.systemdSysctlUnit)
        scratch.write("etc/sysctl.conf", "net.ipv4.ip_forward=1\n")
        scratch.link("etc/sysctl.d/99-sysctl.conf", to: "../sysctl.conf")
        scratch.write("etc/sysctl.d/99-zz-late.conf", "net.ipv4.ip_forward=0\n")
        let persisted = try FactStore(root: scratch.root).get(Facts.persistedSysctls)
        #expect(persisted.ignoredFile == nil)
        // systemd-sysctl applies 99-sysctl.conf before 99-zz-late.conf, and does not read /etc/sysctl.conf again.
        #expect(persisted.settings["net.ipv4.ip_forward"]?.value == "0")
    }

    @Test func sysctlConfReadLastWithoutSystemd() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/sysctl.conf", "net.ipv4.ip_forward = 1\n")
        scratch.write("etc/sysctl.d/10-a.conf", "net.ipv4.ip_forward = 0\n")
        let persisted = try FactStore(root: scratch.root).get(Facts.persistedSysctls)
        #expect(persisted.settings["net.ipv4.ip_forward"]?.file == "/etc/sysctl.conf")
        #expect(persisted.ignoredFile == nil)
    }
}
