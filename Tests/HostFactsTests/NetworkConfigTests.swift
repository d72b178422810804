import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// The issue-12 network parsers (ifcfg, NetworkManager keyfiles, ifupdown stanzas, Xen vif lines, MAC
/// addresses) on realistic text and on junk: every input gives a value, never a trap.
@Suite struct NetworkConfigTests {
    static let garbage = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n=\n==\n'\"\n[\n]\n\t\t\n" + String(repeating: "=", count: 5000)

    @Test func ifcfgAssignments() {
        let values = NetworkConfigFiles.parseShellAssignments("""
            # Intel NIC
            DEVICE="eth0"
            HWADDR=00:1A:4B:10:20:30 # the card
            TYPE='Bridge'
            BRIDGE=br0
            export ONBOOT=yes
            not an assignment
            =novalue
            """)
        #expect(values["DEVICE"] == "eth0")
        #expect(values["HWADDR"] == "00:1A:4B:10:20:30")
        #expect(values["TYPE"] == "Bridge")
        #expect(values["BRIDGE"] == "br0")
        #expect(values["ONBOOT"] == "yes")
        #expect(values.count == 5)
        let file = NetworkConfigFiles.Ifcfg(file: "/x/ifcfg-br0", name: "br0", values: ["DEVICE": "br0", "TYPE": "bridge"])
        #expect(file.looksLikeBridge)
        #expect(file.interfaceName == "br0")
    }

    @Test func keyfileAndIfupdown() {
        let port = NetworkConfigFiles.parseKeyfile("""
            [connection]
            id=bridge-slave-eno1
            type=802-3-ethernet
            interface-name=eno1
            master=br0
            slave-type=bridge

            [ethernet]
            mac-address=00:1A:4B:10:20:30
            """, file: "/etc/NetworkManager/system-connections/eno1.nmconnection")
        #expect(port.type == "ethernet" && port.controller == "br0" && port.portType == "bridge" && port.interfaceName == "eno1")
        let bridges = NetworkConfigFiles.parseIfupdownBridges("""
            auto br0
            iface br0 inet dhcp
                bridge_ports eno1 eno2
                bridge_stp off
            iface br1 inet manual
                bridge-ports none
            """, file: "/etc/network/interfaces")
        #expect(bridges.map(\.name) == ["br0", "br1"])
        #expect(bridges.first?.ports == ["eno1", "eno2"])
        #expect(bridges.last?.ports == [])
        let config = NetworkConfigFiles(ifcfg: [], nmConnections: [port], ifupdownBridges: bridges, unreadable: [:])
        #expect(config.configuredPorts["br0"]?.sorted() == ["eno1", "eno1", "eno2"])
    }

    @Test func macAddresses() {
        #expect(MACAddress.normalized("52:54:00:AA:bb:cc\n") == "52:54:00:aa:bb:cc")
        #expect(MACAddress.normalized("\"00-16-3E-2A-00-07\"") == "00:16:3e:2a:00:07")
        #expect(MACAddress.normalized("52:54:00:aa:bb") == nil)
        #expect(MACAddress.normalized("zz:54:00:aa:bb:cc") == nil)
        #expect(MACAddress.normalized("") == nil)
    }

    @Test func xenVifLines() {
        let parsed = GuestMACs.parseXenConfig("""
            name = "xenweb"
            memory = 512
            vif = [ 'mac=00:16:3E:2A:00:07, bridge=xenbr0',
                    'bridge=xenbr1' ]
            """)
        #expect(parsed?.name == "xenweb")
        #expect(parsed?.macs == ["00:16:3e:2a:00:07"])
        #expect(parsed?.generated == 1)
        #expect(GuestMACs.parseXenConfig("(xend-relocation-server no)\n") == nil)
    }

    @Test func domainMACs() throws {
        let (name, macs, generated) = try GuestMACs.parseDomain("""
            <domain type='kvm'><name>web01</name><devices>
              <interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>
              <interface type='bridge'><source bridge='br0'/></interface>
            </devices></domain>
            """, file: "web01.xml")
        #expect(name == "web01" && macs == ["52:54:00:11:22:33"] && generated == 1)
    }

