import CheckEngine
import DoctorCore
import Foundation
import Localization

extension Renderer {
    /// A fleet report: JSON is the model itself; text, markdown and HTML come from fleet.*.mustache.
    public func render(fleet: FleetReport, format: ReportFormat, color: Bool = false) throws -> String {
        switch format {
        case .json:
            return String(decoding: try fleet.encodedJSON(), as: UTF8.self) + "\n"
        case .text, .markdown, .html:
            let name = ["text": "fleet.txt", "markdown": "fleet.md", "html": "fleet.html"][format.rawValue]!
            let words = (try? Strings.load(fleet.language)) ?? .english
            return try render(template: name, FleetView.make(fleet, color: color && format == .text, strings: words))
        }
    }
}

/// The fleet report as dictionaries for the templates; as in ReportView, every decision is made here.
enum FleetView {
    static func make(_ fleet: FleetReport, color: Bool, strings: Strings) -> [String: Any] {
        let c = ReportView.colors(color)
        let problemHosts = fleet.hosts.filter { host in host.counts.fail > 0 }.count
        let t = ReportView.chrome(strings, [
            "fleet_title": ["count": String(fleet.hosts.count)],
            "fleet_summary": ["problems": String(problemHosts), "count": String(fleet.hosts.count)],
            "generated_by": ["generatedAt": ReportView.timestamp(fleet.generatedAt), "toolName": fleet.tool.name, "toolVersion": fleet.tool.version],
            "html_footer": ["toolName": fleet.tool.name, "toolVersion": fleet.tool.version],
        ])
        func tag(_ status: Status?) -> String {
            guard let status else { return "-" }
            return strings("status_tag_" + status.rawValue)
        }
        let hosts = fleet.hosts.enumerated().map { index, host -> [String: Any] in
            let verdictColor = host.verdict == .ready ? c["green"]! : host.verdict == .degraded ? c["yellow"]! : c["red"]!
            return [
                "number": index + 1, "name": host.name, "paddedName": host.name.padding(toLength: max(12, host.name.count), withPad: " ", startingAt: 0),
                "input": host.input, "evidenceKind": host.evidenceKind, "verdict": host.verdict.rawValue,
                "verdictLabel": ReportView.verdictLabel(host.verdict, strings), "verdictColor": verdictColor,
                "score": host.score.map { "\($0)/100" } ?? strings("score_not_available"),
                "fail": host.counts.fail, "warn": host.counts.warn, "error": host.counts.error, "pass": host.counts.pass,
                "notes": host.notes, "hasNotes": !host.notes.isEmpty,
            ]
        }
        let width = max(12, fleet.problems.map(\.check.count).max() ?? 0)
        let problems = fleet.problems.map { problem -> [String: Any] in
            let worst = problem.hosts.map(\.status).max { FleetViewRank.rank($0) < FleetViewRank.rank($1) } ?? .warn
            return [
                "check": problem.check, "title": problem.title, "status": worst.rawValue, "tag": "[\(tag(worst))]",
                "statusColor": ReportView.statusColor(worst, c), "severity": strings("severity_" + problem.severity.rawValue),
                "hostCount": problem.hostCount,
                "hostsLine": strings("fleet_hosts_count", count: problem.hostCount, ["hosts": problem.hosts.map(\.host).joined(separator: ", ")]),
                "hosts": problem.hosts.map { ["host": $0.host, "status": $0.status.rawValue, "tag": tag($0.status), "summary": $0.summary] },
                // One cell per host, in host order, for the matrix.
                "cells": fleet.matrix.map { row -> [String: Any] in
                    let status = row.statuses[problem.check]
                    return ["status": status?.rawValue ?? "none", "tag": tag(status), "host": row.host,
                            "paddedTag": tag(status).padding(toLength: 6, withPad: " ", startingAt: 0)]
                },
                "paddedCheck": problem.check.padding(toLength: width, withPad: " ", startingAt: 0),
            ]
        }
        let cross = fleet.crossHost
        let macs = cross.macCollisions.map { collision -> [String: Any] in
            ["mac": collision.mac, "guests": collision.guests.map { "\($0.host)/\($0.guest)" }.joined(separator: ", ")]
        }
        let cpus = cross.cpuOutliers.map { outlier -> [String: Any] in
            var parts: [String] = []
            if !outlier.missing.isEmpty { parts.append(strings("fleet_cpu_missing", ["flags": outlier.missing.joined(separator: " ")])) }
            if !outlier.extra.isEmpty { parts.append(strings("fleet_cpu_extra", ["flags": outlier.extra.joined(separator: " ")])) }
            return ["host": outlier.host, "text": parts.joined(separator: "; ")]
        }
        let versions = cross.versionOutliers.map { outlier -> [String: Any] in
            ["host": outlier.host, "text": strings("fleet_version_differs", ["component": outlier.component, "version": outlier.version,
                                                                             "majority": outlier.majority])]
        }
        let calendar = cross.certificateCalendar.map { month -> [String: Any] in
            ["month": month.month, "certificates": month.certificates.map { item -> [String: Any] in
                ["host": item.host, "path": item.path, "role": item.role, "state": item.state,
                 "expired": item.state == "expired", "notAfter": ReportView.timestamp(item.notAfter),
                 "daysLeft": item.daysLeft.map(String.init) ?? "?"]
            }]
        }
        let migration = fleet.migration
        let pairs = migration.pairs.map { pair -> [String: Any] in
            let state = pair.guests == 0 ? "none" : pair.movable == pair.guests ? "pass" : pair.movable == 0 ? "fail" : "warn"
            return ["source": pair.source, "destination": pair.destination, "movable": pair.movable, "guests": pair.guests,
                    "state": state, "failing": pair.failingChecks.joined(separator: ", "), "hasFailing": !pair.failingChecks.isEmpty,
                    "blocked": pair.blockedGuests.joined(separator: ", ")]
        }
        // The migration matrix as a square table for HTML: rows are sources, columns destinations.
        var byPair: [String: [String: Any]] = [:]
        for pair in pairs { byPair["\(pair["source"]!)\u{0}\(pair["destination"]!)"] = pair }
        let migrationRows = migration.capped ? [] : fleet.hosts.map { source -> [String: Any] in
            ["source": source.name, "cells": fleet.hosts.map { destination -> [String: Any] in
                byPair["\(source.name)\u{0}\(destination.name)"].map { $0.merging(["self": false], uniquingKeysWith: { a, _ in a }) }
                    ?? ["self": true, "state": "self"]
            }]
        }
        return [
            "t": t, "c": c,
            "toolName": fleet.tool.name, "toolVersion": fleet.tool.version,
            "generatedAt": ReportView.timestamp(fleet.generatedAt),
            "now": fleet.now.map(ReportView.timestamp) ?? "", "hasNow": fleet.now != nil,
            "healthy": fleet.healthy,
            "healthLabel": fleet.healthy ? strings("fleet_healthy") : strings("fleet_problems"),
            "healthColor": fleet.healthy ? c["green"]! : c["red"]!,
            "hosts": hosts,
            "unreadable": fleet.unreadable.map { ["input": $0.input, "reason": $0.reason] }, "hasUnreadable": !fleet.unreadable.isEmpty,
            "problems": problems, "hasProblems": !problems.isEmpty,
            "hostNumbers": fleet.hosts.indices.map { String($0 + 1).padding(toLength: 6, withPad: " ", startingAt: 0) }.joined(),
            "matrixPad": String(repeating: " ", count: width),
            "macCollisions": macs, "hasMacCollisions": !macs.isEmpty,
            "cpuOutliers": cpus, "hasCpuOutliers": !cpus.isEmpty,
            "versionOutliers": versions, "hasVersionOutliers": !versions.isEmpty,
            "hasCrossHost": fleet.hasCrossHostProblems,
            "calendar": calendar, "hasCalendar": !calendar.isEmpty,
            "migrationPairs": pairs, "hasMigrationPairs": !pairs.isEmpty,
            "migrationRows": migrationRows,
            "migrationNote": migration.note ?? "", "hasMigrationNote": migration.note != nil,
        ]
    }
}

enum FleetViewRank {
    static func rank(_ status: Status) -> Int {
        switch status {
        case .fail: 4
        case .error: 3
        case .warn: 2
        case .pass: 1
        case .skip: 0
        }
    }
}
