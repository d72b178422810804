import DoctorCore
import Foundation
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

    public init() {}

    public func render(_ report: Report, format: ReportFormat, color: Bool = false) throws -> String {
        switch format {
        case .json:
            return String(decoding: try report.encodedJSON(), as: UTF8.self) + "\n"
        case .text, .markdown, .html:
            let name = ["text": "report.txt", "markdown": "report.md", "html": "report.html"][format.rawValue]!
            return try render(template: name, ReportView.make(report, color: color && format == .text))
        }
    }

    public func explain(_ check: CheckDefinition, origin: String?, color: Bool = false) throws -> String {
        try render(template: "explain.txt", ReportView.explanation(check, origin: origin, color: color))
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

    static func make(_ report: Report, color: Bool) -> [String: Any] {
        let c = colors(color)
        let order: [Status] = [.fail, .error, .warn, .pass, .skip]
        let sorted = report.findings.enumerated().sorted {
            let left = order.firstIndex(of: $0.element.status)!, right = order.firstIndex(of: $1.element.status)!
            return left != right ? left < right : $0.offset < $1.offset
        }.map(\.element)
        let verdictColor = report.verdict == .ready ? c["green"]! : report.verdict == .degraded ? c["yellow"]! : c["red"]!
        let problems = sorted.filter { $0.status == .fail || $0.status == .warn || $0.status == .error }
        return [
            "c": c,
            "toolName": report.tool.name,
            "toolVersion": report.tool.version,
            "generatedAt": timestamp(report.generatedAt),
            "now": timestamp(report.now),
            "nowDiffers": abs(report.now.timeIntervalSince(report.generatedAt)) > 1,
            "profile": report.profile.effective.rawValue,
            "profileRequested": report.profile.requested,
            "profileReason": report.profile.reason,
            "host": [
                "hostname": report.host.hostname ?? "unknown",
                "kernel": report.host.kernel ?? "unknown",
                "os": report.host.os ?? "unknown",
                "architecture": report.host.architecture ?? "unknown",
                "root": report.host.root,
                "virtualization": report.host.virtualization ?? "unknown",
            ],
            "score": report.score.overall.map { "\($0)/100" } ?? "n/a",
            "scoreNumber": report.score.overall ?? 0,
            "verdict": report.verdict.rawValue,
            "verdictLabel": report.verdict.rawValue.uppercased(),
            "verdictColor": verdictColor,
            "areas": report.score.areas.map { area in
                [
                    "area": area.area,
                    "paddedArea": area.area.padding(toLength: 9, withPad: " ", startingAt: 0),
                    "score": area.score.map(String.init) ?? "n/a",
                    "percent": area.score ?? 0,
                    "bar": area.score.map { String(repeating: "#", count: $0 / 10) + String(repeating: ".", count: 10 - $0 / 10) } ?? "..........",
                ] as [String: Any]
            },
            "counts": [
                "pass": report.counts.pass, "warn": report.counts.warn, "fail": report.counts.fail,
                "skip": report.counts.skip, "error": report.counts.error,
            ],
            "findings": sorted.map { finding($0, c) },
            "problems": problems.map { finding($0, c) },
            "hasProblems": !problems.isEmpty,
            "passed": sorted.filter { $0.status == .pass }.map { finding($0, c) },
            "skipped": sorted.filter { $0.status == .skip }.map { finding($0, c) },
            "hasSkipped": sorted.contains { $0.status == .skip },
        ]
    }

    static func finding(_ finding: Finding, _ c: [String: String]) -> [String: Any] {
        let informational = finding.severity == .info
        let label = finding.status == .pass && informational ? "INFO" : finding.status.rawValue.uppercased()
        return [
            "id": finding.id,
            "area": finding.area,
            "title": finding.title,
            "status": finding.status.rawValue,
            "statusLabel": label,
            "statusTag": "[\(label)]".padding(toLength: 7, withPad: " ", startingAt: 0),
            "statusColor": statusColor(finding.status, c),
            "severity": finding.severity.rawValue,
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

    static func explanation(_ check: CheckDefinition, origin: String?, color: Bool) -> [String: Any] {
        let c = colors(color)
        var severities = ["default: \(check.severity.defaultSeverity.rawValue)"]
        for (profile, severity) in check.severity.overrides.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            severities.append("\(profile.rawValue): \(severity.rawValue)")
        }
        return [
            "c": c,
            "id": check.id, "title": check.title, "area": check.area,
            "profiles": check.profiles.map(\.rawValue).joined(separator: ", "),
            "severity": severities.joined(separator: ", "),
            "rationale": check.rationale.trimmingCharacters(in: .whitespacesAndNewlines),
            "detection": check.detection.trimmingCharacters(in: .whitespacesAndNewlines),
            "facts": check.facts.joined(separator: ", "),
            "judgedBy": check.evaluator.map { "evaluator \($0)" } ?? "declarative rule on \(check.rule?.comparison.fact ?? "?")",
            "needsRoot": check.needsRoot ?? "", "hasNeedsRoot": check.needsRoot != nil,
            "remediation": check.remediation.enumerated().map { index, step in
                [
                    "number": index + 1, "title": step.title,
                    "when": step.when?.joined(separator: ", ") ?? "", "hasWhen": step.when != nil,
                    "commands": step.commands, "hasCommands": !step.commands.isEmpty,
                    "notes": step.notes?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", "hasNotes": step.notes != nil,
                ] as [String: Any]
            },
            "references": check.references,
            "origin": origin ?? "", "hasOrigin": origin != nil,
        ]
    }
}
