import Foundation
import Testing
import TestSupport

/// Runs the real `sos report --batch` of this machine (Debian's sosreport package) and analyzes the archive,
/// as a support engineer would with a customer's. The answers depend on this machine, so the test asserts
/// only what holds everywhere: the report analyzes, is recognised as sos, never claims the device probe it
/// could not make, and names KVM when the report's own lscpu or dmidecode does. It skips where sos is not
/// installed or the user is not root (sos refuses to run otherwise).
@Suite(.serialized) struct RealSosReportTests {
    static let sosExecutable: String? = ["/usr/bin/sos", "/usr/sbin/sos", "/usr/local/bin/sos"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let canRun = sosExecutable != nil && getuid() == 0

    /// The plugins whose outputs virt-doctor reads (README "Evidence sources"); all of them keeps the run
    /// to seconds rather than minutes.
    static let plugins = "kernel,processor,hardware,date,process,libvirt,networking,systemd,dpkg,rpm,block,kvm,selinux,host"

    @Test(.enabled(if: canRun, "needs sosreport installed (apt-get install sosreport) and root"),
          .timeLimit(.minutes(10)))
    func analyzeThisMachinesSosReport() throws {
        let scratch = ScratchRoot()
        // Plugins this sos version does not know are dropped (sos refuses the whole run on an unknown name).
        let known = Set(try Run(["report", "--list-plugins"], executable: Self.sosExecutable!).stdout
            .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        let chosen = Self.plugins.split(separator: ",").map(String.init).filter(known.contains)
        // Bounded: a hung plugin fails the test instead of holding CI.
        let sos = try Run(["300", Self.sosExecutable!, "report", "--batch", "--quiet", "--tmp-dir", scratch.path,
                           "--label", "virtdoctor", "-o", chosen.joined(separator: ",")], executable: "/usr/bin/timeout")
        try #require(sos.status == 0, "sos report failed (\(sos.status)): \(sos.stderr.suffix(800))")
        let archive = try #require((try FileManager.default.contentsOfDirectory(atPath: scratch.path))
            .first { $0.hasPrefix("sosreport-") && ($0.hasSuffix(".tar.xz") || $0.hasSuffix(".tar.gz")) },
            "no archive in \(scratch.path)")
        let path = scratch.path + "/" + archive

        let run = try Run(["analyze", path, "--format", "json", "--fail-on", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let analysis = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                    "\(run.stdout.prefix(400))")
        let report = try #require(analysis["report"] as? [String: Any])
        let evidence = try #require(report["evidence"] as? [String: Any])
        #expect(evidence["kind"] as? String == "sos-report")
        #expect((evidence["collector"] as? String)?.hasPrefix("sos ") == true, "\(evidence)")
        #expect((evidence["lacking"] as? [String])?.contains("device-probe") == true)
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        #expect(!findings.isEmpty)
        // The probe is never in a sos report: the device check may skip, or follow from a failed
        // prerequisite, or fail because no node was listed, but it never passes on a probe it did not make.
        let device = findings.first { $0["id"] as? String == "kvm.device-usable" }
        #expect(device?["status"] as? String != "pass", "\(device ?? [:])")
        if device?["status"] as? String == "skip" {
            #expect((device?["summary"] as? String)?.contains("not captured") == true, "\(device ?? [:])")
        }

        // What the report itself says about the machine, read with tar rather than with virt-doctor.
        let extracted = scratch.path + "/x"
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        let untar = try Run(["xf", path, "-C", extracted], executable: "/usr/bin/tar")
        try #require(untar.status == 0, "tar xf: \(untar.stderr)")
        let top = try #require(try FileManager.default.contentsOfDirectory(atPath: extracted).first)
        try expectPackagesAndUnits(reportRoot: "\(extracted)/\(top)")
        let lscpu = (try? String(contentsOfFile: "\(extracted)/\(top)/sos_commands/processor/lscpu", encoding: .utf8)) ?? ""
        let vendorLine = lscpu.split(separator: "\n").first { $0.hasPrefix("Hypervisor vendor:") }
        if let vendorLine, vendorLine.contains("KVM") {
            let host = try #require(report["host"] as? [String: Any])
            #expect((host["virtualization"] as? String)?.contains("KVM") == true, "lscpu says \(vendorLine); host: \(host)")
            let what = try Run(["what", "--root", "\(extracted)/\(top)"])
            #expect(what.status == 0, "\(what.stderr)")
            #expect(what.stdout.split(separator: "\n").contains("kvm"), "lscpu says \(vendorLine); what: \(what.stdout)")
        } else if vendorLine == nil {
            let host = report["host"] as? [String: Any]
            let virtualization = (host?["virtualization"] as? String) ?? ""
            // No hypervisor in lscpu: whatever is said, it is never "bare metal" alongside a virt-what answer.
            let what = try Run(["what", "--root", "\(extracted)/\(top)"])
            if !what.stdout.isEmpty { #expect(!virtualization.contains("bare metal"), "\(virtualization) / \(what.stdout)") }
        }
    }

    /// The package list has as many packages as the report's own dpkg -l has installed rows (or installed-rpms
    /// lines), counted here with plain string work; the unit list is read, or systemctl's output says systemd
    /// was not running.
    func expectPackagesAndUnits(reportRoot: String) throws {
        let run = try Run(["facts", "--root", reportRoot, "--format", "json", "packages.installed", "services.units"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let facts = (json["facts"] as? [[String: Any]]) ?? []
        let packages = try #require(facts.first { $0["name"] as? String == "packages.installed" })
        let rpms = (try? String(contentsOfFile: reportRoot + "/installed-rpms", encoding: .utf8)) ?? ""
        let debs = (try? String(contentsOfFile: reportRoot + "/sos_commands/dpkg/dpkg_-l", encoding: .utf8)) ?? ""
        let expected = !rpms.isEmpty ? rpms.split(separator: "\n").count
            : debs.split(separator: "\n").filter { $0.hasPrefix("ii ") || $0.hasPrefix("hi ") }.count
        if expected > 0 {
            let list = ((packages["value"] as? [String: Any])?["packages"] as? [[String: Any]]) ?? []
            #expect(list.count == expected, "\(packages["unavailableReason"] ?? "") \(list.prefix(3))")
        }
        let units = try #require(facts.first { $0["name"] as? String == "services.units" })
        let listing = (try? String(contentsOfFile: reportRoot + "/sos_commands/systemd/systemctl_list-units", encoding: .utf8)) ?? ""
        if listing.contains(" loaded ") {
            #expect(units["available"] as? Bool == true, "\(units)")
        } else if listing.contains("booted with systemd") || listing.contains("Failed to connect to bus") {
            #expect((units["unavailableReason"] as? String)?.contains("systemd as the init system") == true, "\(units)")
        }
    }
}
