import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The parsers behind the guest group's facts (issue 12): libvirt domain XML details, xm/xl configuration
/// files, ifcfg and NetworkManager keyfiles, boot-time service links, hwclock audit lines and xend's SXP
/// configuration; each on real-looking text and on junk, which gives a value or a FactError, never a trap.
@Suite struct GuestDefinitionsTests {
    static let junk = ["", "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage", "((((((((", "'unterminated", "name = [ 'a', ",
                       String(repeating: "(", count: 200) + String(repeating: ")", count: 200), "= = =", "\u{1B}[31m%%%%\n\t\n",
                       "name = \"x\"\nvif = [ 'mac=zz' ", String(repeating: "[", count: 5000), "99999999999999999999999999 = 1"]

    @Test func domainXML() throws {
        let guest = try GuestDefinitions.parseDomain("""
            <domain type='kvm'>
              <name>win2k19</name>
              <uuid>4B5C6D7E-8F90-4A1B-9C2D-3E4F5A6B7C8D</uuid>
              <metadata>
                <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
                  <libosinfo:os id="http://microsoft.com/win/2k19"/>
                </libosinfo:libosinfo>
              </metadata>
              <os><type arch='x86_64' machine='pc-i440fx-rhel7.6.0'>hvm</type><boot dev='hd'/></os>
              <features><acpi/><hyperv mode='custom'><relaxed state='on'/></hyperv></features>
              <devices>
                <disk type='file' device='cdrom'><source file='/usr/share/virtio-win/virtio-win.iso'/><target dev='hdc' bus='ide'/></disk>
                <disk type='file' device='disk'><source file='/var/lib/libvirt/images/w.qcow2'/><target dev='vda' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></disk>
                <interface type='bridge'><mac address='52:54:00:AA:BB:CC'/><source bridge='br0'/><model type='virtio'/></interface>
                <controller type='pci' index='0' model='pci-root'/>
                <controller type='usb' index='0'><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/></controller>
                <video><address type='pci' domain='0x0000' bus='0x00' slot='2' function='0x0'/></video>
              </devices>
            </domain>
            """, file: "/etc/libvirt/qemu/win2k19.xml")
        #expect(guest.uuid == "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d")
        #expect(guest.macs == ["52:54:00:aa:bb:cc"])
        #expect(guest.bridges == ["br0"])
        #expect(guest.osinfo == "http://microsoft.com/win/2k19")
        #expect(guest.windowsEvidence?.contains("libosinfo") == true)
        #expect(guest.bootDisk?.target == "vda")
        #expect(guest.bootDisk?.bus == "virtio")
        // Slots 2 and 7 of bus 0 (slot 1, the PIIX functions, is always taken and not counted); the NIC has no address yet.
        #expect(guest.pciDevices == 2)
        #expect(guest.unaddressedPCIDevices == 1)
        #expect(guest.machine == "pc-i440fx-rhel7.6.0")
        #expect(!guest.paravirtualized)
    }

    @Test func xenPVDomainIsParavirtualized() throws {
        let guest = try GuestDefinitions.parseDomain(
            "<domain type='xen' id='13'><name>rhel5pv</name><bootloader>/usr/bin/pygrub</bootloader><os><type>linux</type></os>"
            + "<devices><disk type='file' device='disk'><driver name='tap' type='aio'/><source file='/var/lib/xen/images/r.img'/><target dev='xvda'/></disk></devices></domain>",
            file: "virsh dumpxml")
        #expect(guest.paravirtualized)
        #expect(guest.hypervisor == "xen")
        #expect(guest.bootloader == "/usr/bin/pygrub")
    }

    @Test func xenConfigFile() throws {
        let text = """
            # copied from the old dom0
            name = "legacy-pv"
            uuid = "3A9D5E1C-7B2F-4C8D-9E0A-1B2C3D4E5F60"
            memory = 1024
            bootloader="/usr/bin/pygrub"
            disk = [ "tap:aio:/var/lib/xen/images/legacy-pv.img,xvda,w",
                     'file:/var/lib/xen/images/boot.iso,hdc:cdrom,r' ]   # trailing comment
            vif = [ "mac=00:16:3E:4F:1A:22, bridge=xenbr0,script=vif-bridge" ]
            on_crash = restart
            """
        let guest = try #require(try GuestDefinitions.parseXenConfig(text, file: "/etc/xen/legacy-pv"))
        #expect(guest.name == "legacy-pv")
        #expect(guest.uuid == "3a9d5e1c-7b2f-4c8d-9e0a-1b2c3d4e5f60")
        #expect(guest.macs == ["00:16:3e:4f:1a:22"])
        #expect(guest.bridges == ["xenbr0"])
        #expect(guest.disks.map(\.source) == ["/var/lib/xen/images/legacy-pv.img", "/var/lib/xen/images/boot.iso"])
        #expect(guest.disks.map(\.device) == ["disk", "cdrom"])
        #expect(guest.paravirtualized)
        let hvm = try #require(try GuestDefinitions.parseXenConfig("name = 'w'\nbuilder = 'hvm'\n", file: "/etc/xen/w"))
        #expect(!hvm.paravirtualized)
        // A file that assigns no name is not a guest.
        #expect(try GuestDefinitions.parseXenConfig("memory = 512\n", file: "/etc/xen/x") == nil)
    }

