import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The parsers behind the hit-a facts (issue 13): libvirt's status XML, QEMU command lines (argv and
/// `ps auxwww`), the QEMU capabilities cache and the taint and capabilities-error lines of libvirt's logs;
/// each on text in the layout libvirt and QEMU write and on junk, which gives a value or a FactError,
/// never a trap. (../shared/corpus holds no libvirt logs or caches, so the real-format samples are inline.)
@Suite struct LibvirtQemuRuntimeTests {
    static let junk = ["", "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage", "<<<<<<<<", "<domstatus", "<domstatus><domain>",
                       String(repeating: "<a>", count: 5000), "\u{1B}[31m%%%%\n\t\n", "<qemuCaps", "Domain id=",
                       " is tainted: ", "Domain id=99999999999999999999999 is tainted: ", String(repeating: "x", count: 100_000)]

    @Test func statusXML() throws {
        let guest = try RunningGuests.parseStatus("""
            <!--
            WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
            OVERWRITTEN AND LOST.
            -->
            <domstatus state='running' reason='booted' pid='4242'>
              <taint flag='custom-argv'/>
              <monitor path='/var/lib/libvirt/qemu/domain-1-web01/monitor.sock' type='unix'/>
              <vcpus><vcpu id='0' pid='4249'/></vcpus>
              <domain type='qemu' id='1'>
                <name>web01</name>
                <os><type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type></os>
              </domain>
            </domstatus>
            """, file: "/run/libvirt/qemu/web01.xml")
        #expect(guest.name == "web01")
        #expect(guest.domainType == "qemu")
        #expect(guest.pid == 4242)
        // A pid that does not fit, or is negative, is no pid.
        let huge = try RunningGuests.parseStatus("<domstatus pid='99999999999999999999999'><domain type='kvm'><name>a</name></domain></domstatus>", file: "x")
        #expect(huge.pid == nil)
        let negative = try RunningGuests.parseStatus("<domstatus pid='-5'><domain type='kvm'><name>a</name></domain></domstatus>", file: "x")
        #expect(negative.pid == nil)
        #expect(throws: FactError.self) { try RunningGuests.parseStatus("<domain type='kvm'><name>a</name></domain>", file: "x") }
        #expect(throws: FactError.self) { try RunningGuests.parseStatus("<domstatus><domain type='kvm'/></domstatus>", file: "x") }
        for text in Self.junk { _ = try? RunningGuests.parseStatus(text, file: "junk") }
    }

    @Test func qemuCommandLine() {
        // As libvirt starts QEMU (one argument per element, as /proc/<pid>/cmdline holds them).
        let libvirt = ["/usr/libexec/qemu-kvm", "-name", "guest=web01,debug-threads=on", "-S",
                       "-machine", "pc-q35-rhel9.2.0,usb=off,dump-guest-core=off", "-accel", "tcg", "-cpu", "qemu64"]
        #expect(RunningGuests.parseCommandLine(libvirt).name == "web01")
        #expect(RunningGuests.parseCommandLine(libvirt).accelerator == "tcg")
        // Older libvirt: accel in -machine, fallbacks in order; -enable-kvm; a plain -name.
        #expect(RunningGuests.parseCommandLine(["qemu-system-x86_64", "-name", "db01", "-machine", "pc-i440fx-2.11,accel=kvm:tcg,usb=off"]) == ("db01", "kvm"))
        #expect(RunningGuests.parseCommandLine(["qemu-system-x86_64", "-M", "pc,accel=tcg", "-name", "t"]).accelerator == "tcg")
        #expect(RunningGuests.parseCommandLine(["qemu-kvm", "-enable-kvm", "-name", "x,process=qemu:x"]) == ("x", "kvm"))
        #expect(RunningGuests.parseCommandLine(["qemu-kvm", "--accel", "kvm"]).accelerator == "kvm")
        // Says nothing: unknown, never a guess. Truncated and empty.
        #expect(RunningGuests.parseCommandLine(["qemu-kvm", "-name"]) == (nil, nil))
        #expect(RunningGuests.parseCommandLine(["qemu-kvm", "-accel"]).accelerator == nil)
        #expect(RunningGuests.parseCommandLine([]) == (nil, nil))
        #expect(RunningGuests.parseCommandLine(["-name", "guest=", "-accel", ""]) == (nil, nil))
        for text in Self.junk { _ = RunningGuests.parseCommandLine(text.split(separator: "\0").map(String.init)) }
    }

    @Test func psOutput() {
        let ps = """
            USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
            root           1  0.0  0.0 174000 17000 ?        Ss   Nov30   0:09 /usr/lib/systemd/systemd --switched-root --system --deserialize 31
            qemu        4242 98.1  6.2 4650000 2100000 ?     Sl   Nov30 812:44 /usr/libexec/qemu-kvm -name guest=web01,debug-threads=on -S -machine pc-q35-rhel9.2.0,usb=off -accel tcg -cpu qemu64
            qemu        4311  3.0  6.2 4650000 2100000 ?     Sl   Nov30  40:02 /usr/bin/qemu-system-x86_64 -name guest=db01,debug-threads=on -accel kvm
            root        5000  0.0  0.0   6400  2200 pts/0    S+   10:00   0:00 grep qemu-kvm
            """
        let found = RunningGuests.commandLines(fromPS: ps)
        #expect(found.map(\.pid) == [4242, 4311])
        #expect(found.map { RunningGuests.parseCommandLine($0.arguments).accelerator } == ["tcg", "kvm"])
        for text in Self.junk { _ = RunningGuests.commandLines(fromPS: text) }
        #expect(RunningGuests.commandLines(fromPS: "a b c d e f g h i j qemu-kvm\nroot 99999999999999999999999 0 0 0 0 ? S 0 0 qemu-kvm").isEmpty)
    }

