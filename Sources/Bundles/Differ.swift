import DoctorCore
import Foundation
import HostFacts
import Reporting

/// What changed between two runs of the same host: findings that changed status, and facts that changed
/// (a renewed certificate, a new kernel, a sysctl flipped).
public struct Difference: Codable, Sendable {
    public struct StatusChange: Codable, Sendable, Equatable {
        public var id: String
        public var before: Status?
        public var after: Status?
        public var summary: String
    }

    public struct FactChange: Codable, Sendable, Equatable {
        public var fact: String
        public var before: String
        public var after: String
    }

    public var old: String
    public var new: String
    public var verdict: [String]
    public var score: [Int?]
    public var findings: [StatusChange]
    public var facts: [FactChange]

    public func text() -> String {
        var out = "Comparing \(old)\n     with \(new)\n\n"
        out += "Verdict: \(verdict[0]) -> \(verdict[1])    Score: \(score[0].map(String.init) ?? "n/a") -> \(score[1].map(String.init) ?? "n/a")\n"
        out += "\nFindings that changed (\(findings.count)):\n"
        for change in findings {
            out += "  \(change.id): \(change.before?.rawValue ?? "absent") -> \(change.after?.rawValue ?? "absent")  \(change.summary)\n"
        }
        if findings.isEmpty { out += "  none\n" }
        out += "\nFacts that changed (\(facts.count)):\n"
        for change in facts { out += "  \(change.fact): \(change.before) -> \(change.after)\n" }
        if facts.isEmpty { out += "  none" + (facts.isEmpty ? " (or no facts recorded: compare bundles to see fact changes)" : "") + "\n" }
        return out
    }
}

public enum Differ {
    struct Side {
        var report: Report
        var facts: [String: FactRecord]
    }

    /// A bundle (report.json and facts.json inside) or a report.json file. Every failure is one sentence.
    static func load(_ path: String, limits: Archive.Limits = .standard) throws -> Side {
        // The first bytes tell a gzip bundle from a JSON report; reading stays bounded either way.
        let head: [UInt8]
        do throws(FactError) {
            head = try HostRoot.live.readBytes(path, limit: BundleDocuments.maximumReportBytes)
        } catch .tooLarge {
            // Too big for a report.json; it may still be a bundle, which is read streaming.
            head = [0x1F, 0x8B]
        } catch {
            throw ArchiveError("cannot read \(path): \(error)")
        }
        if head.starts(with: [0x1F, 0x8B]) {
            let members: [ArchiveMember]
            do {
                members = try Archive.read(file: path, limits: limits)
            } catch {
                throw ArchiveError("\(path): \(error)")
            }
            guard let reportBytes = BundleDocuments.topLevelFile(members, "report.json") else {
                throw ArchiveError("\(path) is not a virt-doctor bundle: it holds no report.json")
            }
            let report = try BundleDocuments.report(reportBytes, source: "\(path): report.json")
            var notes: [String] = []
            let facts = BundleDocuments.facts(members, notes: &notes)
            return Side(report: report, facts: Dictionary(facts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        do {
            return Side(report: try Report.decode(json: Data(head)), facts: [:])
        } catch {
            throw ArchiveError("\(path) is neither a virt-doctor bundle nor a report.json: it \(BundleDocuments.describe(error))")
        }
    }

    public static func compare(old oldPath: String, new newPath: String) throws -> Difference {
        let old = try load(oldPath), new = try load(newPath)
        let before = Dictionary(old.report.findings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.report.findings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var findings: [Difference.StatusChange] = []
        for id in Set(before.keys).union(after.keys).sorted() where before[id]?.status != after[id]?.status {
            findings.append(.init(id: id, before: before[id]?.status, after: after[id]?.status, summary: after[id]?.summary ?? before[id]?.summary ?? ""))
        }
        var facts: [Difference.FactChange] = []
        for name in Set(old.facts.keys).intersection(new.facts.keys).sorted() {
            let a = old.facts[name]!, b = new.facts[name]!
            guard a.value != b.value || a.available != b.available else { continue }
            facts += describe(name, a, b)
        }
        return Difference(old: oldPath, new: newPath, verdict: [old.report.verdict.rawValue, new.report.verdict.rawValue],
                          score: [old.report.score.overall, new.report.score.overall], findings: findings, facts: facts)
    }

    /// Readable changes: certificates per file, scalars as values, anything else as "changed".
    static func describe(_ name: String, _ old: FactRecord, _ new: FactRecord) -> [Difference.FactChange] {
        func text(_ record: FactRecord) -> String {
            guard record.available else { return "unavailable (\(record.unavailableReason ?? ""))" }
            return record.value?.scalarText ?? "(structure)"
        }
        if name == "cert.inventory", case .object(let a)? = old.value, case .object(let b)? = new.value,
           case .list(let oldEntries)? = a["entries"], case .list(let newEntries)? = b["entries"] {
            func byPath(_ entries: [FactValue]) -> [String: String] {
                var result: [String: String] = [:]
                for entry in entries {
                    guard let path = entry.value(at: "path")?.scalarText else { continue }
                    let notAfter = entry.value(at: "file.certificates.0.notAfter")?.scalarText ?? "unreadable"
                    let serial = entry.value(at: "file.certificates.0.serialHex")?.scalarText ?? "-"
                    result[path] = "serial \(serial), notAfter \(notAfter)"
                }
                return result
            }
            let before = byPath(oldEntries), after = byPath(newEntries)
            return Set(before.keys).union(after.keys).sorted().compactMap { path in
                before[path] == after[path] ? nil : .init(fact: "certificate \(path)", before: before[path] ?? "absent", after: after[path] ?? "absent")
            }
        }
        let before = text(old), after = text(new)
        return [.init(fact: name, before: before == after ? "(structure)" : before, after: before == after ? "changed" : after)]
    }
}
