import Foundation
import Testing
import TestSupport

/// The binary on the extracted sos report fixtures (Tests/Fixtures/sos, from make-sos-roots.py): `check`,
/// `analyze` of an archive made here with tar(1), `facts`, `what` and `certs`.
@Suite(.serialized) struct SosReportCLITests {
    func sos(_ name: String) -> String { Paths.sosFixture(name) }

    /// `check --format json` on a fixture: the findings by id, and the whole document.
    func check(_ name: String, _ extra: [String] = []) throws -> (run: Run, findings: [String: [String: Any]], json: [String: Any]) {
        let run = try Run(["check", "--root", sos(name), "--format", "json", "--fail-on", "never"] + extra)
        #expect(run.status == 0, "\(name): \(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(name): \(run.stdout.prefix(400))")
        let list = (json["findings"] as? [[String: Any]]) ?? []
        var byID: [String: [String: Any]] = [:]
        for finding in list { if let id = finding["id"] as? String { byID[id] = finding } }
        return (run, byID, json)
    }

    func status(_ findings: [String: [String: Any]], _ id: String) -> String? { findings[id]?["status"] as? String }

    @Test func healthyHost() throws {
        let (_, findings, json) = try check("kvm-host-healthy")
        #expect(status(findings, "cpu.virt-flags") == "pass", "\(findings["cpu.virt-flags"] ?? [:])")
        #expect(status(findings, "kvm.device-usable") != nil)
        #expect(status(findings, "kvm.device-usable") != "fail", "\(findings["kvm.device-usable"] ?? [:])")
        #expect(status(findings, "cpu.virt-bios-disabled") == "pass", "\(findings["cpu.virt-bios-disabled"] ?? [:])")
        #expect(status(findings, "kvm.modules-loaded") == "pass", "\(findings["kvm.modules-loaded"] ?? [:])")
        let evidence = try #require(json["evidence"] as? [String: Any])
        #expect(evidence["kind"] as? String == "sos-report")
        #expect(evidence["collector"] as? String == "sos 4.5.6")
        #expect(evidence["hostname"] as? String == "kvmhost01.example.com")
        let host = try #require(json["host"] as? [String: Any])
        #expect((host["virtualization"] as? String)?.lowercased().contains("bare metal") == true, "\(host)")
    }

