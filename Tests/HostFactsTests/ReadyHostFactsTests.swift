import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// issue 13, ready-b: the parsers behind host.reboot-pending (kernel names in /boot and the package list,
/// flavours, /proc/<pid>/exe and maps), dom.machine-type (machine type names, QEMU versions, the removal
/// table, libvirt's capabilities) on the text real systems produce and on junk, truncated and huge input.
@Suite struct RebootStateParserTests {
    static let garbage = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n"
    static let huge = String(repeating: "9", count: 400)

    @Test func bootFileNames() {
        #expect(RebootState.release(fromBootFile: "vmlinuz-5.14.0-427.13.1.el9_4.x86_64") == "5.14.0-427.13.1.el9_4.x86_64")
        #expect(RebootState.release(fromBootFile: "vmlinuz-6.1.0-18-amd64") == "6.1.0-18-amd64")
        #expect(RebootState.release(fromBootFile: "vmlinuz-0-rescue-6f0a1c2d3e4b4f5a8b9c0d1e2f3a4b5c") == nil)
        #expect(RebootState.release(fromBootFile: ".vmlinuz-5.14.0-427.13.1.el9_4.x86_64.hmac") == nil)
        #expect(RebootState.release(fromBootFile: "vmlinuz-6.1.0-18-amd64.old") == nil)
        #expect(RebootState.release(fromBootFile: "vmlinuz") == nil)
        #expect(RebootState.release(fromBootFile: "initramfs-6.1.0-18-amd64.img") == nil)
        #expect(RebootState.release(fromBootFile: "vmlinuz-" + Self.huge + ".1") == nil)
        #expect(RebootState.release(fromBootFile: "vmlinuz-6.1 evil/../x") == nil)
        #expect(RebootState.release(fromBootFile: Self.garbage) == nil)
    }

