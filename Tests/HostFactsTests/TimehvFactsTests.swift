import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The parsers behind the timehv facts (issue 12): the audit log's record times, xm/xl guest files, the
/// Xen hypervisor line and xend settings, and libvirt guests' clocks; on realistic text and on junk.
@Suite struct TimehvFactsTests {
    static let junk = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\taudit(\naudit(99999999999999999999999.1:2)\naudit(-5.0:1)\n= = =\n(dom0-min-mem )\n"

    @Test func auditTimesRunningForward() {
        let text = """
            type=USER_LOGIN msg=audit(1794990000.000:4000): pid=2211 uid=0 res=success'
            type=CRED_DISP msg=audit(1794990600.037:4001): pid=2211 uid=0 res=success'
            type=SERVICE_START msg=audit(1794991200.074:4002): pid=1 msg='unit=vdsmd'
            """
        let history = ClockHistory.parseAudit(text)
        #expect(history.records == 3)
        #expect(history.newest == 1_794_991_200)
        #expect(history.last == 1_794_991_200)
        #expect(history.largestStepBack == 0)
        #expect(history.lagAtEnd == 0)
    }

    @Test func auditClockSetBackAndNotRestored() {
        let text = """
            type=SERVICE_STOP msg=audit(1794997300.112:4100): pid=1 msg='unit=chronyd comm="systemd"'
            type=SYSCALL msg=audit(1672574400.004:4101): arch=c000003e syscall=227 comm="systemd-timedat"
            type=USER_LOGIN msg=audit(1672574460.000:4102): pid=2211
            """
        let history = ClockHistory.parseAudit(text)
        #expect(history.records == 3)
        #expect(history.stepBackFrom == 1_794_997_300)
        #expect(history.stepBackTo == 1_672_574_400)
        #expect(history.lagAtEnd == 1_794_997_300 - 1_672_574_460)
    }

    @Test func auditJunkGivesNoRecords() {
        let history = ClockHistory.parseAudit(Self.junk)
        #expect(history.records == 0)
        #expect(history.newest == nil)
        #expect(history.lagAtEnd == 0)
        #expect(ClockHistory.parseAudit("").records == 0)
    }

    /// hv.single-hypervisor reads xm/xl guests through guests.definitions.
    @Test func xenGuestFile() throws {
        let guest = try GuestDefinitions.parseXenConfig("# comment\nname = \"guest4\"\nmemory = 1024\nbuilder = \"hvm\"\n", file: "/etc/xen/guest4")
        #expect(guest?.name == "guest4")
        #expect(guest?.osType == "hvm")
        let pv = try GuestDefinitions.parseXenConfig("name = 'pv1'\nbootloader = \"/usr/bin/pygrub\"\n", file: "/etc/xen/pv1")
        #expect(pv != nil && pv?.osType != "hvm")
        #expect(((try? GuestDefinitions.parseXenConfig(Self.junk, file: "/etc/xen/junk")) ?? nil) == nil)
        #expect(try GuestDefinitions.parseXenConfig("name = \"\"\n", file: "/etc/xen/empty") == nil)
    }

    @Test func xenHypervisorLine() {
        let grub = """
            default=0
            title Red Hat Enterprise Linux Server (2.6.18-398.el5xen)
            \troot (hd0,0)
            \tkernel /xen.gz-2.6.18-398.el5 dom0_mem=256M com1=115200,8n1
            \tmodule /vmlinuz-2.6.18-398.el5xen ro root=/dev/VolGroup00/LogVol00
            """
        let options = XenDom0Config.xenLineOptions(grub, xenImage: "/xen.gz-2.6.18-398.el5")
        #expect(options == ["dom0_mem=256M", "com1=115200,8n1"])
        var config = XenDom0Config(xenOptions: options, grubCmdlineXen: [])
        #expect(config.dom0Mem == "256M")
        config.xenOptions = []
        config.grubCmdlineXen = ["dom0_mem=4096M,max:4096M", "dom0_max_vcpus=4"]
        #expect(config.dom0Mem == "4096M,max:4096M")
        #expect(config.dom0MaxVCPUs == "4")
        #expect(XenDom0Config.xenLineOptions(grub, xenImage: "/xen.gz-other") == nil)
        #expect(XenDom0Config.xenLineOptions(Self.junk, xenImage: "/xen.gz") == nil)
    }

    @Test func xendSettings() {
        let sxp = "# -*- sh -*-\n(xend-relocation-server no)\n(dom0-min-mem 256)\n(dom0-cpus 0)\n"
        #expect(XenDom0Config.sxpInteger(sxp, key: "dom0-min-mem") == 256)
        #expect(XenDom0Config.sxpInteger(sxp, key: "dom0-cpus") == 0)
        #expect(XenDom0Config.sxpInteger("(dom0-min-mem 99999999999999999999999)\n", key: "dom0-min-mem") == nil)
        #expect(XenDom0Config.sxpInteger(Self.junk, key: "dom0-min-mem") == nil)
    }

    @Test func windowsGuestClock() throws {
        let xml = """
            <domain type='kvm'>
              <name>winxp-legacy</name>
              <metadata>
                <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
                  <libosinfo:os id="http://microsoft.com/win/xp"/>
                </libosinfo:libosinfo>
              </metadata>
              <clock offset='localtime'>
                <timer name='rtc' tickpolicy='catchup'/>
                <timer name='pmtimer' present='no'/>
              </clock>
            </domain>
            """
        let guest = try DomainClocks.parse(xml, file: "/etc/libvirt/qemu/winxp-legacy.xml")
        #expect(guest.osID == "http://microsoft.com/win/xp")
        #expect(guest.isWindows && guest.isLegacyWindows)
        #expect(guest.clockOffset == "localtime")
        #expect(guest.timer("pmtimer")?.present == false)
        #expect(guest.timer("rtc")?.tickpolicy == "catchup")
        let linux = try DomainClocks.parse("<domain type='kvm'><name>web01</name></domain>", file: "/x.xml")
        #expect(!linux.isWindows && linux.timers.isEmpty)
        let byName = try DomainClocks.parse("<domain type='kvm'><name>Win2003-old</name></domain>", file: "/y.xml")
        #expect(byName.isWindows && byName.isLegacyWindows)
    }

    @Test func windowsGuestClockJunk() {
        for text in [Self.junk, "", "<network><name>x</name></network>", "<domain><clock><timer/></clock></domain>"] {
            #expect(throws: FactError.self) { try DomainClocks.parse(text, file: "/etc/libvirt/qemu/junk.xml") }
        }
    }
}
