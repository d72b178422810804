import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Reporting
import Testing
import TestSupport

/// One report must not contradict itself: every fixture root (and every sos-shaped root) is judged with the
/// profile it picks itself and rendered, and the known kinds of contradiction are rejected. A contradiction
/// is a bug even when each sentence alone is true for its own check.
@Suite struct ConsistencyTests {
    static let fixedNow = Date(timeIntervalSince1970: 1_795_000_000)

    /// Fixture roots and sos-shaped roots, by path.
    static let roots: [String] = {
        var paths: [String] = []
        for base in [Paths.fixtureRoots, Paths.repository + "/Tests/Fixtures/sos"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            paths += names.sorted().map { base + "/" + $0 }
        }
        return paths
    }()

    static func diagnose(_ path: String) throws -> Report {
        let root = try EvidenceOpening.open(directory: path)
        let options = DiagnosisOptions(root: root, now: fixedNow, clock: fixedNow)
        return try Diagnosis.run(options, catalog: Catalog.builtIn()).report
    }

    @Test(arguments: roots)
    func reportDoesNotContradictItself(_ path: String) throws {
        let report = try Self.diagnose(path)
        let name = URL(fileURLWithPath: path).lastPathComponent
        let text = try Renderer().render(report, format: .text)
        let machine = report.host.virtualization ?? ""

        // What the machine is: one answer per report.
        let virtWhat = report.findings.first { $0.id == "guest.virt-type" }?.summary ?? ""
        if machine.contains("bare metal") || virtWhat.contains("bare metal:") {
            #expect(!virtWhat.contains("virt-what would print: ") || virtWhat.contains("virt-what would print: nothing"),
                    "\(name): 'bare metal' together with a virt-what answer: \(virtWhat)")
        }
        #expect(!(machine.hasPrefix("unknown") && text.contains("This system is bare metal")),
                "\(name): the Machine line says unknown while a finding says bare metal")

        // A pass whose own sentence states a problem.
        let problemWords = ["does not exist", "is missing", "has expired", "disabled by bios", "cannot run"]
        for finding in report.findings where finding.status == .pass && finding.severity != .info {
            let lowered = finding.summary.lowercased()
            #expect(!problemWords.contains { lowered.contains($0) }, "\(name): \(finding.id) passes with \(finding.summary)")
        }

        // One kernel parameter, one severity: two checks must not warn and fail on the same sysctl with
        // different weights for the same cause.
        var bySysctl: [String: [Finding]] = [:]
        for finding in report.findings where (finding.status == .fail || finding.status == .warn) && finding.cause == nil {
            // Read-only identity files under /proc/sys (the kernel release, the host name) are evidence many
            // checks cite, not a parameter anyone sets.
            let identity: Set<String> = ["/proc/sys/kernel/osrelease", "/proc/sys/kernel/hostname", "/proc/sys/kernel/ostype",
                                         "/proc/sys/kernel/version", "/proc/sys/kernel/domainname"]
            for source in Set(finding.evidence.map(\.source)) where source.hasPrefix("/proc/sys/") && !identity.contains(source) {
                bySysctl[source, default: []].append(finding)
            }
        }
        for (source, findings) in bySysctl where Set(findings.map(\.status)).count > 1 && Set(findings.map(\.severity)).count > 1 {
            Issue.record("\(name): \(source) gives \(findings.map { "\($0.id) \($0.status.rawValue)/\($0.severity.rawValue)" })")
        }

        // Nothing passes or fails on a device node the evidence never held.
        if let evidence = report.evidence, evidence.isUncaptured("/dev") {
            for finding in report.findings where finding.status == .pass || finding.status == .fail || finding.status == .warn {
                let onDevice = finding.evidence.contains { $0.source.hasPrefix("/dev/") && !$0.value.contains("not captured") }
                #expect(!onDevice, "\(name): \(finding.id) is \(finding.status.rawValue) on a device this root never captured")
            }
        }

        // Consequences point at a finding that is itself a problem, and are kept out of the score.
        for finding in report.findings {
            guard let cause = finding.cause else { continue }
            let causing = report.findings.first { $0.id == cause }
            #expect(causing.map { $0.status == .fail || $0.status == .warn } == true, "\(name): \(finding.id) follows from \(cause)")
            #expect(finding.weight == 0, "\(name): \(finding.id) is a consequence and must not be scored")
        }
    }

    /// Real captures (virt-what's test roots, util-linux's lscpu dumps): whatever else is said, a report never
    /// calls a machine bare metal while virt-what's answer for it is not empty.
    static let corpusRoots: [String] = {
        guard Paths.corpusAvailable else { return [] }
        var paths: [String] = []
        for collection in ["virt-what", "lscpu"] {
            let base = Paths.corpus + "/" + collection
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted() where !name.hasPrefix("_") {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: base + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue {
                    paths.append(base + "/" + name)
                }
            }
        }
        return paths
    }()

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func corpusMachinesAreNeverBareMetalWithAVirtWhatAnswer() throws {
        #expect(Self.corpusRoots.count > 40, "the corpus holds the virt-what and lscpu roots")
        for path in Self.corpusRoots {
            let name = path.split(separator: "/").suffix(2).joined(separator: "/")
            let root = try EvidenceOpening.open(directory: path)
            let identifiers = VirtualizationReport.detect(root).identifiers
            let report = try Self.diagnose(path)
            let machine = report.host.virtualization ?? ""
            let virtType = report.findings.first { $0.id == "guest.virt-type" }?.summary ?? ""
            if !identifiers.isEmpty {
                #expect(!machine.contains("bare metal"), "\(name): Machine says '\(machine)' while virt-what prints \(identifiers)")
                #expect(!virtType.contains("bare metal"), "\(name): guest.virt-type says '\(virtType)' while virt-what prints \(identifiers)")
            }
        }
    }

    @Test func firmwareSwitchIsOneFindingWithItsConsequences() throws {
        let report = try Self.diagnose(Paths.fixtureRoot("intel-vmx-bios-disabled"))
        let problems = report.findings.filter { ($0.status == .fail || $0.status == .warn) && $0.severity == .critical && $0.cause == nil }
        #expect(problems.map(\.id) == ["cpu.virt-bios-disabled"], "one critical cause: \(problems.map(\.id))")
        let consequences = report.findings.filter { $0.cause == "cpu.virt-bios-disabled" }.map(\.id)
        for id in ["cpu.virt-flags", "kvm.modules-loaded", "kvm.device-usable"] {
            #expect(consequences.contains(id), "\(id) is listed under the firmware finding: \(consequences)")
        }
        let text = try Renderer().render(report, format: .text)
        #expect(text.contains("Follows from cpu.virt-bios-disabled"))
        #expect(report.counts.consequences == consequences.count)
    }

    @Test func xenDom0SkipsTheKVMChecks() throws {
        let report = try Self.diagnose(Paths.fixtureRoot("xen-dom0-grub-legacy"))
        for id in ["kvm.modules-loaded", "kvm.device-usable", "kvm.vhost-net"] {
            let finding = try #require(report.findings.first { $0.id == id })
            #expect(finding.status == .skip && finding.summary.contains("this host runs Xen"), "\(id): \(finding.summary)")
        }
    }

    @Test func problemsAreOrderedBySeverityThenStatus() throws {
        let report = try Self.diagnose(Paths.fixtureRoot("net-nat-forwarding-off"))
        let text = try Renderer().render(report, format: .text)
        let section = text.components(separatedBy: "What needs attention").dropFirst().first?.components(separatedBy: "Passed").first ?? ""
        let severities = section.split(separator: "\n").filter { $0.hasPrefix("[") }.compactMap { line -> Severity? in
            guard let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")"), open < close else { return nil }
            return Severity(rawValue: String(line[line.index(after: open)..<close]))
        }
        #expect(!severities.isEmpty)
        #expect(severities == severities.sorted(by: >), "most severe first: \(severities)")
    }

    @Test func emptyDirectoryIsRefusedWithWhatWasExpected() {
        let scratch = ScratchRoot()
        #expect { try EvidenceOpening.open(directory: scratch.path) } throws: {
            "\($0)".contains("no recognisable system evidence") && "\($0)".contains("sos report")
        }
    }
}
