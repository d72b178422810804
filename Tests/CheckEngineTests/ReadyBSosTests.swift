@testable import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Testing
import TestSupport

/// issue 13, ready-b: host.reboot-pending and dom.machine-type on an extracted sos report, where the
/// kernels come from the boot plugin's `ls -lanR /boot` and installed-rpms, the QEMU version and the
/// deprecated machine types from the virsh plugin's `version` and `capabilities`, and no live /proc exists.
@Suite struct ReadyBSosTests {
    static func sosRoot() -> ScratchRoot {
        let scratch = ScratchRoot()
        scratch.write("version.txt", "sosreport: 4.7.2\n")
        scratch.write("sos_commands/kernel/uname_-a", "Linux kvm-sos 5.14.0-362.8.1.el9_3.x86_64 #1 SMP PREEMPT_DYNAMIC Tue Oct 3 11:12:36 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n")
        scratch.write("etc/os-release", "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n")
        scratch.write("installed-rpms", """
            kernel-core-5.14.0-362.8.1.el9_3.x86_64                      Tue 21 Nov 2023 10:02:11 AM UTC
            kernel-core-5.14.0-427.13.1.el9_4.x86_64                     Tue 21 May 2024 10:02:11 AM UTC
            qemu-kvm-core-8.2.0-11.el9_4.x86_64                          Tue 21 May 2024 10:02:11 AM UTC
            libvirt-daemon-10.0.0-6.el9_4.x86_64                         Tue 21 May 2024 10:02:11 AM UTC

            """)
        scratch.write("sos_commands/boot/ls_-lanR_.boot", """
            /boot:
            total 120000
            dr-xr-xr-x.  6 0 0     4096 May 21 10:03 .
            dr-xr-xr-x. 18 0 0      235 Nov 21  2023 ..
            -rw-r--r--.  1 0 0   222076 Oct  3  2023 config-5.14.0-362.8.1.el9_3.x86_64
            -rwxr-xr-x.  1 0 0 13065648 Oct  3  2023 vmlinuz-5.14.0-362.8.1.el9_3.x86_64
            -rwxr-xr-x.  1 0 0 13241384 May  1  2024 vmlinuz-5.14.0-427.13.1.el9_4.x86_64
            -rwxr-xr-x.  1 0 0 11541224 Nov 21  2023 vmlinuz-0-rescue-6f0a1c2d3e4b4f5a8b9c0d1e2f3a4b5c

            """)
        scratch.write("sos_commands/virsh/virsh_-r_list_--all", " Id   Name    State\n------------------------\n 1    app01   running\n\n")
        let xml = "<domain type='kvm'><name>app01</name><memory unit='KiB'>2097152</memory><vcpu>2</vcpu><os><type arch='x86_64' machine='pc-i440fx-rhel7.6.0'>hvm</type></os><devices/></domain>\n"
        scratch.write("sos_commands/virsh/virsh_-r_dumpxml_app01", xml)
        scratch.write("etc/libvirt/qemu/app01.xml", xml)
        scratch.write("sos_commands/virsh/virsh_-r_version", "Compiled against library: libvirt 10.0.0\nUsing library: libvirt 10.0.0\nUsing API: QEMU 10.0.0\nRunning hypervisor: QEMU 8.2.0\n")
        scratch.write("sos_commands/virsh/virsh_-r_capabilities", """
            <capabilities>
              <host><cpu><arch>x86_64</arch></cpu></host>
              <guest>
                <os_type>hvm</os_type>
                <arch name='x86_64'>
                  <machine maxCpus='240' deprecated='yes'>pc-i440fx-rhel7.6.0</machine>
                  <machine canonical='pc-i440fx-rhel7.6.0' maxCpus='240' deprecated='yes'>pc</machine>
                  <machine maxCpus='4096'>pc-q35-rhel9.4.0</machine>
                  <machine canonical='pc-q35-rhel9.4.0' maxCpus='4096'>q35</machine>
                  <machine maxCpus='710'>pc-q35-rhel8.6.0</machine>
                  <domain type='qemu'/>
                  <domain type='kvm'/>
                </arch>
              </guest>
            </capabilities>
            """)
        return scratch
    }

    static func finding(_ id: String, _ root: HostRoot) throws -> Finding {
        let check = try #require(try Catalog.builtIn().checks.first { $0.id == id })
        let runner = Runner(catalog: Catalog(checks: [check]))
        return runner.run(check, store: FactStore(root: root), options: RunOptions(profile: .host, now: Date(timeIntervalSince1970: 1_795_000_000)))
    }

    @Test func rebootPendingFromTheBootListingAndInstalledRPMs() throws {
        let scratch = Self.sosRoot()
        let root = try EvidenceOpening.open(directory: scratch.path)
        let finding = try Self.finding("host.reboot-pending", root)
        #expect(finding.status == .warn, "\(finding.summary)")
        #expect(finding.summary.contains("5.14.0-427.13.1.el9_4.x86_64 (running 5.14.0-362.8.1.el9_3.x86_64)"), "\(finding.summary)")
    }

    @Test func machineTypeFromVirshCapabilities() throws {
        let scratch = Self.sosRoot()
        let root = try EvidenceOpening.open(directory: scratch.path)
        let finding = try Self.finding("dom.machine-type", root)
        #expect(finding.status == .warn, "\(finding.summary)")
        #expect(finding.summary.contains("app01 (pc-i440fx-rhel7.6.0: deprecated by this QEMU, as libvirt reports)"), "\(finding.summary)")
        #expect(finding.summary.contains("QEMU 8.2 (RHEL 9)"), "\(finding.summary)")
    }
}
