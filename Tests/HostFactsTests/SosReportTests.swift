import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// The sos command-output parsers on realistic text and on hostile text (each must answer empty or nil,
/// never trap), and the fixture reports opened as roots (Tests/Fixtures/sos, from make-sos-roots.py).
@Suite struct SosReportParserTests {
    static let garbage = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n"
    static let huge = "99999999999999999999999999999999"

    @Test func version() {
        #expect(SosReport.version("sosreport: 4.5.6\n") == "4.5.6")
        #expect(SosReport.version("sos: 4.7.0-1.el9\n") == "4.7.0-1.el9")
        #expect(SosReport.version("\nsosreport: 3.9\n") == "3.9")
        #expect(SosReport.version("") == nil)
        #expect(SosReport.version(Self.garbage) == nil)
        #expect(SosReport.version("sosreport:\n") == nil)
        #expect(SosReport.version("sosreport: ../../etc/passwd\n") == nil)
        #expect(SosReport.version("sosreport: 4.5.6; rm -rf /\n") == nil)
        #expect(SosReport.version("sosreport: " + String(repeating: "4.", count: 5000) + "\n") == nil, "no version is 10000 characters")
        // Only the first lines are looked at.
        #expect(SosReport.version(String(repeating: "x\n", count: 10) + "sosreport: 4.5.6\n") == nil)
    }