    @Test func flavoursKeepCloudAndGenericApart() {
        #expect(RebootState.flavour(of: "6.1.0-18-amd64") == "amd64")
        #expect(RebootState.flavour(of: "6.1.0-18-cloud-amd64") == "cloud-amd64")
        #expect(RebootState.flavour(of: "6.8.0-45-generic") == "generic")
        #expect(RebootState.flavour(of: "6.8.12-4-pve") == "pve")
        #expect(RebootState.flavour(of: "5.14.0-427.13.1.el9_4.x86_64") == "")
        #expect(RebootState.flavour(of: "5.14.0-427.13.1.el9_4.x86_64+debug") == "+debug")
        #expect(RebootState.newer(than: "6.1.0-17-amd64", among: ["6.1.0-18-cloud-amd64", "6.1.0-16-amd64", "6.1.0-18-amd64", "6.1.0-18-amd64"]) == ["6.1.0-18-amd64"])
        #expect(RebootState.newer(than: "5.14.0-362.8.1.el9_3.x86_64", among: ["5.14.0-427.13.1.el9_4.x86_64", "5.14.0-284.30.1.el9_2.x86_64", "5.14.0-427.13.1.el9_4.x86_64+debug"])
                == ["5.14.0-427.13.1.el9_4.x86_64"])
        #expect(RebootState.newer(than: "6.1.0-18-amd64", among: []).isEmpty)
        #expect(RebootState.newer(than: Self.garbage, among: [Self.huge, Self.garbage]).count <= 1)
    }

    @Test func kernelPackages() throws {
        let rpms = try InstalledPackages.parseInstalledRPMs("""
            kernel-core-5.14.0-427.13.1.el9_4.x86_64                     Tue 21 May 2024 10:02:11 AM UTC
            kernel-core-5.14.0-362.8.1.el9_3.x86_64                      Tue 21 Nov 2023 10:02:11 AM UTC
            kernel-modules-5.14.0-427.13.1.el9_4.x86_64                  Tue 21 May 2024 10:02:11 AM UTC
            kernel-tools-5.14.0-427.13.1.el9_4.x86_64                    Tue 21 May 2024 10:02:11 AM UTC
            qemu-kvm-core-8.2.0-11.el9_4.x86_64                          Tue 21 May 2024 10:02:11 AM UTC
            """, source: "installed-rpms")
        #expect(RebootState.kernelReleases(in: rpms) == ["5.14.0-427.13.1.el9_4.x86_64", "5.14.0-362.8.1.el9_3.x86_64"])
        let debs = try InstalledPackages.parseDpkgList("""
            ii  linux-image-6.1.0-18-amd64          6.1.76-1     amd64   Linux 6.1 for 64-bit PCs (signed)
            ii  linux-image-amd64                   6.1.76-1     amd64   Linux for 64-bit PCs (meta-package)
            ii  proxmox-kernel-6.8.12-4-pve-signed  6.8.12-4     amd64   Proxmox Kernel Image (signed)
            rc  linux-image-6.1.0-10-amd64          6.1.38-1     amd64   Linux 6.1 for 64-bit PCs (signed)
            """, source: "dpkg -l")
        #expect(RebootState.kernelReleases(in: debs) == ["6.1.0-18-amd64", "6.8.12-4-pve"])
    }

    @Test func rebootRequiredPackages() {
        #expect(RebootState.parsePackageList("linux-image-6.1.0-18-amd64\nlibc6\n\nlibc6\n") == ["linux-image-6.1.0-18-amd64", "libc6"])
        #expect(RebootState.parsePackageList(Self.garbage).isEmpty)
        #expect(RebootState.parsePackageList(String(repeating: "x", count: 10_000)).isEmpty)
        #expect(RebootState.parsePackageList("").isEmpty)
    }

    @Test func deletedExecutablesAndLibraries() {
        #expect(RebootState.deletedPath("/usr/libexec/qemu-kvm (deleted)") == "/usr/libexec/qemu-kvm")
        #expect(RebootState.deletedPath("/usr/libexec/qemu-kvm") == nil)
        #expect(RebootState.deletedPath("anon_inode:[eventfd] (deleted)") == nil)
        // /proc/<pid>/maps of a QEMU process after a gnutls update, as the kernel prints it.
        let maps = """
            55d0c8a00000-55d0c8c4b000 r--p 00000000 fd:00 1837561                    /usr/libexec/qemu-kvm
            7f3a20a00000-7f3a20a28000 r--p 00000000 fd:00 1574012                    /usr/lib64/libc.so.6
            7f3a21000000-7f3a21010000 rw-s 00000000 00:01 3072                       /memfd:qemu-ram (deleted)
            7f3a21100000-7f3a21110000 rw-s 00000000 00:17 4100                       /dev/shm/qemu-shm (deleted)
            7f3a21200000-7f3a21245000 r-xp 00000000 fd:00 1574990                    /usr/lib64/libgnutls.so.30.37.1 (deleted)
            7f3a21300000-7f3a21345000 r-xp 00000000 fd:00 1574990                    /usr/lib64/libgnutls.so.30.37.1 (deleted)
            7ffd5a6e1000-7ffd5a702000 rw-p 00000000 00:00 0                          [stack]
            """
        #expect(RebootState.deletedLibraries(inMaps: maps) == ["/usr/lib64/libgnutls.so.30.37.1"])
        #expect(RebootState.deletedLibraries(inMaps: String(maps.prefix(120))).isEmpty)
        #expect(RebootState.deletedLibraries(inMaps: Self.garbage + " (deleted)").isEmpty)
        let many = (0..<500).map { "7f00-7f01 r-xp 0 fd:00 1 /usr/lib64/lib\($0).so (deleted)" }.joined(separator: "\n")
        #expect(RebootState.deletedLibraries(inMaps: many).count == 64)
    }

    @Test func fixtureRoots() throws {
        let newer = try FactStore(root: HostRoot(directory: Paths.fixtureRoot("rb-kernel-newer"))).get(Facts.rebootState)
        #expect(Set(newer.kernels.map(\.release)) == ["5.14.0-362.8.1.el9_3.x86_64", "5.14.0-427.13.1.el9_4.x86_64"])
        #expect(newer.replaced.isEmpty && newer.processesSeen)
        let replaced = try FactStore(root: HostRoot(directory: Paths.fixtureRoot("rb-qemu-replaced"))).get(Facts.rebootState)
        #expect(replaced.replaced.map(\.pid) == [4242, 4310])
        #expect(replaced.replaced.map(\.kind) == ["executable", "library"])
        let debian = try FactStore(root: HostRoot(directory: Paths.fixtureRoot("rb-debian-reboot-required"))).get(Facts.rebootState)
        #expect(debian.rebootRequired && debian.rebootRequiredPackages == ["linux-image-6.1.0-18-amd64", "libc6"])
    }
}

