import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// The package list parsers (dpkg status, `dpkg -l`, sos's installed-rpms) on realistic text and on text
/// that is not a package list: every input gives packages or a FactError, never a trap.
@Suite struct PackageParserTests {
    static let garbage = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n"
    static let junkText = "\u{1B}[31mnot a list\u{1B}[0m\n%%%% ---- ::::\n\t\n"
    static let huge = "99999999999999999999999999999999"

    func isUnparsable(_ body: () throws(FactError) -> InstalledPackages) -> Bool {
        do throws(FactError) {
            _ = try body()
            return false
        } catch {
            if case .unparsable = error { return true }
            return false
        }
    }

    @Test func dpkgStatus() throws {
        let text = """
            Package: libvirt0
            Status: install ok installed
            Priority: optional
            Architecture: amd64
            Version: 9.0.0-4
            Description: library for interfacing with different virtualization systems
             Libvirt is a C toolkit to interact with the virtualization capabilities
             Version: 0.0-not-a-field
            Conffiles:
             /etc/libvirt/libvirt.conf 1f2e3d4c5b6a

            Package: ntp
            Status: deinstall ok config-files
            Architecture: amd64
            Version: 1:4.2.8p15+dfsg-2~deb12u1

            Package: qemu-system-x86
            Status: hold ok installed
            Architecture: amd64
            Version: 1:7.2+dfsg-7+deb12u3

            Package: half
            Status: install reinstreq half-installed
            Version: 1.0

            Package: libc6
            Status: install ok installed
            Architecture: i386
            Version: 2.36-9+deb12u4
            """
        let list = try InstalledPackages.parseDpkgStatus(text)
        #expect(list.format == .dpkg)
        #expect(list.packages.map(\.name) == ["libvirt0", "qemu-system-x86", "libc6"])
        #expect(list.versions(of: "libvirt0") == ["9.0.0-4"], "a continuation line is not a field")
        #expect(list.versions(of: "qemu-system-x86") == ["1:7.2+dfsg-7+deb12u3"], "held and installed is installed")
        #expect(!list.isInstalled("ntp"), "removed with its configuration kept is not installed")
        #expect(!list.isInstalled("half"))
        #expect(list.packages.last?.architecture == "i386")
        // The last stanza counts without the blank line or newline that would end it.
        #expect(try InstalledPackages.parseDpkgStatus("Package: a\nVersion: 1\nStatus: install ok installed").packages.count == 1)
    }