    @Test func uname() throws {
        let fields = try #require(SosReport.parseUname(
            "Linux kvmhost01.example.com 5.14.0-362.8.1.el9_3.x86_64 #1 SMP PREEMPT_DYNAMIC Thu Oct 19 22:37:21 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n"))
        #expect(fields.release == "5.14.0-362.8.1.el9_3.x86_64")
        #expect(fields.machine == "x86_64")
        let arm = try #require(SosReport.parseUname("Linux pi 6.1.0-13-arm64 #1 SMP Debian 6.1.55-1 (2023-09-29) aarch64 GNU/Linux"))
        #expect(arm.machine == "aarch64")
        #expect(SosReport.parseUname("") == nil)
        #expect(SosReport.parseUname("Linux") == nil)
        #expect(SosReport.parseUname("Linux host 5.14") == nil, "truncated")
        #expect(SosReport.parseUname("Darwin mac 23.1.0 Darwin Kernel Version 23.1.0 arm64") == nil)
        #expect(SosReport.parseUname(Self.garbage) == nil)
        #expect(SosReport.parseUname("Linux host 5.14 #1 ../../x86_64") == nil, "a machine name with slashes")
        #expect(SosReport.parseUname("Linux host 5.14 #1 " + String(repeating: "x", count: 1000)) == nil)
        #expect(SosReport.parseUnameNodename("Linux kvmhost01.example.com 5.14.0 #1 SMP x86_64 GNU/Linux") == "kvmhost01.example.com")
        #expect(SosReport.parseUnameNodename("Linux ../../etc 5.14.0 #1 SMP x86_64") == nil, "a node name with slashes")
        #expect(SosReport.parseUnameNodename("Linux h\u{1b}[31m 5.14.0 #1 SMP x86_64") == nil, "a terminal escape")
        #expect(SosReport.parseUnameNodename("Linux \(String(repeating: "a", count: 300)) 5.14 #1 x86_64") == nil)
        #expect(SosReport.parseUnameNodename(Self.garbage) == nil)
    }

    @Test func sysctl() {
        let parsed = SosReport.parseSysctl("""
            kernel.hostname = kvmhost01.example.com
            net.ipv4.ip_forward = 1
            net.ipv4.tcp_rmem = 4096\t131072\t6291456
            net.bridge.bridge-nf-call-iptables = 0
            sysctl: permission denied on key 'fs.protected_regular'
            """)
        #expect(parsed.map(\.0) == ["kernel.hostname", "net.ipv4.ip_forward", "net.ipv4.tcp_rmem", "net.bridge.bridge-nf-call-iptables"])
        #expect(parsed[1].1 == "1")
        #expect(parsed[2].1 == "4096\t131072\t6291456")

        // Names that would name a file outside /proc/sys, or no file at all.
        let hostile = SosReport.parseSysctl("""
            ../../../etc/shadow = x
            net/ipv4/ip_forward = 1
            .hidden = 1
            kernel. = 1
            kernel..osrelease = 1
            = 1
            kernel.hostname
            with space.x = 1
            kernel.\u{0}nul = 1
            kernel.\u{1B}escape = 1
            \(String(repeating: "a", count: 300)) = 1
            """)
        #expect(hostile.isEmpty, "\(hostile)")
        #expect(SosReport.parseSysctl(Self.garbage).isEmpty)
        #expect(SosReport.parseSysctl("").isEmpty)
        // A huge value is only text; the fact reading it decides.
        #expect(SosReport.parseSysctl("net.ipv4.ip_forward = \(Self.huge)").first?.1 == Self.huge)
    }

    @Test func lsmod() throws {
        let text = SosReport.procModulesText(fromLsmod: """
            Module                  Size  Used by
            vhost_net              36864  1
            kvm_intel             413696  4
            kvm                  1347584  1 kvm_intel
            llc                    16384  2 bridge,stp
            """)
        #expect(text == """
            vhost_net 36864 1 - Live 0x0000000000000000
            kvm_intel 413696 4 - Live 0x0000000000000000
            kvm 1347584 1 kvm_intel, Live 0x0000000000000000
            llc 16384 2 bridge,stp, Live 0x0000000000000000

            """)
        let modules = try KernelModules.parseProcModules(text)
        #expect(modules.map(\.name) == ["vhost_net", "kvm_intel", "kvm", "llc"])
        #expect(modules[2].usedBy == ["kvm_intel"])

        #expect(SosReport.procModulesText(fromLsmod: "").isEmpty)
        #expect(SosReport.procModulesText(fromLsmod: "Module Size Used by\n").isEmpty)
        #expect(SosReport.procModulesText(fromLsmod: Self.garbage).isEmpty)
        let hostile = SosReport.procModulesText(fromLsmod: """
            kvm \(Self.huge) 0
            kvm_intel 413696 \(Self.huge)
            kvm -1 0
            ../../etc/shadow 16384 0
            net/evil 16384 0
            truncated 16384
            kvm_amd
            """)
        #expect(hostile.isEmpty, "\(hostile)")
        // Whatever lines survive, the one /proc/modules parser must take the whole text.
        let mixed = SosReport.procModulesText(fromLsmod: "kvm 1347584 1 kvm_intel\nkvm -1 -1\nirqbypass 16384 -2 kvm\n")
        #expect(throws: Never.self) { try KernelModules.parseProcModules(mixed) }
    }

    @Test func ps() {
        let processes = SosReport.parsePS("""
            USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
            root           1  0.0  0.1 174788 17420 ?        Ss   10:21   0:03 /usr/lib/systemd/systemd --switched-root --system --deserialize 31
            root           2  0.0  0.0      0     0 ?        S    10:21   0:00 [kthreadd]
            root          11  0.0  0.0      0     0 ?        I    10:21   0:00 [kworker/0:1-events]
            root        1190  0.0  0.1  19180 11364 ?        Ss   10:21   0:00 sshd: admin [priv]
            root        1402  0.1  0.4 1573332 36216 ?       Ssl  10:21   0:12 /usr/sbin/libvirtd --timeout 120
            qemu        2210  3.2 12.5 5271520 4121088 ?     Sl   10:22   9:41 /usr/libexec/qemu-kvm -name guest=web01,debug-threads=on -S
            root        3001  0.0  0.0   8000  1000 ?        S    10:22   0:00 /opt/tools/averyveryverylongprogramname --flag
            """)
        #expect(processes == [
            .init(pid: 1, comm: "systemd"), .init(pid: 2, comm: "kthreadd"), .init(pid: 1190, comm: "sshd"),
            .init(pid: 1402, comm: "libvirtd"), .init(pid: 2210, comm: "qemu-kvm"), .init(pid: 3001, comm: "averyveryverylo"),
        ])

        #expect(SosReport.parsePS("").isEmpty)
        #expect(SosReport.parsePS(PSHeader.line).isEmpty, "a header alone")
        #expect(SosReport.parsePS(Self.garbage).isEmpty)
        let hostile = SosReport.parsePS(PSHeader.line + """
            root \(Self.huge) 0.0 0.0 1 1 ? S 10:21 0:00 /usr/sbin/libvirtd
            root 0 0.0 0.0 1 1 ? S 10:21 0:00 /usr/sbin/libvirtd
            root -5 0.0 0.0 1 1 ? S 10:21 0:00 /usr/sbin/libvirtd
            root 1073741824 0.0 0.0 1 1 ? S 10:21 0:00 /usr/sbin/libvirtd
            root 77 0.0 0.0 1 1 ? S 10:21
            root 78 0.0 0.0 1 1 ? S 10:21 0:00 /
            root 79 0.0 0.0 1 1 ? S 10:21 0:00 [../../etc]
            root 80 0.0 0.0 1 1 ? S 10:21 0:00 [unclosed
            """)
        // Only the unclosed bracket keeps a name (the program as written); nothing names a path.
        #expect(hostile.allSatisfy { !$0.comm.contains("/") && $0.pid == 80 }, "\(hostile)")
        // A name cut inside a multi-byte character still gives a string, not a trap.
        let cut = SosReport.parsePS(PSHeader.line + "root 90 0.0 0.0 1 1 ? S 10:21 0:00 /usr/bin/\(String(repeating: "é", count: 20))\n")
        #expect(cut.count == 1)
    }

    enum PSHeader {
        static let line = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
    }

    @Test func deviceListing() throws {
        let entries = SosReport.parseDeviceListing("""
            /dev:
            total 0
            drwxr-xr-x. 19 0  0      3280 Dec  1 09:14 .
            dr-xr-xr-x. 18 0  0       235 Nov 28 16:02 ..
            drwxr-xr-x.  2 0  0       160 Dec  1 09:14 block
            lrwxrwxrwx.  1 0  0        13 Dec  1 09:14 fd -> /proc/self/fd
            crw-rw-rw-.  1 0 36   10, 232 Dec  1 09:14 kvm
            brw-rw----.  1 0  6  253,0 Dec  1 09:14 dm-0
            crw-rw-rw-   1 0  0    1,   3 Dec  1 09:14 null
            prw-------   1 0  0         0 Dec  1 09:14 initctl
            crw-rw-rw-   1 0  0    1,   3 Dec  1 09:14 name with spaces

            /dev/net:
            total 0
            crw-rw-rw-.  1 0 0 10, 200 Dec  1 09:14 tun
            """)
        #expect(entries.map(\.path) == ["/dev/block", "/dev/kvm", "/dev/dm-0", "/dev/null", "/dev/name with spaces", "/dev/net/tun"])
        let kvm = try #require(entries.first { $0.path == "/dev/kvm" })
        #expect(kvm == .init(path: "/dev/kvm", kind: .charDevice, mode: "0666", uid: 0, gid: 36, major: 10, minor: 232))
        #expect(entries.first { $0.path == "/dev/dm-0" }?.kind == .blockDevice)
        #expect(entries.first { $0.path == "/dev/dm-0" }?.major == 253)
        #expect(entries.first { $0.path == "/dev/block" }?.kind == .directory)

        #expect(SosReport.parseDeviceListing("").isEmpty)
        #expect(SosReport.parseDeviceListing(Self.garbage).isEmpty)
        let line = "crw-rw-rw-. 1 0 36 10, 232 Dec  1 09:14 kvm"
        // Entries before any header, under headers outside /dev or climbing out of it, are dropped.
        for header in ["", "/etc:", "/dev/../etc:", "/dev/../../proc/sys:", "/devices:", "/dev2:", "/dev/./x/../..:", "dev:"] {
            let found = SosReport.parseDeviceListing(header + "\n" + line + "\n")
            #expect(found.isEmpty, "under '\(header)': \(found)")
        }
        let hostile = SosReport.parseDeviceListing("""
            /dev:
            crw-rw-rw-. 1 0 36 10, 232 Dec  1 09:14 ../etc/shadow
            crw-rw-rw-. 1 0 36 10, 232 Dec  1 09:14 net/tun
            crw-rw-rw-. 1 0 36 10, 232 Dec  1 09:14 ..
            crw-rw-rw-. 1 0 36 \(Self.huge), 232 Dec  1 09:14 big
            crw-rw-rw-. 1 0 36 10, \(Self.huge) Dec  1 09:14 big
            crw-rw-rw-. 1 \(Self.huge) 36 10, 232 Dec  1 09:14 big
            crw-rw-rw-. 1 0 -1 10, 232 Dec  1 09:14 big
            crw-rw-rw-. 1 0 36 10, 232
            crw-rw-rw-. 1 0 36 10,
            crw-rw-rw-. 1 0 36 10 232 Dec 1 09:14 nocomma
            crw-rw-rw-. 1 0 36 10,232,7 Dec 1 09:14 threeparts
            crwxrwxrwz 1 0 36 10, 232 Dec 1 09:14 badmode
            crw 1 0 36 10, 232 Dec 1 09:14 shortmode
            """)
        #expect(hostile.isEmpty, "\(hostile)")
        // Headers are normalised, doubled slashes and all.
        #expect(SosReport.parseDeviceListing("/dev//net/:\n" + line + "\n").map(\.path) == ["/dev/net/kvm"])
    }

    @Test func modeBits() {
        #expect(SosReport.modeBits("crw-rw-rw-") == "0666")
        #expect(SosReport.modeBits("crw-rw----.") == "0660")
        #expect(SosReport.modeBits("drwxr-xr-x+") == "0755")
        #expect(SosReport.modeBits("drwxrwxrwt") == "01777")
        #expect(SosReport.modeBits("drwxrwxrwT") == "01776")
        #expect(SosReport.modeBits("-rwsr-xr-x") == "04755")
        #expect(SosReport.modeBits("-rwSr--r--") == "04644")
        #expect(SosReport.modeBits("-rwxr-sr-x") == "02755")
        #expect(SosReport.modeBits("----------") == "00")
        #expect(SosReport.modeBits("") == nil)
        #expect(SosReport.modeBits("crw") == nil)
        #expect(SosReport.modeBits("crwxrwxrwz") == nil)
        #expect(SosReport.modeBits("xxxxxxxxxx") == nil)
        #expect(SosReport.modeBits("\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}") == nil)
        // Set-id letters belong to the user and group columns, sticky ones to the last.
        #expect(SosReport.modeBits("-rwtr-xr-x") == nil)
        #expect(SosReport.modeBits("-rwxr-xr-s") == nil)
        #expect(SosReport.modeBits("-rwxr-Tr-x") == nil)
    }

    @Test func sestatus() {
        #expect(SosReport.parseSestatusMode("SELinux status:                 enabled\nCurrent mode:                   enforcing\n") == "enforcing")
        #expect(SosReport.parseSestatusMode("Current mode: permissive") == "permissive")
        #expect(SosReport.parseSestatusMode("SELinux status:                 disabled\n") == nil)
        #expect(SosReport.parseSestatusMode("Current mode: enforcing; setenforce 0") == nil)
        #expect(SosReport.parseSestatusMode("Current mode:") == nil)
        #expect(SosReport.parseSestatusMode(Self.garbage) == nil)
        #expect(SosReport.parseSestatusMode("") == nil)
    }

    @Test func date() throws {
        let date = try #require(SosReport.parseDate("Tue Dec  1 09:30:12 UTC 2026\n"))
        #expect(date == Date(timeIntervalSince1970: 1_796_117_412))
        #expect(SosReport.parseDate("Thu Jan  1 00:00:00 GMT 1970") == Date(timeIntervalSince1970: 0))
        #expect(SosReport.parseDate("Tue Dec  1 09:30:12 CET 2026") == nil, "a zone whose offset is not stated")
        #expect(SosReport.parseDate("Tue Dec  1 09:30:12 2026") == nil)
        #expect(SosReport.parseDate("Tue Foo  1 09:30:12 UTC 2026") == nil)
        #expect(SosReport.parseDate("Tue Dec 32 09:30:12 UTC 2026") == nil)
        #expect(SosReport.parseDate("Tue Feb 31 09:30:12 UTC 2026") == nil, "no such day")
        #expect(SosReport.parseDate("Tue Dec  1 24:00:00 UTC 2026") == nil)
        #expect(SosReport.parseDate("Tue Dec  1 09:30 UTC 2026") == nil)
        #expect(SosReport.parseDate("Tue Dec  1 09:30:12 UTC \(Self.huge)") == nil)
        #expect(SosReport.parseDate("Tue Dec \(Self.huge) 09:30:12 UTC 2026") == nil)
        #expect(SosReport.parseDate("Tue Dec  1 -1:30:12 UTC 2026") == nil)
        #expect(SosReport.parseDate(Self.garbage) == nil)
        #expect(SosReport.parseDate("") == nil)
    }
}

/// The fixture reports opened as roots: what the header says about them and what their outputs answer.
@Suite struct SosReportRootTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var name: String
        var hostname: String?
        var collectedAt: Date
        var devListed: Bool
        var collector = "sos 4.5.6"
        var testDescription: String { name }
    }

    static let expected: [Expected] = [
        .init(name: "kvm-host-healthy", hostname: "kvmhost01.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_117_412), devListed: true),
        .init(name: "bios-disabled", hostname: "hv-blade07.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_118_115), devListed: true),
        .init(name: "rhev-guest", hostname: "app-vm12.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_112_160), devListed: true),
        .init(name: "no-dev-listing", hostname: "kvmhost02.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_119_500), devListed: false),
        .init(name: "pvm-host", hostname: "pvm-runner-3", collectedAt: Date(timeIntervalSince1970: 1_796_126_400), devListed: true, collector: "sos 4.0"),
        // The hostname output is a link out of the root: the name comes from uname -a instead.
        .init(name: "sos-symlink-escape", hostname: "escape-test.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_122_800), devListed: true),
        // The migration pair (make-roots-migr.py): no block plugin, so /dev was never listed.
        .init(name: "migr-src", hostname: "kvm-a", collectedAt: Date(timeIntervalSince1970: 1_794_819_600), devListed: false),
        .init(name: "migr-dst-ready", hostname: "kvm-b", collectedAt: Date(timeIntervalSince1970: 1_794_819_600), devListed: false),
        .init(name: "migr-dst-oldcpu", hostname: "kvm-d", collectedAt: Date(timeIntervalSince1970: 1_794_819_600), devListed: false),
        // issue 13: vhv — an AMD SEV-SNP host on cgroup v2 (make-roots-i13-vhv.py).
        .init(name: "vhv-amd-sev-host", hostname: "sevhost01.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_119_200), devListed: true),
        // issue 13: hit-b (make-roots-i13-hit-b.py)
        .init(name: "hb-sos-docker-vbox-apparmor", hostname: "kvm02", collectedAt: Date(timeIntervalSince1970: 1_763_460_131), devListed: false, collector: "sos 4.7.2"),
        // issue 13: hit-a (make-roots-i13-hit-a.py): an emulated, tainted guest.
        .init(name: "ha-sos-emulated", hostname: "hasos01.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_117_412), devListed: true),
        .init(name: "ha-sos-caps-qemu-only", hostname: "hasos02.example.com", collectedAt: Date(timeIntervalSince1970: 1_796_117_412), devListed: true),
    ]

    @Test func everyFixtureIsDescribedHere() {
        #expect(Paths.sosFixtureNames.sorted() == Self.expected.map(\.name).sorted())
    }

    @Test(arguments: expected)
    func openedAsASosReport(_ expected: Expected) throws {
        let directory = try HostRoot(directory: Paths.sosFixture(expected.name))
        #expect(SosReport.isSosReport(directory))
        let root = try EvidenceOpening.open(directory: Paths.sosFixture(expected.name))
        let evidence = root.evidence
        #expect(evidence.kind == .sosReport)
        #expect(evidence.collector == expected.collector)
        #expect(evidence.hostname == expected.hostname)
        #expect(evidence.collectedAt == expected.collectedAt)
        #expect(evidence.lacking.contains("dev") == !expected.devListed, "\(evidence.lacking)")
        #expect(evidence.lacking.contains("device-probe"))
        #expect(evidence.isUncaptured("/dev/kvm") == !expected.devListed)
    }

    @Test func plainRootsAreNotSosReports() throws {
        #expect(!SosReport.isSosReport(try HostRoot(directory: Paths.fixtureRoot("kvm-intel-host-ready"))))
        let scratch = ScratchRoot()
        scratch.write("sos_commands", "a file, not the folder\n")
        scratch.write("version.txt", "sosreport: 4.5.6\n")
        #expect(!SosReport.isSosReport(scratch.root))
    }

    @Test func healthyHostAnswersTheLiveFiles() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("kvm-host-healthy"))
        let store = FactStore(root: root)
        #expect(try store.get(Facts.kernelRelease) == "5.14.0-362.8.1.el9_3.x86_64")
        #expect(try store.get(Facts.machine) == "x86_64")
        #expect(try store.get(Facts.hostname) == "kvmhost01.example.com")
        #expect(try store.get(Facts.sysctl("net.ipv4.ip_forward")) == "1")
        let modules = try store.get(Facts.kernelModules)
        for name in ["kvm_intel", "kvm", "vhost_net"] { #expect(modules.isPresent(name), "\(name)") }
        #expect(try store.get(Facts.processes).names.contains("libvirtd"))
        let kvm = try store.get(Facts.kvmDevice)
        #expect(kvm.kind == .charDevice && kvm.mode == "0666" && kvm.group == 36 && kvm.major == 10 && kvm.minor == 232)
        #expect(try store.get(Facts.selinux).runtimeMode == "enforcing")
        #expect(root.evidence.derived.contains { $0.contains("sos_commands/block/ls_-lanR_.dev") })
    }

    @Test func kernelLogIsReadFromTheDmesgOutput() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("bios-disabled"))
        let log = try FactStore(root: root).get(Facts.kernelLog)
        #expect(!log.contains("disabled by bios").isEmpty, "\(log.lines)")
        #expect(!(try FactStore(root: root).get(Facts.kernelModules)).isPresent("kvm_intel"))
    }

    @Test func withoutTheListingTheKVMDeviceIsNotCaptured() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("no-dev-listing"))
        let result = FactStore(root: root).sourced(Facts.kvmDevice)
        guard case .failure(let error) = result else {
            Issue.record("/dev/kvm answered from a report that never listed /dev: \(result)")
            return
        }
        #expect("\(error)".contains("not captured") || "\(error)".lowercased().contains("notcaptured"), "\(error)")
    }

    @Test func packagesAndUnitsAreReadFromTheirOutputs() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("kvm-host-healthy"))
        let store = FactStore(root: root)
        let packages = try store.sourced(Facts.packages).get()
        #expect(packages.value.format == .rpm)
        #expect(packages.sources == ["/installed-rpms"])
        #expect(packages.value.packages.count == 11)
        #expect(packages.value.versions(of: "qemu-kvm") == ["8.0.0-16.el9_3"])
        #expect(packages.value.versions(of: "libvirt-daemon-kvm") == ["9.5.0-7.el9_3"])
        #expect(packages.value.packages.first { $0.name == "gpg-pubkey" }?.architecture == nil)
        #expect(packages.value.packages.first { $0.name == "tzdata" }?.architecture == "noarch")

        let units = try store.sourced(Facts.serviceUnits).get()
        #expect(units.sources == ["/sos_commands/systemd/systemctl_list-units"])
        #expect(units.value.units.count == 8, "the legend after the table is not a unit")
        for name in ["chronyd.service", "libvirtd.service", "virtlogd.socket"] { #expect(units.value.isActive(name), "\(name)") }
        #expect(units.value.units.first { $0.name == "kdump.service" }?.active == "failed")
        #expect(root.evidence.derived.contains("installed packages from installed-rpms"), "\(root.evidence.derived)")
        #expect(root.evidence.derived.contains("systemd units from sos_commands/systemd/systemctl_list-units"), "\(root.evidence.derived)")

        // The process list is there: time.sync keeps reading it, not the units.
        let sync = try store.sourced(Facts.timeSync).get()
        #expect(sync.value.running == ["chronyd"])
        #expect(sync.value.runningSource == nil)
        #expect(!sync.sources.contains { $0.contains("systemctl") })
    }

    @Test func debianReportListsItsInstalledDebs() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("pvm-host"))
        let store = FactStore(root: root)
        let packages = try store.sourced(Facts.packages).get()
        #expect(packages.value.format == .dpkg)
        #expect(packages.sources == ["/sos_commands/dpkg/dpkg_-l"])
        #expect(packages.value.packages.map(\.name) == ["bash", "libc6", "libvirt0", "qemu-system-x86", "tzdata"], "ii and hi rows only")
        #expect(packages.value.versions(of: "libvirt0") == ["9.0.0-4"])
        #expect(!packages.value.isInstalled("ntp"), "removed, configuration kept")
        #expect(root.evidence.derived.contains("installed packages from sos_commands/dpkg/dpkg_-l"), "\(root.evidence.derived)")
    }

    @Test func reportWithoutTheListsLeavesThemUnknown() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("bios-disabled"))
        let store = FactStore(root: root)
        for result in [store.sourced(Facts.packages).map { _ in () }, store.sourced(Facts.serviceUnits).map { _ in () }] {
            guard case .failure(let error) = result else {
                Issue.record("answered from a report that holds no such output")
                continue
            }
            #expect(error.isUnknownFromEvidence, "\(error)")
        }
        #expect(!root.evidence.derived.contains { $0.contains("packages") || $0.contains("units") })
    }

    @Test func installedDebsAtTheTopIsRead() throws {
        let report = ScratchRoot()
        report.write("version.txt", "sosreport: 4.5.6\n")
        report.write("sos_commands/dpkg/.keep", "")
        report.write("installed-debs", "||/ Name Version Architecture Description\nii  libvirt0:amd64  9.0.0-4  amd64  libvirt library\n")
        let packages = try FactStore(root: try EvidenceOpening.open(directory: report.path)).sourced(Facts.packages).get()
        #expect(packages.sources == ["/installed-debs"])
        #expect(packages.value.versions(of: "libvirt0") == ["9.0.0-4"])
    }

    @Test func brokenPackageListIsAnErrorNotAnEmptyList() throws {
        let report = ScratchRoot()
        report.write("version.txt", "sosreport: 4.5.6\n")
        report.write("sos_commands/rpm/.keep", "")
        report.write("installed-rpms", bytes: [0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 2, 0xFF, 0xFE])
        let result = FactStore(root: try EvidenceOpening.open(directory: report.path)).sourced(Facts.packages)
        guard case .failure(.unparsable(let source, _)) = result else {
            Issue.record("binary installed-rpms gave \(result)")
            return
        }
        #expect(source == "/installed-rpms")
    }

    /// A report whose process plugin did not run: the time services come from the active units.
    func timeSyncWithoutProcesses(units: String) throws -> Result<Sourced<TimeSync>, FactError> {
        let report = ScratchRoot()
        report.write("version.txt", "sosreport: 4.5.6\n")
        report.write("sos_commands/systemd/systemctl_list-units", units)
        let root = try EvidenceOpening.open(directory: report.path)
        #expect(root.evidence.kind == .sosReport)
        return FactStore(root: root).sourced(Facts.timeSync)
    }

    @Test func activeTimeUnitCountsAsRunningWithoutAProcessList() throws {
        let sync = try timeSyncWithoutProcesses(units: """
              UNIT              LOAD   ACTIVE SUB     DESCRIPTION
              chrony.service    loaded active running chrony, an NTP client/server
              ntp.service       loaded failed failed  Network Time Service
              sshd.service      loaded active running OpenSSH server daemon

            3 loaded units listed.
            """).get()
        #expect(sync.value.running == ["chronyd"])
        #expect(sync.value.processesUnknown == true)
        #expect(sync.value.runningSource == "systemctl list-units (/sos_commands/systemd/systemctl_list-units)")
        #expect(sync.sources.contains("systemctl list-units (/sos_commands/systemd/systemctl_list-units)"), "\(sync.sources)")
        for unit in ["chronyd.service", "ntpd.service", "systemd-timesyncd.service"] {
            let other = try timeSyncWithoutProcesses(units: "\(unit) loaded active running time\n").get()
            #expect(other.value.running.count == 1, "\(unit): \(other.value)")
        }
    }

    @Test func inactiveTimeUnitsLeaveTheProcessListUnknown() throws {
        // No active time unit: as before, the missing process list is the answer, not "nothing runs".
        for units in ["chronyd.service loaded inactive dead NTP\nsshd.service loaded active running SSH\n", "not a unit table\n"] {
            let result = try timeSyncWithoutProcesses(units: units)
            guard case .failure(let error) = result else {
                Issue.record("\(units.debugDescription) gave \(result)")
                continue
            }
            #expect(error.isUnknownFromEvidence, "\(error)")
        }
    }

    /// Reads every fact the fuzz target reads, as text, for looking for what must not be there.
    static func factsText(_ root: HostRoot) -> String {
        let store = FactStore(root: root)
        var text = "\(root.evidence)"
        text += "\(store.sourced(Facts.kernelRelease))\(store.sourced(Facts.hostname))\(store.sourced(Facts.kernelModules))"
        text += "\(store.sourced(Facts.processes))\(store.sourced(Facts.kvmDevice))\(store.sourced(Facts.sysctl("net.ipv4.ip_forward")))"
        text += "\(store.sourced(Facts.sysctl("kernel.outside_marker")))\(store.sourced(Facts.selinux))\(store.sourced(Facts.kernelLog))"
        return text
    }

    @Test func committedLinksOutOfTheRootAreNeverFollowed() throws {
        let root = try EvidenceOpening.open(directory: Paths.sosFixture("sos-symlink-escape"))
        // The links resolve on the host: the test is only meaningful if the outside files are there.
        let outside = try String(contentsOfFile: Paths.sosFixture("sos-symlink-escape") + "/sos_commands/host/hostname", encoding: .utf8)
        #expect(outside.contains("outside-marker-5c1e"))
        let text = Self.factsText(root)
        #expect(!text.lowercased().contains("outside-marker-5c1e"), "\(text)")
        #expect(!text.contains("outside_marker_5c1e"))
        // Not the linked hostname file's marker: the name uname -a gives.
        #expect(root.evidence.hostname == "escape-test.example.com")
    }

    /// Absolute links and links climbing many levels, made here: committed, the fuzz seed walk (which
    /// follows links on the host) would read /etc/shadow.
    @Test func linksToHostFilesAreResolvedInsideTheReport() throws {
        let outside = ScratchRoot()
        outside.write("secret", "hostname-SECRET-9d2b\nnet.ipv4.ip_forward = 7\nCurrent mode: permissive\n")
        let report = ScratchRoot()
        report.write("version.txt", "sosreport: 4.5.6\n")
        report.link("sos_commands/host/hostname", to: outside.path + "/secret")
        report.link("sos_commands/kernel/sysctl_-a", to: String(repeating: "../", count: 30) + String(outside.path.dropFirst()) + "/secret")
        report.link("sos_commands/kernel/lsmod", to: "/etc/shadow")
        report.link("sos_commands/kernel/dmesg", to: "/proc/self/environ")
        report.link("sos_commands/selinux/sestatus", to: "../../../" + URL(fileURLWithPath: outside.path).lastPathComponent + "/secret")
        report.link("sos_commands/process/ps_auxwww", to: "/dev/zero")
        report.link("sos_commands/block/ls_-lanR_.dev", to: "ls_-lanR_.dev")  // a loop
        let root = try EvidenceOpening.open(directory: report.path)
        #expect(root.evidence.kind == .sosReport)
        let text = Self.factsText(root)
        #expect(!text.contains("SECRET-9d2b"), "\(text)")
        if let shadow = try? String(contentsOfFile: "/etc/shadow", encoding: .utf8), let first = shadow.split(separator: "\n").first {
            #expect(!text.contains(String(first)), "/etc/shadow read through the report")
        }
        #expect(!text.contains("PATH="), "/proc/self/environ read through the report")
        #expect(root.evidence.hostname == nil)
        let forward = try? FactStore(root: root).get(Facts.sysctl("net.ipv4.ip_forward"))
        #expect(forward != "7")
    }
}
