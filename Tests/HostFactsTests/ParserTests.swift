import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

@Suite struct KernelModulesTests {
    @Test func parsesTheDocumentedSample() throws {
        let modules = try KernelModules.parseProcModules("""
            kvm_intel 286720 0 - Live 0x0000000000000000
            kvm 1146880 1 kvm_intel, Live 0x0000000000000000

            """)
        #expect(modules.map(\.name) == ["kvm_intel", "kvm"])
        #expect(modules[1].usedBy == ["kvm_intel"])
        #expect(modules[0].usedBy.isEmpty)
    }

    @Test func emptyListIsValidButGarbageIsNot() throws {
        #expect(try KernelModules.parseProcModules("").isEmpty)
        #expect(throws: FactError.self) { try KernelModules.parseProcModules("kvm lots of memory\n") }
        #expect(throws: FactError.self) { try KernelModules.parseProcModules("\u{0}\u{1}\u{2}") }
    }

    @Test func builtInModulesCountAsPresent() throws {
        let scratch = ScratchRoot()
        scratch.write("sys/module/kvm/parameters/halt_poll_ns", "0\n")
        scratch.write("sys/module/kvm_pvm/parameters/pvm_native", "0\n")
        scratch.write("sys/module/loop/initstate", "live\n")
        // /proc was captured (it holds cpuinfo) and has no modules file: the kernel cannot load modules.
        scratch.write("proc/cpuinfo", "processor\t: 0\n")
        let modules = try FactStore(root: scratch.root).get(Facts.kernelModules)
        #expect(!modules.loadableModulesSupported)
        #expect(modules.isPresent("kvm") && modules.isPresent("kvm-pvm"))
        #expect(!modules.isPresent("loop"), "a module with initstate is loadable, not built in, and absent from /proc/modules here")
    }
}

@Suite struct SysctlTests {
    @Test func laterFilesWinAndSlashesAreDots() {
        var settings: [String: PersistedSysctls.Setting] = [:]
        PersistedSysctls.parse("# comment\nnet.ipv4.ip_forward = 0\n; other comment\n", file: "/etc/sysctl.d/10-a.conf", into: &settings)
        PersistedSysctls.parse("-net/ipv4/ip_forward=1\ngarbage line\n", file: "/etc/sysctl.conf", into: &settings)
        #expect(settings["net.ipv4.ip_forward"] == PersistedSysctls.Setting(value: "1", file: "/etc/sysctl.conf", line: 1))
        #expect(settings.count == 1)
    }

    @Test func etcHidesUsrLibOfTheSameName() throws {
        let scratch = ScratchRoot()
        scratch.write("usr/lib/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 0\n")
        scratch.write("etc/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 1\n")
        let persisted = try FactStore(root: scratch.root).get(Facts.persistedSysctls)
        #expect(persisted.settings["net.ipv4.ip_forward"]?.value == "1")
        #expect(persisted.filesRead == ["/etc/sysctl.d/50-default.conf"])
    }
}

@Suite struct OSReleaseTests {
    @Test func parsesQuotedValues() throws {
        let release = try OSRelease.parse("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
        #expect(release.prettyName == "Debian GNU/Linux 12 (bookworm)")
        #expect(release.versionID == "12")
        #expect(throws: FactError.self) { try OSRelease.parse("no equals signs here\n") }
    }

    @Test func readsRedHatRelease() {
        let release = OSRelease.fromRedHatRelease("CentOS release 5.4 (Final)\n")
        #expect(release.versionID == "5.4")
    }
}

@Suite struct BootConfigTests {
    static let legacy = """
        default=1
        title Fedora (2.6.23.14-107.fc8xen)
            root (hd0,0)
            kernel /xen.gz-2.6.23.14-107.fc8
            module /vmlinuz-2.6.23.14-107.fc8xen ro root=/dev/VolGroup00/LogVol00
            module /initrd-2.6.23.14-107.fc8xen.img
        title Fedora (2.6.23.14-107.fc8)
            root (hd0,0)
            kernel /vmlinuz-2.6.23.14-107.fc8 ro root=/dev/VolGroup00/LogVol00
            initrd /initrd-2.6.23.14-107.fc8.img
        """

    @Test func legacyDefaultCountsTitlesFromZero() throws {
        let config = try BootConfig.parseLegacy(Self.legacy, file: "/boot/grub/grub.conf")
        #expect(config.entries.count == 2)
        #expect(config.entries[0].hypervisor == "xen")
        #expect(config.entries[0].kernel == "/vmlinuz-2.6.23.14-107.fc8xen")
        #expect(config.entries[0].initrd == ["/initrd-2.6.23.14-107.fc8xen.img"])
        #expect(config.defaultEntry?.title == "Fedora (2.6.23.14-107.fc8)")
        #expect(config.defaultEntry?.hypervisor == "linux")
    }