@Suite struct MachineTypeTests {
    @Test func names() {
        #expect(MachineTypes.upstreamVersion("pc-i440fx-2.9").map { [$0.major, $0.minor] } == [2, 9])
        #expect(MachineTypes.upstreamVersion("pc-q35-10.0").map { [$0.major, $0.minor] } == [10, 0])
        #expect(MachineTypes.upstreamVersion("pc-1.2").map { [$0.major, $0.minor] } == [1, 2])
        #expect(MachineTypes.upstreamVersion("virt-4.0")?.x86 == false)
        #expect(MachineTypes.upstreamVersion("pc") == nil)
        #expect(MachineTypes.upstreamVersion("q35") == nil)
        #expect(MachineTypes.upstreamVersion("pc-q35-rhel9.2.0") == nil)
        #expect(MachineTypes.upstreamVersion("pc-i440fx-99999999999999999999.1") == nil)
        #expect(MachineTypes.upstreamVersion("pc-i440fx-2.") == nil)
        #expect(MachineTypes.rhelVersion("rhel6.6.0").map { [$0.major, $0.minor] } == [6, 6])
        #expect(MachineTypes.rhelVersion("pc-i440fx-rhel7.6.0")?.kind == "i440fx")
        #expect(MachineTypes.rhelVersion("pc-q35-rhel9.4.0")?.kind == "q35")
        #expect(MachineTypes.rhelVersion("rhel") == nil)
    }

    @Test func qemuVersions() {
        #expect(MachineTypes.QEMUBuild.parse("1:8.2.2+ds-0ubuntu1.2") == .init(major: 8, minor: 2))
        #expect(MachineTypes.QEMUBuild.parse("8.2.0-11.el9_4") == .init(major: 8, minor: 2, rhel: 9))
        #expect(MachineTypes.QEMUBuild.parse("17:9.0.0-10.el9_5") == .init(major: 9, minor: 0, rhel: 9))
        #expect(MachineTypes.QEMUBuild.parse("10.0.0") == .init(major: 10, minor: 0))
        #expect(MachineTypes.QEMUBuild.parse("garbage") == nil)
        #expect(MachineTypes.QEMUBuild.parse("99999999999.1") == nil)
        #expect(MachineTypes.QEMUBuild.parse("") == nil)
    }

