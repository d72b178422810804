import DoctorCore
import Foundation
import Localization
import Mustache

/// Output formats. JSON is the report model itself; the others are rendered from report-templates/.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, markdown, html
}

/// Renders reports and explanations from the templates compiled into the binary. A template is parsed
/// only when its format is asked for: JSON needs none, and start-up time matters for a diagnostic tool.
public struct Renderer: Sendable {
    public struct TemplateError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The words of the chrome for `explain`; a report is rendered in the language it was made in.
    public let strings: Strings

    public init(strings: Strings = .english) {
        self.strings = strings
    }

    public func render(_ report: Report, format: ReportFormat, color: Bool = false) throws -> String {
        switch format {
        case .json:
            return String(decoding: try report.encodedJSON(), as: UTF8.self) + "\n"
        case .text, .markdown, .html:
            let name = ["text": "report.txt", "markdown": "report.md", "html": "report.html"][format.rawValue]!
            // A report.json from another build may name a language this one lacks: its sentences are already
            // written, so only the chrome falls back to English.
            let words = (try? Strings.load(report.language)) ?? .english
            return try render(template: name, ReportView.make(report, color: color && format == .text, strings: words))
        }
    }

    public func explain(_ check: CheckDefinition, origin: String?, color: Bool = false) throws -> String {
        try render(template: "explain.txt", ReportView.explanation(check, origin: origin, color: color, strings: strings))
    }

    func render(template name: String, _ view: [String: Any]) throws -> String {
        guard let text = EmbeddedFiles.all[name + ".mustache"] else {
            throw TemplateError(description: "template \(name).mustache is not built into this binary")
        }
        do {
            return try MustacheTemplate(string: text).render(view)
        } catch {
            throw TemplateError(description: "report-templates/\(name).mustache: \(error)")
        }
    }
}

/// Turns the report into plain dictionaries for the templates: labels, colours and grouping are decided
/// here, so templates stay logic-less.
enum ReportView {
    static func colors(_ enabled: Bool) -> [String: String] {
        guard enabled else { return ["red": "", "green": "", "yellow": "", "blue": "", "bold": "", "dim": "", "reset": ""] }
        return ["red": "\u{1B}[31m", "green": "\u{1B}[32m", "yellow": "\u{1B}[33m", "blue": "\u{1B}[34m",
                "bold": "\u{1B}[1m", "dim": "\u{1B}[2m", "reset": "\u{1B}[0m"]
    }