    @Test func dpkgStatusThatIsNotOne() {
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgStatus("") })
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgStatus(Self.garbage) })
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgStatus(Self.junkText) })
        // Truncated: the stanza stops before its Version or Status.
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgStatus("Package: libvirt0\nStatus: install ok inst") })
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgStatus("Package: libvirt0\nStatus: install ok installed\nVers") })
        // Names and versions that are not: blanks, slashes, escapes, a line longer than any field.
        let hostile = """
            Package: ../../etc/passwd
            Status: install ok installed
            Version: 1

            Package: a\u{1B}[2Jb
            Status: install ok installed
            Version: 1

            Package: ok
            Status: install ok installed
            Version: \(String(repeating: "9", count: 5000))
            """
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgStatus(hostile) })
        // A huge number is only a version string.
        let big = try? InstalledPackages.parseDpkgStatus("Package: a\nStatus: install ok installed\nVersion: \(Self.huge)\n")
        #expect(big?.versions(of: "a") == [Self.huge])
    }

    @Test func dpkgList() throws {
        let text = """
            Desired=Unknown/Install/Remove/Purge/Hold
            | Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
            |/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)
            ||/ Name            Version          Architecture Description
            +++-===============-================-============-=========================
            ii  bash            5.2.15-2+b2      amd64        GNU Bourne Again SHell
            ii  libvirt0:amd64  9.0.0-4          amd64        library for interfacing with virtualization systems
            rc  ntp             1:4.2.8p15+dfsg  amd64        Network Time Protocol daemon
            hi  qemu-system-x86 1:7.2+dfsg-7     amd64        QEMU full system emulation binaries
            un  absent          <none>           <none>       (no description available)
            iU  unpacked        1.0              amd64        unpacked, not configured
            ii  tzdata          2024a-0+deb12u1  all
            """
        let list = try InstalledPackages.parseDpkgList(text, source: "dpkg_-l")
        #expect(list.packages.map(\.name) == ["bash", "libvirt0", "qemu-system-x86", "tzdata"])
        #expect(list.packages[1] == .init(name: "libvirt0", version: "9.0.0-4", architecture: "amd64"))
        #expect(list.packages[3].architecture == "all")
        // A row cut after the version still names a package; one cut before it does not.
        let truncated = try InstalledPackages.parseDpkgList("ii  libvirt0:amd64  9.0.0-4\nii  qemu\n", source: "dpkg_-l")
        #expect(truncated.packages == [.init(name: "libvirt0", version: "9.0.0-4", architecture: "amd64")])
    }

    @Test func dpkgListThatIsNotOne() {
        for text in ["", Self.garbage, Self.junkText, "ii\n", "ii  \u{1B}[31m 1.0 amd64\n", "ii  ../../x 1.0 amd64\n",
                     "Desired=Unknown/Install/Remove/Purge/Hold\n||/ Name Version Architecture Description\n"] {
            #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgList(text, source: "dpkg_-l") }, "\(text.debugDescription)")
        }
        let long = "ii  a " + String(repeating: "1", count: 10_000) + " amd64\n"
        #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseDpkgList(long, source: "dpkg_-l") })
    }

    @Test func installedRPMs() throws {
        let text = """
            qemu-kvm-8.0.0-16.el9_3.x86_64                              Tue 21 Nov 2023 10:02:11 AM UTC
            libvirt-daemon-kvm-9.5.0-7.el9_3.x86_64                     Tue 21 Nov 2023 10:02:05 AM UTC
            gpg-pubkey-fd431d51-4ae0493b                                Tue 21 Nov 2023 09:57:12 AM UTC
            tzdata-2023c-1.el9.noarch                                   Tue 21 Nov 2023 09:57:40 AM UTC
            kernel-core-5.14.0-362.8.1.el9_3.x86_64~~Tue 21 Nov 2023 09:59:30 AM UTC
            python3.11-3.11.5-1.el9_3.x86_64
            """
        let list = try InstalledPackages.parseInstalledRPMs(text, source: "installed-rpms")
        #expect(list.format == .rpm)
        #expect(list.packages == [
            .init(name: "qemu-kvm", version: "8.0.0-16.el9_3", architecture: "x86_64"),
            .init(name: "libvirt-daemon-kvm", version: "9.5.0-7.el9_3", architecture: "x86_64"),
            .init(name: "gpg-pubkey", version: "fd431d51-4ae0493b", architecture: nil),
            .init(name: "tzdata", version: "2023c-1.el9", architecture: "noarch"),
            .init(name: "kernel-core", version: "5.14.0-362.8.1.el9_3", architecture: "x86_64"),
            .init(name: "python3.11", version: "3.11.5-1.el9_3", architecture: "x86_64"),
        ])
    }

    @Test func rpmLabelsThatAreNotOnes() {
        for label in ["", "qemu", "qemu-kvm.x86_64", "qemu-8.0.0.x86_64", "-1-2", "a--", "a--b", "a-b-", "a-1-\u{0}", "a/b-1-2",
                      String(repeating: "a", count: 300) + "-1-2"] {
            #expect(InstalledPackages.parseRPMLabel(label) == nil, "\(label.debugDescription)")
        }
        #expect(InstalledPackages.parseRPMLabel("a-\(Self.huge)-\(Self.huge)")?.version == "\(Self.huge)-\(Self.huge)")
        for text in ["", Self.garbage, Self.junkText, "qemu-kvm\n", "Tue 21 Nov 2023 10:02:11 AM UTC\n"] {
            #expect(isUnparsable { () throws(FactError) in try InstalledPackages.parseInstalledRPMs(text, source: "installed-rpms") }, "\(text.debugDescription)")
        }
    }

    @Test func rowsAreBounded() throws {
        let count = InstalledPackages.maximumPackages + 10
        var text = ""
        text.reserveCapacity(count * 20)
        for index in 0..<count { text += "p\(index)-1-1.noarch\n" }
        #expect(try InstalledPackages.parseInstalledRPMs(text, source: "installed-rpms").packages.count == InstalledPackages.maximumPackages)
    }

    @Test func directoryRootReadsDpkgStatus() throws {
        let scratch = ScratchRoot()
        scratch.write("var/lib/dpkg/status", "Package: libvirt0\nStatus: install ok installed\nVersion: 9.0.0-4\n")
        let sourced = try FactStore(root: scratch.root).sourced(Facts.packages).get()
        #expect(sourced.value.versions(of: "libvirt0") == ["9.0.0-4"])
        #expect(sourced.sources == ["/var/lib/dpkg/status"])
    }

    @Test func rpmDatabaseIsNotRead() {
        let scratch = ScratchRoot()
        scratch.write("var/lib/rpm/rpmdb.sqlite", bytes: [0x53, 0x51, 0x4C, 0x69, 0x74, 0x65, 0, 1, 2, 3])
        let result = FactStore(root: scratch.root).sourced(Facts.packages)
        guard case .failure(let error) = result else {
            Issue.record("the binary rpm database was read: \(result)")
            return
        }
        #expect("\(error)".contains("rpm -qa"), "\(error)")
        #expect(error.findingStatus == .skip)
    }

    @Test func rootWithoutAPackageDatabase() {
        let scratch = ScratchRoot()
        scratch.write("etc/hostname", "h\n")
        #expect(throws: FactError.absent("/var/lib/dpkg/status")) { try FactStore(root: scratch.root).get(Facts.packages) }
    }
}

