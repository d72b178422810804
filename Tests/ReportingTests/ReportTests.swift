import CheckEngine
import DoctorCore
import Foundation
import HostFacts
@testable import Reporting
import Mustache
import Testing
import TestSupport

func finding(_ id: String, _ area: String, _ status: Status, _ severity: Severity, weight: Int? = nil) -> Finding {
    Finding(id: id, area: area, title: id, severity: severity, status: status, summary: "\(id) \(status)",
            weight: status == .skip || status == .error ? 0 : (weight ?? severity.defaultWeight))
}

@Suite struct ScoringTests {
    @Test func pointsEarnedOverPointsPossible() {
        let score = Score([
            finding("a.1", "a", .pass, .critical),  // 10 of 10
            finding("a.2", "a", .warn, .medium),    // 1.5 of 3
            finding("b.1", "b", .fail, .high),      // 0 of 6
            finding("b.2", "b", .skip, .high),      // left out
            finding("b.3", "b", .error, .high),     // left out
            finding("c.1", "c", .pass, .info),      // worth nothing
        ])
        #expect(score.earned == 11.5 && score.possible == 19)
        #expect(score.overall == 61)
        #expect(score.areas.map(\.area) == ["a", "b", "c"])
        #expect(score.areas.map(\.score) == [88, 0, nil])
    }

    @Test func verdicts() {
        #expect(Verdict([finding("a", "a", .pass, .critical), finding("b", "b", .skip, .high)]) == .ready)
        #expect(Verdict([finding("a", "a", .pass, .critical), finding("b", "b", .warn, .low)]) == .degraded)
        #expect(Verdict([finding("a", "a", .fail, .high)]) == .degraded)
        #expect(Verdict([finding("a", "a", .error, .critical)]) == .degraded, "an unknown critical is not ready")
        #expect(Verdict([finding("a", "a", .fail, .critical), finding("b", "b", .pass, .high)]) == .notReady)
    }

    @Test func nothingThatCountsHasNoScore() {
        #expect(Score([finding("a", "a", .skip, .high)]).overall == nil)
    }
}

@Suite struct RendererTests {
    static let clock = Date(timeIntervalSince1970: 1_795_000_000)

    static func report(_ root: String) throws -> Report {
        try Diagnosis.run(DiagnosisOptions(root: HostRoot(directory: Paths.fixtureRoot(root)), clock: clock), catalog: Catalog.builtIn()).report
    }

    @Test func jsonCarriesTheContractFields() throws {
        let report = try Self.report("net-nat-forwarding-off")
        let json = try JSONSerialization.jsonObject(with: report.encodedJSON()) as! [String: Any]
        for key in ["schemaVersion", "tool", "generatedAt", "now", "profile", "host", "score", "verdict", "findings"] {
            #expect(json[key] != nil, "\(key)")
        }
        #expect((json["tool"] as! [String: Any])["name"] as? String == "virt-doctor")
        #expect((json["tool"] as! [String: Any])["version"] != nil)
        let host = json["host"] as! [String: Any]
        for key in ["hostname", "kernel", "os", "root"] { #expect(host.keys.contains(key), "host.\(key)") }
        let score = json["score"] as! [String: Any]
        #expect(score.keys.contains("overall") && score["areas"] is [Any])
        #expect(json["verdict"] as? String == "degraded", "no /dev in this root: /dev/kvm is unknown, not missing")
        #expect((json["evidence"] as? [String: Any])?["kind"] as? String == "directory")
        #expect(json["generatedAt"] as? String == "2026-11-18T11:06:40Z")
        let findings = json["findings"] as! [[String: Any]]
        for item in findings {
            for key in ["id", "area", "title", "severity", "status", "summary", "evidence", "remediation", "references"] {
                #expect(item[key] != nil, "finding.\(key)")
            }
            #expect(["pass", "warn", "fail", "skip", "error"].contains(item["status"] as! String))
        }
        #expect(try Report.decode(json: report.encodedJSON()) == report, "JSON is the model: it round-trips")
    }

    @Test func scoreIsNullNotMissingWhenNothingCounts() throws {
        let scratch = ScratchRoot()
        scratch.write("proc/sys/kernel/osrelease", "6.1.0\n")
        let report = try Diagnosis.run(DiagnosisOptions(root: scratch.root, profile: .host, clock: Self.clock, only: ["selinux"]), catalog: Catalog.builtIn()).report
        let json = String(decoding: try report.encodedJSON(), as: UTF8.self)
        #expect(json.contains("\"overall\" : null"))
    }

    @Test func textReportNamesProblemsEvidenceAndFixes() throws {
        let text = try Renderer().render(try Self.report("net-nat-forwarding-off"), format: .text)
        #expect(text.contains("Verdict: DEGRADED"))
        #expect(text.contains("Not in this evidence: device nodes (/dev)"))
        #expect(text.contains("[FAIL]  net.ip-forward"))
        #expect(text.contains("seen: /proc/sys/net/ipv4/ip_forward: 0"))
        #expect(text.contains("$ sudo sysctl -w net.ipv4.ip_forward=1"))
        #expect(!text.contains("\u{1B}["), "no colour unless asked")
        let coloured = try Renderer().render(try Self.report("net-nat-forwarding-off"), format: .text, color: true)
        #expect(coloured.contains("\u{1B}[31m"))
        #expect(!text.contains("{{") && !text.contains("&#"), "no template leftovers or HTML escaping in text")
    }

    @Test func markdownIsPlainMarkdown() throws {
        let markdown = try Renderer().render(try Self.report("intel-vmx-bios-disabled"), format: .markdown)
        #expect(markdown.hasPrefix("# virt-doctor report: intel-vmx-bios-disabled"))
        #expect(markdown.contains("**Verdict: NOT-READY**"))
        #expect(markdown.contains("### FAIL · `cpu.virt-bios-disabled`"))
        #expect(markdown.contains("```sh"))
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        var report = try Self.report("kvm-intel-host-ready")
        report.host.hostname = "<script>alert(1)</script>"
        let html = try Renderer().render(report, format: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>") && html.contains("@media print") && html.contains("name=\"viewport\""))
        #expect(!html.contains("<script>alert"), "values are escaped")
        #expect(html.contains("&lt;script&gt;"))
        for external in ["<link ", "src=\"http", "href=\"http", "@import", "url("] {
            #expect(!html.contains(external), "no external assets: \(external)")
        }
    }

    @Test func explainShowsEverything() throws {
        let catalog = try Catalog.builtIn()
        let text = try Renderer().explain(catalog.check(id: "cpu.virt-bios-disabled")!, origin: "built-in")
        for fragment in ["cpu.virt-bios-disabled", "Why it matters", "How it is detected", "How to fix it", "Needs root:", "References"] {
            #expect(text.contains(fragment), "\(fragment)")
        }
    }
}

@Suite struct TemplateTests {
    /// Every template compiled into the binary parses; a broken one would otherwise fail only for the
    /// users of that one format.
    @Test(arguments: ["report.txt", "report.md", "report.html", "explain.txt"])
    func templateParses(_ name: String) throws {
        let text = try String(contentsOfFile: Paths.repository + "/report-templates/\(name).mustache", encoding: .utf8)
        _ = try MustacheTemplate(string: text)
    }
}