    @Test func legacyDefaultOutOfRangeFallsBackToFirst() throws {
        let config = try BootConfig.parseLegacy(Self.legacy.replacingOccurrences(of: "default=1", with: "default=7"), file: "grub.conf")
        #expect(config.defaultEntry?.title == "Fedora (2.6.23.14-107.fc8xen)")
        #expect(config.defaultResolution.contains("only 2 entries"))
    }

    @Test func grub2SavedEntryInsideASubmenu() throws {
        let cfg = """
            set default="${saved_entry}"
            menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-1234' {
                linux /boot/vmlinuz-6.1.0-26-amd64 root=UUID=1234 ro quiet
                initrd /boot/initrd.img-6.1.0-26-amd64
            }
            submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-1234' {
                menuentry 'Debian GNU/Linux, with Xen hypervisor' --class xen $menuentry_id_option 'xen-gnulinux-simple-1234' {
                    multiboot2 /boot/xen-4.17-amd64.gz placeholder dom0_mem=4096M,max:4096M
                    module2 /boot/vmlinuz-6.1.0-26-amd64 placeholder root=UUID=1234 ro quiet
                    module2 --nounzip /boot/initrd.img-6.1.0-26-amd64
                }
            }
            """
        let config = try BootConfig.parseGrub2(cfg, file: "/boot/grub/grub.cfg",
                                               savedEntry: "Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Xen hypervisor")
        #expect(config.entries.count == 2)
        #expect(config.defaultEntry?.hypervisor == "xen")
        #expect(config.defaultEntry?.kernel == "/boot/vmlinuz-6.1.0-26-amd64")
        #expect(config.defaultEntry?.initrd == ["/boot/initrd.img-6.1.0-26-amd64"])
        let plain = try BootConfig.parseGrub2(cfg, file: "/boot/grub/grub.cfg", savedEntry: nil)
        #expect(plain.defaultEntry?.title == "Debian GNU/Linux")
        let byIndex = try BootConfig.parseGrub2(cfg.replacingOccurrences(of: "${saved_entry}", with: "1>0"), file: "g", savedEntry: nil)
        #expect(byIndex.defaultEntry?.hypervisor == "xen")
    }

    @Test func blsEntriesNeedAKernel() throws {
        let entry = try BootConfig.parseBLSEntry("title Fedora\nlinux /vmlinuz-6.5\ninitrd /initramfs-6.5.img\noptions ro\n", id: "abc-6.5", file: "x.conf")
        #expect(entry.kernel == "/vmlinuz-6.5" && entry.initrd == ["/initramfs-6.5.img"])
        #expect(throws: FactError.self) { try BootConfig.parseBLSEntry("title only\n", id: "x", file: "x.conf") }
    }

    @Test func brokenConfigsAreErrors() {
        #expect(throws: FactError.self) { try BootConfig.parseLegacy("timeout=5\n", file: "grub.conf") }
        #expect(throws: FactError.self) { try BootConfig.parseGrub2("set timeout=5\n", file: "grub.cfg", savedEntry: nil) }
        #expect(throws: FactError.self) { try BootConfig.parseGrub2("", file: "grub.cfg", savedEntry: nil) }
    }

    @Test func fixtureRootResolvesBLSThroughGrubenv() throws {
        let config = try FactStore(root: HostRoot(directory: Paths.fixtureRoot("kvm-intel-host-ready"))).get(Facts.bootConfig)
        #expect(config.loader == "grub2-bls")
        #expect(config.defaultEntry?.kernel == "/vmlinuz-5.14.0-284.30.1.el9_2.x86_64")
        #expect(config.etcDefaultGrub == "saved")
    }
}

@Suite struct LibvirtXMLTests {
    static let network = """
        <network>
          <name>default</name>
          <forward mode='nat'/>
          <bridge name='virbr0' stp='on' delay='0'/>
          <ip address='192.168.122.1' netmask='255.255.255.0'>
            <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
          </ip>
        </network>
        """

    @Test func parsesTheDocumentedNetwork() throws {
        let network = try LibvirtNetwork.parse(Self.network, file: "default.xml")
        #expect(network.name == "default" && network.forwardMode == "nat" && network.bridge == "virbr0")
        #expect(network.needsIPForwarding)
        let bare = try LibvirtNetwork.parse("<network><name>n</name><forward/></network>", file: "n.xml")
        #expect(bare.forwardMode == "nat", "<forward/> without a mode means nat")
        let isolated = try LibvirtNetwork.parse("<network><name>i</name></network>", file: "i.xml")
        #expect(!isolated.needsIPForwarding)
    }