/// `systemctl list-units` as sos saves it, and text that is not a unit table.
@Suite struct ServiceUnitParserTests {
    func isUnparsable(_ text: String) -> Bool {
        do throws(FactError) {
            _ = try ServiceUnits.parseListUnits(text, source: "systemctl_list-units")
            return false
        } catch {
            if case .unparsable = error { return true }
            return false
        }
    }

    @Test func listUnits() throws {
        let text = """
              UNIT                         LOAD      ACTIVE   SUB       DESCRIPTION
              proc-sys-fs-binfmt_misc.automount loaded active waiting Arbitrary Executable File Formats File System Automount Point
              chronyd.service              loaded    active   running   NTP client/server
            ● kdump.service                loaded    failed   failed    Crash recovery kernel arming
            * mcelog.service               loaded    failed   failed    Machine Check Exception Logging Daemon
              ntpd.service                 not-found inactive dead      ntpd.service
              libvirtd.socket              loaded    active   listening Libvirt local socket

            LOAD   = Whether the unit's definition could be loaded.
            ACTIVE = The unit's overall state.
              fake.service                 loaded    active   running   after the legend, not a unit

            5 loaded units listed.
            """
        let units = try ServiceUnits.parseListUnits(text, source: "systemctl_list-units")
        #expect(units.units.map(\.name) == ["proc-sys-fs-binfmt_misc.automount", "chronyd.service", "kdump.service", "mcelog.service",
                                            "ntpd.service", "libvirtd.socket"])
        #expect(units.isActive("chronyd.service"))
        #expect(!units.isActive("kdump.service"))
        #expect(!units.isActive("ntpd.service"))
        #expect(!units.isActive("fake.service"))
        #expect(units.units[2] == .init(name: "kdump.service", load: "loaded", active: "failed", sub: "failed", description: "Crash recovery kernel arming"))
        #expect(units.units[0].description == "Arbitrary Executable File Formats File System Automount Point")
        // `--plain --no-legend`: no header, no marker, no legend.
        let plain = try ServiceUnits.parseListUnits("chronyd.service loaded active running NTP client/server\n", source: "x")
        #expect(plain.isActive("chronyd.service"))
        // A row without a description still names its unit.
        #expect(try ServiceUnits.parseListUnits("sshd.service loaded active running", source: "x").isActive("sshd.service"))
    }

    @Test func textThatIsNotAUnitTable() {
        for text in ["", PackageParserTests.garbage, PackageParserTests.junkText,
                     "  UNIT LOAD ACTIVE SUB DESCRIPTION\n\n0 loaded units listed.\n",
                     // Truncated rows, states systemd never prints, names that are no unit.
                     "chronyd.service loaded active\n", "chronyd.service loaded sleeping running x\n",
                     "chronyd.service 99999999999999999999 active running x\n", "chronyd loaded active running x\n",
                     ".service loaded active running x\n", "../../etc/passwd.service loaded active running x\n",
                     "a\u{1B}[2J.service loaded active running x\n",
                     String(repeating: "a", count: 5000) + ".service loaded active running x\n"] {
            #expect(isUnparsable(text), "\(text.prefix(80).debugDescription)")
        }
    }

    @Test func systemctlWithoutSystemdMeansNoUnits() {
        // What systemctl prints in place of the table where systemd is not the init system.
        for text in ["System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n",
                     "Failed to connect to bus: No such file or directory\n"] {
            #expect {
                try ServiceUnits.parseListUnits(text, source: "systemctl_list-units")
            } throws: { error in
                guard case FactError.absent(let what) = error else { return false }
                return what.contains("systemd as the init system") && what.contains("systemctl_list-units")
            }
        }
    }

    @Test func descriptionsKeepNoControlCharacters() throws {
        let units = try ServiceUnits.parseListUnits("x.service loaded active running evil\u{1B}[2J text of a unit\u{7}\n", source: "x")
        #expect(units.units.first?.description == "evil[2J text of a unit")
    }

    @Test func rowsAreBounded() throws {
        var text = ""
        for index in 0..<(ServiceUnits.maximumUnits + 5) { text += "u\(index).service loaded active running d\n" }
        #expect(try ServiceUnits.parseListUnits(text, source: "x").units.count == ServiceUnits.maximumUnits)
    }

    @Test func liveAndCopiedRootsDoNotHoldTheUnitList() {
        #expect(throws: FactError.self) { try FactStore(root: .live).get(Facts.serviceUnits) }
        let scratch = ScratchRoot()
        scratch.write("etc/hostname", "h\n")
        let result = FactStore(root: scratch.root).sourced(Facts.serviceUnits)
        guard case .failure(let error) = result else {
            Issue.record("a copied tree answered the unit list: \(result)")
            return
        }
        #expect(error.isUnknownFromEvidence, "\(error)")
    }
}