    @Test func removalTable() {
        let q = MachineTypes.QEMUBuild.self
        #expect(MachineTypes.judge("pc-i440fx-2.3", qemu: q.init(major: 10, minor: 0)) == .removed(.removedIn, ["release": "9.0"]))
        #expect(MachineTypes.judge("pc-i440fx-2.3", qemu: q.init(major: 8, minor: 2)) == .current)
        #expect(MachineTypes.judge("pc-1.2", qemu: q.init(major: 7, minor: 2)) == .removed(.removedIn, ["release": "4.0–6.0"]))
        #expect(MachineTypes.judge("pc-i440fx-2.9", qemu: q.init(major: 9, minor: 2)) == .deprecated(.deprecatedSince, ["release": "9.1"]))
        #expect(MachineTypes.judge("pc-q35-4.1", qemu: q.init(major: 10, minor: 1)) == .removed(.policyRemoved, ["qemu": "10.1", "limit": "4.1"]))
        #expect(MachineTypes.judge("virt-7.0", qemu: q.init(major: 10, minor: 1)) == .deprecated(.policyDeprecated, ["qemu": "10.1", "limit": "7.1"]))
        #expect(MachineTypes.judge("pc-q35-8.2", qemu: q.init(major: 10, minor: 1)) == .current)
        #expect(MachineTypes.judge("q35", qemu: q.init(major: 10, minor: 1)) == .current)
        #expect(MachineTypes.judge("rhel6.6.0", qemu: q.init(major: 8, minor: 2, rhel: 9)) == .removed(.rhel6Dropped, [:]))
        #expect(MachineTypes.judge("pc-i440fx-rhel7.6.0", qemu: q.init(major: 8, minor: 2, rhel: 9)) == .deprecated(.rhelI440fxDeprecated, [:]))
        #expect(MachineTypes.judge("pc-q35-rhel9.4.0", qemu: q.init(major: 8, minor: 2, rhel: 9)) == .current)
        #expect(MachineTypes.judge("pc-i440fx-2.9", qemu: q.init(major: 8, minor: 2, rhel: 9)) == .removed(.upstreamOnRHEL, ["rhel": "9"]))
        #expect(MachineTypes.judge("pc-q35-rhel9.4.0", qemu: q.init(major: 8, minor: 2)) == .removed(.rhelTypeElsewhere, [:]))
        #expect(MachineTypes.removedEverywhere("pc-i440fx-2.3") && MachineTypes.removedEverywhere("rhel6.0.0"))
        #expect(!MachineTypes.removedEverywhere("pc-i440fx-2.4") && !MachineTypes.removedEverywhere("pc"))
    }

    /// `virsh capabilities` of a QEMU 9.x host (trimmed): aliases with canonical, deprecated types marked.
    @Test func capabilitiesMachineTypes() {
        var snapshot = LibvirtSnapshot(
            uri: "test", driver: "QEMU", hypervisorVersion: "9.2.0", libvirtVersion: "10.10.0",
            node: .init(model: "x86_64", memoryKiB: 1, cpus: 1, mhz: 1, numaNodes: 1, sockets: 1, cores: 1, threads: 1),
            hostCPUModel: nil, hostCPUVendor: nil, guestArchitectures: [:], secureGuestFeatures: [], domains: [], networks: [], pools: [], problems: [])
        snapshot.readCapabilities("""
            <capabilities>
              <host><uuid>6f0a1c2d-3e4b-4f5a-8b9c-0d1e2f3a4b5c</uuid><cpu><arch>x86_64</arch></cpu></host>
              <guest>
                <os_type>hvm</os_type>
                <arch name='x86_64'>
                  <wordsize>64</wordsize>
                  <emulator>/usr/bin/qemu-system-x86_64</emulator>
                  <machine maxCpus='255'>pc-i440fx-9.2</machine>
                  <machine canonical='pc-i440fx-9.2' maxCpus='255'>pc</machine>
                  <machine maxCpus='255' deprecated='yes'>pc-i440fx-2.9</machine>
                  <machine maxCpus='4096'>pc-q35-9.2</machine>
                  <machine canonical='pc-q35-9.2' maxCpus='4096'>q35</machine>
                  <domain type='qemu'/>
                  <domain type='kvm'><machine maxCpus='4096'>pc-q35-9.2</machine></domain>
                </arch>
              </guest>
            </capabilities>
            """)
        let machines = snapshot.machineTypes ?? []
        #expect(machines.map(\.name) == ["pc-i440fx-9.2", "pc", "pc-i440fx-2.9", "pc-q35-9.2", "q35"])
        #expect(machines.filter(\.deprecated).map(\.name) == ["pc-i440fx-2.9"])
        #expect(machines.first { $0.name == "pc" }?.canonical == "pc-i440fx-9.2")
        var broken = snapshot
        broken.machineTypes = nil
        broken.readCapabilities("<capabilities><guest><arch name='x86_64'><machine>" + String(repeating: "a", count: 500) + "</machine></arch></guest>")
        #expect((broken.machineTypes ?? []).isEmpty)
    }
}