    @Test func junkNeverTraps() {
        _ = NetworkConfigFiles.parseShellAssignments(Self.garbage)
        _ = NetworkConfigFiles.parseKeyfile(Self.garbage, file: "junk")
        _ = NetworkConfigFiles.parseIfupdownBridges(Self.garbage + "\niface\nbridge_ports\n", file: "junk")
        #expect(GuestMACs.parseXenConfig(Self.garbage) == nil)
        _ = GuestMACs.parseXenConfig("vif = [ 'mac=, bridge=' , \"\" , ' \n")
        _ = MACAddress.normalized(Self.garbage)
        #expect(throws: FactError.self) { try GuestMACs.parseDomain(Self.garbage, file: "junk") }
    }

    @Test func readsARoot() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/sysconfig/network-scripts/ifcfg-br0", "DEVICE=br0\nTYPE=Bridge\n")
        scratch.write("etc/sysconfig/network-scripts/ifcfg-eth0", "DEVICE=eth0\nBRIDGE=br0\n")
        scratch.write("etc/sysconfig/network-scripts/ifcfg-eth0.bak", "DEVICE=eth0\n")
        scratch.write("sys/class/net/eth0/address", "00:1a:4b:10:20:30\n")
        scratch.write("sys/class/net/eth0/device/vendor", "0x8086\n")
        scratch.write("sys/class/net/br0/bridge/stp_state", "0\n")
        scratch.write("sys/class/net/br0/brif/eth0/port_no", "0x1\n")
        let config = try NetworkConfigFiles.read(scratch.root).value
        #expect(config.ifcfg.map(\.name) == ["br0", "eth0"])
        #expect(config.definedBridges == ["br0"])
        #expect(config.configuredPorts == ["br0": ["eth0"]])
        let interfaces = try InterfaceInventory.read(scratch.root).value
        #expect(interfaces.named("eth0")?.physical == true)
        #expect(interfaces.named("br0")?.ports == ["eth0"])
        #expect(interfaces.named("eth0")?.address == "00:1a:4b:10:20:30")
        scratch.write("sos_commands/virsh/virsh_-r_dumpxml_web01", "<domain type='kvm'><name>web01</name><devices><interface type='network'><mac address='52:54:00:AB:CD:EF'/></interface></devices></domain>\n")
        scratch.write("sos_commands/virsh/virsh_-r_list_--all", " Id   Name    State\n")
        let macs = try GuestMACs.read(scratch.root).value
        #expect(macs.entries.map(\.mac) == ["52:54:00:ab:cd:ef"])
        #expect(macs.entries.first?.guest == "web01")
    }

    @Test func firewallRulesets() {
        let saved = FirewallRuleset.parse("""
            # Generated by iptables-save v1.8.5
            *nat
            :LIBVIRT_PRT - [0:0]
            -A POSTROUTING -j LIBVIRT_PRT
            -A LIBVIRT_PRT -s 192.168.122.0/24 ! -d 192.168.122.0/24 -j MASQUERADE
            COMMIT
            *filter
            -A LIBVIRT_FWO -s 192.168.122.0/24 -i virbr0 -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            COMMIT
            """, file: "iptables-save", format: "iptables-save")
        #expect(saved.ruleCount == 4)
        #expect(saved.mentions("virbr0") && saved.masquerades)
        let nft = FirewallRuleset.parse("""
            table ip libvirt_network {
              chain guest_nat {
                type nat hook postrouting priority srcnat; policy accept;
                ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 masquerade
              }
              chain guest_output {
                iifname "virbr0" ip saddr 192.168.122.0/24 counter accept
              }
            }
            """, file: "nft", format: "nft")
        #expect(nft.mentions("virbr0") && nft.masquerades)
        let junk = FirewallRuleset.parse(Self.garbage, file: "junk", format: "nft")
        #expect(!junk.mentions("virbr0") && !junk.masquerades)
    }
}