    @Test func capabilitiesCache() throws {
        // The layout of libvirt's tests/qemucapabilitiesdata/caps_*.xml, which is what the cache holds.
        let withKVM = try QemuCapabilitiesCache.parse("""
            <qemuCaps>
              <emulator>/usr/bin/qemu-system-x86_64</emulator>
              <qemuctime>0</qemuctime>
              <flag name='kvm'/>
              <flag name='kvm-pit-lost-tick-policy'/>
              <version>10000000</version>
              <arch>x86_64</arch>
              <hostCPU type='kvm' model='base' migratability='yes'/>
            </qemuCaps>
            """, file: "a.xml")
        #expect(withKVM.kvm)
        #expect(withKVM.emulator == "/usr/bin/qemu-system-x86_64")
        #expect(withKVM.arch == "x86_64")
        let withoutKVM = try QemuCapabilitiesCache.parse("""
            <qemuCaps>
              <emulator>/usr/libexec/qemu-kvm</emulator>
              <flag name='kvm-pit-lost-tick-policy'/>
              <flag name='tcg'/>
              <arch>x86_64</arch>
              <hostCPU type='tcg' model='base' migratability='yes'/>
              <machine type='tcg' name='pc-q35-rhel9.2.0'/>
            </qemuCaps>
            """, file: "b.xml")
        #expect(!withoutKVM.kvm)
        // Truncated in the middle of an element: what is there is read, the rest is unknown.
        let truncated = try QemuCapabilitiesCache.parse("<qemuCaps>\n  <emulator>/usr/bin/qemu-sys", file: "c.xml")
        #expect(truncated.emulator == nil && truncated.arch == nil && !truncated.kvm)
        #expect(throws: FactError.self) { try QemuCapabilitiesCache.parse("<capabilities><guest/></capabilities>", file: "d.xml") }
        for text in Self.junk { _ = try? QemuCapabilitiesCache.parse(text, file: "junk") }
    }

    @Test func taintLines() {
        let log = """
            2026-11-30 09:12:44.318+0000: starting up libvirt version: 9.0.0, package: 10.el9, qemu version: 7.2.0, hostname: h
            LC_ALL=C \\
            /usr/libexec/qemu-kvm \\
            -name guest=web01,debug-threads=on \\
            2026-11-30 09:12:44.319+0000: Domain id=3 is tainted: custom-argv
            2026-11-30 09:12:44.319+0000: Domain id=3 is tainted: host-cpu
            2026-11-30 09:12:44.319+0000: Domain id=3 is tainted: custom-argv
            2026-11-30 09:14:01.000+0000: Domain id=3 is tainted: deprecated-config (machine type 'pc-i440fx-rhel7.6.0')
            char device redirected to /dev/pts/1 (label charserial0)
            """
        #expect(LibvirtGuestLogs.taintReasons(log) == ["custom-argv", "host-cpu", "deprecated-config"])
        // libvirtd's own form names the guest too.
        #expect(LibvirtGuestLogs.taintReasons("warning : qemuDomainObjTaintMsg:6623 : Domain id=1 name='db01' uuid=6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b is tainted: high-privileges") == ["high-privileges"])
        // An overlong line, an empty reason, junk.
        #expect(LibvirtGuestLogs.taintReasons("Domain id=1 is tainted: " + String(repeating: "y", count: 10_000)).isEmpty)
        #expect(LibvirtGuestLogs.taintReasons("Domain id=1 is tainted: \nDomain id=2 is tainted: ###").isEmpty)
        let many = (0..<100).map { "Domain id=1 is tainted: r\($0)" }.joined(separator: "\n")
        #expect(LibvirtGuestLogs.taintReasons(many).count == LibvirtGuestLogs.maximumReasons)
        for text in Self.junk { _ = LibvirtGuestLogs.taintReasons(text) }
    }

    @Test func capabilitiesErrorLines() {
        let log = """
            2026-11-28 08:00:58.117+0000: 1520: info : libvirt version: 9.0.0, package: 10.el9 (Red Hat)
            2026-11-28 08:01:13.402+0000: 1520: error : virCapabilitiesDomainDataLookupInternal:717 : invalid argument: could not find capabilities for domaintype=kvm 
            Nov 28 08:01:13 h virtqemud[1520]: invalid argument: Could not find capabilities for domaintype=kvm
            """
        #expect(LibvirtGuestLogs.capabilityErrorLines(log).count == 2)
        let many = String(repeating: "could not find capabilities for domaintype=kvm\n", count: 50)
        #expect(LibvirtGuestLogs.capabilityErrorLines(many).count == LibvirtGuestLogs.maximumLines)
        for text in Self.junk { #expect(LibvirtGuestLogs.capabilityErrorLines(text).isEmpty) }
    }
}