    @Test func textHeaderNamesTheSosVersionAndHost() throws {
        let run = try Run(["check", "--root", sos("kvm-host-healthy"), "--no-color", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let header = run.stdout.split(separator: "\n").prefix(12).joined(separator: "\n")
        #expect(header.contains("sos 4.5.6"), "\(header)")
        #expect(header.contains("kvmhost01.example.com"), "\(header)")
    }

    @Test func firmwareSwitchedOff() throws {
        let (_, findings, _) = try check("bios-disabled")
        #expect(status(findings, "cpu.virt-bios-disabled") == "fail", "\(findings["cpu.virt-bios-disabled"] ?? [:])")
        let plain = try Run(["check", "--root", sos("bios-disabled")])
        #expect(plain.status == 2)
        #expect(plain.stdout.contains("cpu.virt-bios-disabled"))
    }

    @Test func uncapturedDevIsSkippedNotFailed() throws {
        let (_, findings, json) = try check("no-dev-listing")
        #expect(status(findings, "kvm.device-usable") == "skip", "\(findings["kvm.device-usable"] ?? [:])")
        let evidence = try #require(json["evidence"] as? [String: Any])
        #expect((evidence["lacking"] as? [String])?.contains("dev") == true)
    }

    @Test func rhevGuestIsNotBareMetal() throws {
        let (_, findings, json) = try check("rhev-guest")
        let host = try #require(json["host"] as? [String: Any])
        let machine = (host["virtualization"] as? String) ?? ""
        let virtType = (findings["guest.virt-type"]?["summary"] as? String) ?? ""
        #expect(!machine.lowercased().contains("bare metal"), "\(machine)")
        #expect(!virtType.lowercased().contains("bare metal"), "\(virtType)")
        let named = (machine + " " + virtType).lowercased()
        #expect(named.contains("rhev") || named.contains("kvm") || named.contains("red hat"), "machine: \(machine); guest.virt-type: \(virtType)")

        let what = try Run(["what", "--root", sos("rhev-guest")])
        #expect(what.status == 0, "\(what.stderr)")
        let identifiers = what.stdout.split(separator: "\n").map(String.init)
        #expect(identifiers.contains("rhev") || identifiers.contains("redhat"), "\(identifiers)")
        let whatJSON = try Run(["what", "--root", sos("rhev-guest"), "--format", "json"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(whatJSON.stdout.utf8)) as? [String: Any])
        #expect(answer["virtualMachine"] as? Bool == true, "\(answer)")
    }

    /// virt-what on a RHEV guest also prints kvm (from CPUID). A sos report holds no CPUID; its lscpu's
    /// "Hypervisor vendor: KVM" (answered as /lscpu.txt) stands in for the signature lscpu read on the host.
    @Test func rhevGuestNamesKVM() throws {
        let run = try Run(["what", "--root", sos("rhev-guest"), "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((answer["identifiers"] as? [String])?.contains("kvm") == true, "\(answer["identifiers"] ?? [])")
        #expect(answer["hypervisorVendor"] as? String == "KVM", "\(answer)")
    }

    /// A report of a VM running KVM without VT (kvm_pvm built in, no module support, no lsmod output): the
    /// missing vmx flag is not "KVM cannot run", since only the device probe (never in a sos report) could
    /// say; the built-in modules are read from /sys/module because the kernel plugin ran and listed none.
    @Test func kvmWithoutVTIsUnknownNotCritical() throws {
        let (_, findings, json) = try check("pvm-host")
        #expect(status(findings, "cpu.virt-flags") == "skip", "\(findings["cpu.virt-flags"] ?? [:])")
        #expect((findings["cpu.virt-flags"]?["summary"] as? String)?.contains("kvm_pvm") == true)
        #expect(status(findings, "kvm.device-usable") == "skip", "\(findings["kvm.device-usable"] ?? [:])")
        #expect(status(findings, "kvm.modules-loaded") == "pass", "\(findings["kvm.modules-loaded"] ?? [:])")
        #expect((findings["kvm.modules-loaded"]?["summary"] as? String)?.contains("kvm_pvm (built in)") == true)
        let critical = findings.values.filter { ($0["status"] as? String) == "fail" && ($0["severity"] as? String) == "critical" }
        #expect(critical.isEmpty, "\(critical)")
        let evidence = try #require(json["evidence"] as? [String: Any])
        #expect(evidence["collector"] as? String == "sos 4.0")
    }

    @Test func otherCommandsOnASosRoot() throws {
        for arguments in [["facts", "--root", sos("kvm-host-healthy")], ["what", "--root", sos("kvm-host-healthy")],
                          ["certs", "--root", sos("kvm-host-healthy")], ["facts", "--root", sos("kvm-host-healthy"), "--format", "json"]] {
            let run = try Run(arguments)
            #expect(run.status == 0, "\(arguments.joined(separator: " ")): \(run.stderr)")
        }
        let what = try Run(["what", "--root", sos("kvm-host-healthy")])
        #expect(what.stdout.isEmpty, "nothing on bare metal: \(what.stdout)")
    }

    @Test func factsListPackagesAndUnits() throws {
        let run = try Run(["facts", "--root", sos("kvm-host-healthy"), "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let facts = (json["facts"] as? [[String: Any]]) ?? []
        func fact(_ name: String) -> [String: Any]? { facts.first { $0["name"] as? String == name } }

        let packages = try #require(fact("packages.installed"), "\(facts.compactMap { $0["name"] as? String })")
        #expect(packages["available"] as? Bool == true, "\(packages)")
        #expect(packages["sources"] as? [String] == ["/installed-rpms"])
        let packageList = ((packages["value"] as? [String: Any])?["packages"] as? [[String: Any]]) ?? []
        let qemu = packageList.first { $0["name"] as? String == "qemu-kvm" }
        #expect(qemu?["version"] as? String == "8.0.0-16.el9_3", "\(packageList)")
        #expect(qemu?["architecture"] as? String == "x86_64")

        let units = try #require(fact("services.units"))
        #expect(units["available"] as? Bool == true, "\(units)")
        let unitList = ((units["value"] as? [String: Any])?["units"] as? [[String: Any]]) ?? []
        #expect(unitList.contains { $0["name"] as? String == "chronyd.service" && $0["active"] as? String == "active" }, "\(unitList)")
        #expect(unitList.contains { $0["name"] as? String == "kdump.service" && $0["active"] as? String == "failed" })

        // Where sos kept no list, the fact says it was not captured rather than listing nothing.
        let bios = try Run(["facts", "--root", sos("bios-disabled"), "--format", "json"])
        let biosJSON = try #require(try JSONSerialization.jsonObject(with: Data(bios.stdout.utf8)) as? [String: Any])
        let biosPackages = ((biosJSON["facts"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == "packages.installed" }
        #expect(biosPackages?["available"] as? Bool == false, "\(biosPackages ?? [:])")
        #expect((biosPackages?["unavailableReason"] as? String)?.contains("not captured") == true, "\(biosPackages ?? [:])")
    }

    /// A report whose process plugin did not run: time.ntp passes on the active chronyd unit and says so.
    @Test func timeServiceFromTheUnitListWithoutPs() throws {
        let report = ScratchRoot()
        report.write("version.txt", "sosreport: 4.5.6\n")
        report.write("sos_commands/systemd/systemctl_list-units", "  UNIT LOAD ACTIVE SUB DESCRIPTION\n  chronyd.service loaded active running NTP client/server\n")
        let run = try Run(["check", "--root", report.path, "--only", "time.ntp", "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout.prefix(400))")
        let finding = try #require(((json["findings"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == "time.ntp" }, "\(run.stdout.prefix(400))")
        #expect(finding["status"] as? String == "pass", "\(finding)")
        let evidence = (finding["evidence"] as? [[String: Any]]) ?? []
        #expect(evidence.contains { ($0["source"] as? String)?.contains("systemctl list-units") == true }, "\(evidence)")
    }

    @Test func everyFixtureGivesAReport() throws {
        for name in Paths.sosFixtureNames {
            let run = try Run(["check", "--root", sos(name), "--fail-on", "never"])
            #expect(run.status == 0, "\(name): \(run.stderr)")
            #expect(run.stdout.contains("(sos 4."), "\(name): the header names the collector")
        }
    }

    @Test func outputsLinkingOutOfTheRootAreNeverRead() throws {
        for format in ["text", "json"] {
            let run = try Run(["facts", "--root", sos("sos-symlink-escape"), "--format", format])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stdout.lowercased().contains("outside-marker-5c1e"), "\(run.stdout)")
            #expect(!run.stdout.contains("outside_marker_5c1e"))
        }
        let report = try Run(["check", "--root", sos("sos-symlink-escape"), "--format", "json", "--fail-on", "never"])
        #expect(!report.stdout.lowercased().contains("outside-marker-5c1e"))

        // An absolute link to a host file, made here (see make-sos-roots.py for why it is not committed).
        let outside = ScratchRoot()
        outside.write("secret", "hostname-SECRET-41aa\n")
        let scratch = ScratchRoot()
        scratch.write("version.txt", "sosreport: 4.5.6\n")
        scratch.link("sos_commands/host/hostname", to: outside.path + "/secret")
        scratch.link("sos_commands/kernel/sysctl_-a", to: "/etc/shadow")
        let facts = try Run(["facts", "--root", scratch.path])
        #expect(facts.status == 0, "\(facts.stderr)")
        #expect(!facts.stdout.contains("SECRET-41aa") && !facts.stderr.contains("SECRET-41aa"))
        // /etc/shadow resolves inside the report (absent there); its first entry must not be printed.
        if let shadow = try? String(contentsOfFile: "/etc/shadow", encoding: .utf8), let first = shadow.split(separator: "\n").first {
            #expect(!facts.stdout.contains(String(first)), "/etc/shadow read through the report")
        }
    }

    static let haveTarXz: Bool = {
        ["/usr/bin/tar", "/bin/tar"].contains { FileManager.default.isExecutableFile(atPath: $0) }
            && ["/usr/bin/xz", "/bin/xz", "/usr/local/bin/xz"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: haveTarXz, "needs tar(1) and xz(1) to pack a sos report"))
    func analyzeAnArchivedReport() throws {
        let scratch = ScratchRoot()
        let archive = scratch.path + "/sosreport-kvmhost01-2026-12-01-abcdefg.tar.xz"
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/tar") ? "/usr/bin/tar" : "/bin/tar")
        tar.arguments = ["-cJf", archive, "-C", Paths.sosFixtures, "kvm-host-healthy"]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0, "tar -cJf failed")

        let run = try Run(["analyze", archive, "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let analysis = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout.prefix(400))")
        let json = try #require(analysis["report"] as? [String: Any], "analyze wraps the report: \(analysis.keys)")
        let evidence = try #require(json["evidence"] as? [String: Any])
        #expect(evidence["kind"] as? String == "sos-report")
        #expect(evidence["collector"] as? String == "sos 4.5.6")
        #expect(evidence["hostname"] as? String == "kvmhost01.example.com")
        let findings = (json["findings"] as? [[String: Any]]) ?? []
        let virtFlags = findings.first { $0["id"] as? String == "cpu.virt-flags" }
        #expect(virtFlags?["status"] as? String == "pass")
        let device = findings.first { $0["id"] as? String == "kvm.device-usable" }
        #expect(device != nil && device?["status"] as? String != "fail", "\(device ?? [:])")

        let text = try Run(["analyze", archive, "--no-color", "--fail-on", "never"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("sos 4.5.6") && text.stdout.contains("kvmhost01.example.com"))

        // Read in memory, the kernel log comes from the dmesg output too.
        let disabled = scratch.path + "/sosreport-hv-blade07-2026-12-01-hijklmn.tar.xz"
        let pack = Process()
        pack.executableURL = tar.executableURL
        pack.arguments = ["-cJf", disabled, "-C", Paths.sosFixtures, "bios-disabled"]
        try pack.run()
        pack.waitUntilExit()
        try #require(pack.terminationStatus == 0, "tar -cJf failed")
        let bios = try Run(["analyze", disabled, "--format", "json"])
        #expect(bios.status == 2, "\(bios.stderr)")
        let biosReport = (try JSONSerialization.jsonObject(with: Data(bios.stdout.utf8)) as? [String: Any])?["report"] as? [String: Any]
        let biosFinding = (biosReport?["findings"] as? [[String: Any]])?.first { $0["id"] as? String == "cpu.virt-bios-disabled" }
        #expect(biosFinding?["status"] as? String == "fail", "\(biosFinding ?? [:])")
    }
}