    @Test func pciNumbers() {
        #expect(GuestDefinitions.pciNumber("0x1f") == 31)
        #expect(GuestDefinitions.pciNumber("7") == 7)
        #expect(GuestDefinitions.pciNumber("0x") == nil)
        #expect(GuestDefinitions.pciNumber("0xfffffffffffffffffff") == nil)
        #expect(GuestDefinitions.pciNumber("-1") == nil)
    }

    @Test func junkNeverTraps() {
        for text in Self.junk {
            _ = try? GuestDefinitions.parseXenConfig(text, file: "junk")
            _ = try? GuestDefinitions.parseDomain(text, file: "junk")
            _ = try? GuestIdentity.parseIfcfg(text, file: "junk")
            _ = try? GuestIdentity.parseKeyfile(text, file: "junk")
            _ = try? XendState.parseSXP(text, source: "junk")
            _ = HwclockAudit.scan(text)
            _ = GuestIdentity.normalizedMAC(text)
            _ = EnabledServices.sysvService(text)
        }
        #expect(throws: FactError.self) { try GuestDefinitions.parseXenConfig("\u{0}\u{1}ELF", file: "junk") }
        #expect(throws: FactError.self) { try GuestDefinitions.parseXenConfig("name = [ 'a'", file: "junk") }
        #expect(throws: FactError.self) { try XendState.parseSXP("(xend-port 8000", source: "junk") }
        #expect(throws: FactError.self) { try XendState.parseSXP("xend-port 8000", source: "junk") }
    }

    @Test func networkIdentity() throws {
        let ifcfg = try GuestIdentity.parseIfcfg("DEVICE=\"eth0\"\n# HWADDR=00:00:00:00:00:00\nHWADDR=52:54:00:0F:00:01\nIPADDR=192.0.2.50\n", file: "ifcfg-eth0")
        #expect(ifcfg.device == "eth0")
        #expect(ifcfg.hwaddr == "52:54:00:0f:00:01")
        #expect(ifcfg.ipaddr == "192.0.2.50")
        let keyfile = try GuestIdentity.parseKeyfile("[connection]\nid=Wired\ninterface-name=enp1s0\n[ethernet]\nmac-address=52:54:00:AA:00:01\n[ipv4]\naddress1=192.0.2.9/24,192.0.2.1\n", file: "Wired.nmconnection")
        #expect(keyfile.device == "enp1s0")
        #expect(keyfile.hwaddr == "52:54:00:aa:00:01")
        #expect(keyfile.ipaddr == "192.0.2.9")
        #expect(GuestIdentity.normalizedMAC("52:54:00:aa:bb") == nil)
        #expect(GuestIdentity.normalizedMAC("52:54:00:aa:bb:zz") == nil)
    }

    @Test func bootLinks() {
        #expect(EnabledServices.sysvService("S40smartd") == "smartd")
        #expect(EnabledServices.sysvService("K01xend") == nil)
        #expect(EnabledServices.sysvService("S9") == nil)
    }

    @Test func hwclockAuditLines() {
        let log = """
            Mar  3 10:12:01 pv kernel: audit(1709460721.512:3): user pid=2372 uid=0 auid=4294967295 subj=system_u:system_r:hwclock_t:s0 msg='changing system time: exe="/sbin/hwclock" (hostname=?, addr=?, terminal=? res=failed)'
            Mar  3 10:12:02 pv ntpd[2401]: synchronized to 192.0.2.10
            """
        let lines = HwclockAudit.scan(log)
        #expect(lines.count == 1)
        #expect(HwclockAudit(lines: lines, sources: []).failed.count == 1)
    }

    @Test func xendConfiguration() throws {
        let settings = try XendState.parseSXP("""
            # -*- sh -*-
            (xend-http-server yes)
            (xend-port            8000)
            (xend-relocation-hosts-allow '^localhost$ ^xen2\\\\.example\\\\.test$')
            (network-script 'network-bridge netdev=eth0')
            (vncpasswd '')
            (xen-api-server ((9363 pam '^localhost$')))
            """, source: "/etc/xen/xend-config.sxp")
        #expect(settings["xend-http-server"] == "yes")
        #expect(settings["xend-port"] == "8000")
        #expect(settings["network-script"] == "network-bridge netdev=eth0")
        #expect(settings["vncpasswd"] == "")
        #expect(settings["xend-relocation-hosts-allow"]?.hasPrefix("^localhost$") == true)
        #expect(settings["xen-api-server"] != nil)
    }
}