    static func statusColor(_ status: Status, _ c: [String: String]) -> String {
        switch status {
        case .pass: c["green"]!
        case .warn: c["yellow"]!
        case .fail, .error: c["red"]!
        case .skip: c["dim"]!
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Every chrome string by key, for `{{t.key}}` in the templates, plus the ones that need the report's values.
    static func chrome(_ strings: Strings, _ values: [String: [String: String]] = [:], counts: [String: Int] = [:]) -> [String: String] {
        var t: [String: String] = [:]
        for key in Strings.english.keys.union(strings.keys) { t[key] = strings(key) }
        for (key, variables) in values { t[key] = strings(key, variables) }
        for (key, count) in counts { t[key] = strings(key, count: count) }
        return t
    }

    static func verdictLabel(_ verdict: Verdict, _ strings: Strings) -> String {
        switch verdict {
        case .ready: strings("verdict_ready")
        case .degraded: strings("verdict_degraded")
        case .notReady: strings("verdict_not_ready")
        }
    }

    static func profileName(_ profile: Profile, _ strings: Strings) -> String {
        strings("profile_" + profile.rawValue.replacingOccurrences(of: "-", with: "_"))
    }

    static func make(_ report: Report, color: Bool, strings: Strings = .english) -> [String: Any] {
        let c = colors(color)
        let order: [Status] = [.fail, .error, .warn, .pass, .skip]
        let sorted = report.findings.enumerated().sorted {
            let left = order.firstIndex(of: $0.element.status)!, right = order.firstIndex(of: $1.element.status)!
            return left != right ? left < right : $0.offset < $1.offset
        }.map(\.element)
        let verdictColor = report.verdict == .ready ? c["green"]! : report.verdict == .degraded ? c["yellow"]! : c["red"]!
        // Most severe first, then by status, then catalog order; consequences are listed under their cause.
        let statusRank: [Status: Int] = [.fail: 0, .error: 1, .warn: 2]
        let problems = report.findings.enumerated()
            .filter { statusRank[$0.element.status] != nil && $0.element.cause == nil }
            .sorted { left, right in
                if left.element.severity != right.element.severity { return left.element.severity > right.element.severity }
                let (a, b) = (statusRank[left.element.status]!, statusRank[right.element.status]!)
                return a != b ? a < b : left.offset < right.offset
            }.map(\.element)
        var consequences: [String: [Finding]] = [:]
        for item in report.findings where item.cause != nil { consequences[item.cause!, default: []].append(item) }
        let unknown = strings("unknown")
        let hostname = report.host.hostname ?? unknown
        let score = report.score.overall.map { "\($0)/100" } ?? strings("score_not_available")
        let t = chrome(strings, [
            "report_title": ["hostname": hostname],
            "header_kernel": ["kernel": report.host.kernel ?? unknown, "architecture": report.host.architecture ?? unknown],
            "evaluated_as_of_report_made": ["now": timestamp(report.now), "generatedAt": timestamp(report.generatedAt)],
            "generated_by": ["generatedAt": timestamp(report.generatedAt), "toolName": report.tool.name, "toolVersion": report.tool.version],
            "score_value": ["score": score],
            "html_footer": ["toolName": report.tool.name, "toolVersion": report.tool.version],
        ], counts: [
            "count_failed": report.counts.fail, "count_warnings": report.counts.warn, "count_errors": report.counts.error,
            "count_passed": report.counts.pass, "count_skipped": report.counts.skip,
        ])
        let finding = { (item: Finding) -> [String: Any] in
            var view = ReportView.finding(item, c, strings)
            let following = consequences[item.id] ?? []
            view["consequences"] = following.map { ReportView.finding($0, c, strings) }
            view["hasConsequences"] = !following.isEmpty
            view["consequencesHeading"] = strings("consequences_heading", ["id": item.id])
            return view
        }
        let evidence = report.evidence.map { ReportView.evidenceLines($0, strings) } ?? []
        // `migrate`: the second host, described as the first is in the header.
        var destination: [String] = []
        if let other = report.destination {
            destination.append(strings("label_destination") + ": " + [other.hostname ?? unknown, other.os ?? unknown,
                               strings("header_kernel", ["kernel": other.kernel ?? unknown, "architecture": other.architecture ?? unknown]),
                               other.root].joined(separator: "  "))
            destination += (report.destinationEvidence.map { ReportView.evidenceLines($0, strings) } ?? []).map { "  " + $0 }
        }
        return [
            "t": t,
            "c": c,
            "toolName": report.tool.name,
            "toolVersion": report.tool.version,
            "generatedAt": timestamp(report.generatedAt),
            "now": timestamp(report.now),
            "nowDiffers": abs(report.now.timeIntervalSince(report.generatedAt)) > 1,
            "profile": profileName(report.profile.effective, strings),
            "profileRequested": report.profile.requested,
            "profileReason": report.profile.reason,
            "host": [
                "hostname": hostname,
                "kernel": report.host.kernel ?? unknown,
                "os": report.host.os ?? unknown,
                "architecture": report.host.architecture ?? unknown,
                "root": report.host.root,
                "virtualization": report.host.virtualization ?? unknown,
            ],
            "sourceLines": evidence,
            "destinationLines": destination,
            "score": score,
            "scoreNumber": report.score.overall ?? 0,
            "verdict": report.verdict.rawValue,
            "verdictLabel": verdictLabel(report.verdict, strings),
            "verdictColor": verdictColor,
            "areas": report.score.areas.map { area in
                [
                    "area": area.area,
                    "paddedArea": area.area.padding(toLength: 9, withPad: " ", startingAt: 0),
                    "score": area.score.map(String.init) ?? strings("score_not_available"),
                    "percent": area.score ?? 0,
                    "bar": area.score.map { String(repeating: "#", count: $0 / 10) + String(repeating: ".", count: 10 - $0 / 10) } ?? "..........",
                ] as [String: Any]
            },
            "counts": [
                "pass": report.counts.pass, "warn": report.counts.warn, "fail": report.counts.fail,
                "skip": report.counts.skip, "error": report.counts.error,
            ],
            "findings": sorted.map(finding),
            "problems": problems.map(finding),
            "hasProblems": !problems.isEmpty,
            "passed": sorted.filter { $0.status == .pass }.map(finding),
            "skipped": sorted.filter { $0.status == .skip }.map(finding),
            "hasSkipped": sorted.contains { $0.status == .skip },
        ]
    }

    /// The header's account of the evidence: what it was, whose and when, what it could not hold.
    static func evidenceLines(_ evidence: EvidenceSource, _ strings: Strings) -> [String] {
        var description = strings("evidence_noun_" + evidence.noun.replacingOccurrences(of: " ", with: "_"))
        if let collector = evidence.collector { description += " (\(collector))" }
        if let hostname = evidence.hostname { description += " " + strings("evidence_of_host", ["hostname": hostname]) }
        if let collectedAt = evidence.collectedAt { description += ", " + strings("evidence_collected", ["time": timestamp(collectedAt)]) }
        var lines = [strings("label_evidence") + ": " + description]
        if !evidence.lacking.isEmpty {
            lines.append(strings("label_evidence_lacking") + ": " + evidence.lacking.map { code in
                let key = "evidence_lacks_" + code.replacingOccurrences(of: "-", with: "_")
                let text = strings(key)
                return text == key ? code : text
            }.joined(separator: ", "))
        }
        if !evidence.derived.isEmpty {
            lines.append(strings("label_evidence_derived") + ": " + evidence.derived.joined(separator: "; "))
        }
        return lines
    }

    static func finding(_ finding: Finding, _ c: [String: String], _ strings: Strings) -> [String: Any] {
        let informational = finding.severity == .info
        let name = finding.status == .pass && informational ? "info" : finding.status.rawValue
        let label = strings("status_" + name)
        let tag = strings("status_tag_" + name)
        // The column is as wide as the language's longest tag, so summaries line up in every language.
        let width = ["pass", "info", "warn", "fail", "skip", "error"].map { strings("status_tag_" + $0).count }.max()! + 2
        // A migration finding about one guest is named after it too ("migr.cpu-compat [web01]"): the same
        // check appears once per guest, and each needs its own anchor in the page.
        let displayName = finding.guest.map { "\(finding.id) [\($0)]" } ?? finding.id
        let anchor = finding.guest.map { "\(finding.id)--\($0.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })" } ?? finding.id
        return [
            "id": finding.id,
            "name": displayName,
            "anchor": anchor,
            "guest": finding.guest ?? "",
            "area": finding.area,
            "title": finding.title,
            "status": finding.status.rawValue,
            "statusLabel": label,
            "statusTag": "[\(tag)]".padding(toLength: width, withPad: " ", startingAt: 0),
            "statusColor": statusColor(finding.status, c),
            "severity": strings("severity_" + finding.severity.rawValue),
            "summary": finding.summary,
            "evidence": finding.evidence.map { ["source": $0.source, "value": $0.value, "note": $0.note ?? "", "hasNote": $0.note != nil] as [String: Any] },
            "hasEvidence": !finding.evidence.isEmpty,
            "remediation": finding.remediation.enumerated().map { index, step in
                [
                    "number": index + 1, "title": step.title,
                    "commands": step.commands, "hasCommands": !step.commands.isEmpty,
                    "notes": step.notes ?? "", "hasNotes": step.notes != nil,
                ] as [String: Any]
            },
            "hasRemediation": !finding.remediation.isEmpty,
            "references": finding.references,
            "hasReferences": !finding.references.isEmpty,
        ]
    }

    static func explanation(_ check: CheckDefinition, origin: String?, color: Bool, strings: Strings = .english) -> [String: Any] {
        let c = colors(color)
        var severities = [strings("severity_default", ["severity": strings("severity_" + check.severity.defaultSeverity.rawValue)])]
        for (profile, severity) in check.severity.overrides.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            severities.append("\(profileName(profile, strings)): \(strings("severity_" + severity.rawValue))")
        }
        return [
            "t": chrome(strings),
            "c": c,
            "id": check.id, "title": check.title, "area": check.area,
            "profiles": check.profiles.map { profileName($0, strings) }.joined(separator: ", "),
            "severity": severities.joined(separator: ", "),
            "rationale": check.rationale.trimmingCharacters(in: .whitespacesAndNewlines),
            "detection": check.detection.trimmingCharacters(in: .whitespacesAndNewlines),
            "facts": check.facts.joined(separator: ", "),
            "judgedBy": check.rule.map { strings("judged_by_rule", ["fact": $0.comparison.fact]) } ?? strings("judged_by_evaluator", ["name": check.evaluatorName]),
            "needsRoot": check.needsRoot ?? "", "hasNeedsRoot": check.needsRoot != nil,
            "remediation": check.remediation.enumerated().map { index, step in
                [
                    "number": index + 1, "title": step.title,
                    "when": strings("step_when", ["when": step.when?.joined(separator: ", ") ?? ""]), "hasWhen": step.when != nil,
                    "commands": step.commands, "hasCommands": !step.commands.isEmpty,
                    "notes": step.notes?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", "hasNotes": step.notes != nil,
                ] as [String: Any]
            },
            "references": check.references,
            "origin": origin ?? "", "hasOrigin": origin != nil,
        ]
    }
}