    @Test func parsesDomainsWithCommentsAndEntities() throws {
        let domain = try LibvirtDomain.parse("""
            <?xml version="1.0"?>
            <!-- generated -->
            <domain type='kvm'>
              <name>a &amp; b</name>
              <devices>
                <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
                <interface type='network'><source network='default'/><model type='virtio'/></interface>
              </devices>
            </domain>
            """, file: "a.xml")
        #expect(domain.name == "a & b" && domain.type == "kvm")
        #expect(domain.disks.first?.source == "/var/lib/libvirt/images/a.qcow2")
        #expect(domain.interfaces.first?.source == "default")
    }

    @Test(arguments: [
        "", "<network>", "<network><name>x</name>", "<network><name>x</nam></network>", "<a b=c/>",
        "<network><name>x</name></network><extra/>", "\u{0}\u{0}binary", "<domain><name>x</name></domain>",
    ])
    func brokenXMLIsAnErrorNotACrash(_ text: String) {
        #expect(throws: FactError.self) { try LibvirtNetwork.parse(text, file: "bad.xml") }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "<a>", count: 500) + String(repeating: "</a>", count: 500)
        #expect(throws: FactError.self) { try XMLElement.parse(deep, source: "deep.xml") }
    }
}

@Suite struct KernelLogTests {
    @Test func keepsOnlyInterestingLinesAndStripsKmsgPrefixes() {
        var log = KernelLog(sources: [], lines: [], linesScanned: 0)
        KernelLog.scan("6,339,5140900,-;kvm: disabled by bios\n6,340,5140901,-;usb 1-1: new device\n[ 1.0] clocksource: Switched to clocksource tsc\n",
                       source: "/dev/kmsg", into: &log)
        #expect(log.lines == ["kvm: disabled by bios", "[ 1.0] clocksource: Switched to clocksource tsc"])
        #expect(log.linesScanned == 3)
        #expect(log.contains("DISABLED BY BIOS").count == 1)
    }

    @Test func unreadableLogIsPermissionDenied() {
        let scratch = ScratchRoot()
        scratch.write("var/log/dmesg", "kvm: disabled by bios\n")
        scratch.write(".meta.yaml", "files:\n  /var/log/dmesg: { unreadable: true }\n")
        #expect(throws: FactError.permissionDenied("/var/log/dmesg")) { try FactStore(root: scratch.root).get(Facts.kernelLog) }
    }
}

@Suite struct KVMProbeTests {
    @Test func recordedAnswersParse() throws {
        let probe = try KVMAPIProbe.parseRecorded("api_version=12\nKVM_CAP_MAX_VCPUS=1024\n")
        #expect(probe.usable && probe.capabilities["KVM_CAP_MAX_VCPUS"] == 1024)
        let denied = try KVMAPIProbe.parseRecorded("error=open: Permission denied\n")
        #expect(!denied.usable)
        #expect(throws: FactError.self) { try KVMAPIProbe.parseRecorded("api_version=twelve\n") }
        #expect(throws: FactError.self) { try KVMAPIProbe.parseRecorded("nothing useful\n") }
    }

    /// Live: only where this machine has /dev/kvm. On the CI machine it works through kvm_pvm.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/kvm"), "this machine has no /dev/kvm"))
    func liveProbeAnswersOrSaysWhy() throws {
        let probe = try FactStore(root: .live).get(Facts.kvmAPI)
        if let failure = probe.failure {
            #expect(failure.hasPrefix("open:") || failure.hasPrefix("KVM_GET_API_VERSION:"))
        } else {
            #expect(probe.apiVersion == 12)
            #expect((probe.capabilities["KVM_CAP_USER_MEMORY"] ?? 0) > 0)
        }
    }
}

@Suite struct FactCatalogTests {
    @Test func everyFactHasAUniqueNameAndResolves() {
        let names = Facts.all.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names { #expect(Facts.named(name) != nil, "\(name)") }
        #expect(Facts.named("sysctl:vm.swappiness") != nil)
        #expect(Facts.named("sysctl:../../etc/shadow") == nil, "a sysctl name cannot walk out of /proc/sys")
        #expect(Facts.named("no.such.fact") == nil)
    }

    /// Every fact of every fixture root ends as a value or a reason: nothing crashes, nothing hangs.
    @Test(arguments: try! FileManager.default.contentsOfDirectory(atPath: Paths.fixtureRoots).sorted())
    func everyFactOfEveryFixtureRootIsAnswered(_ name: String) throws {
        let store = FactStore(root: try HostRoot(directory: Paths.fixtureRoot(name)))
        for fact in Facts.all {
            let record = fact.record(store)
            #expect(record.available ? record.value != nil : record.unavailableReason?.isEmpty == false, "\(name): \(fact.name)")
        }
    }
}
