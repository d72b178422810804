import CheckEngine
import Crypto
import DoctorCore
import Foundation
import HostFacts
import Reporting
#if canImport(Glibc)
import Glibc
#endif

/// A known message found in a collected log.
public struct LogMatch: Codable, Sendable, Equatable {
    public var file: String
    public var line: String
    public var cause: String
    public var checks: [String]
}

/// Whether the bundle's files are the ones manifest.json lists, byte for byte. A bundle that fails this was
/// changed after `collect` wrote it (or damaged); it is still analyzed, and the report says so.
public struct Integrity: Codable, Sendable, Equatable {
    /// Files whose size and SHA-256 match the manifest.
    public var verified: Int = 0
    /// Listed in the manifest, absent from the archive.
    public var missing: [String] = []
    /// Present, but with another size or SHA-256 than listed ("path: why").
    public var changed: [String] = []
    /// In the archive, not listed in the manifest.
    public var unlisted: [String] = []
    /// Why no file could be checked (a sos report carries no virt-doctor manifest); nil for bundles.
    public var notApplicable: String?

    public var intact: Bool { missing.isEmpty && changed.isEmpty && unlisted.isEmpty }

    public var summary: String {
        if let notApplicable { return notApplicable }
        if intact { return "all \(verified) files match manifest.json (size and SHA-256)" }
        var parts: [String] = []
        if !changed.isEmpty { parts.append("\(changed.count) changed") }
        if !missing.isEmpty { parts.append("\(missing.count) missing") }
        if !unlisted.isEmpty { parts.append("\(unlisted.count) not listed") }
        return "the bundle does not match its manifest.json: \(parts.joined(separator: ", ")) (\(verified) files match); it was altered or damaged after collection"
    }
}

/// `virt-doctor analyze`: the bundle's recorded facts judged again, plus what its logs say.
public struct Analysis: Codable, Sendable {
    public var bundle: String
    /// nil for evidence that is not a virt-doctor bundle (a sos report).
    public var manifest: Manifest?
    public var report: Report
    public var logMatches: [LogMatch]
    public var integrity: Integrity
    /// What the analysis left out or could not use (a cut log scan, an oversized facts.json), in sentences.
    public var notes: [String]
}

/// Reading a bundle's top-level JSON documents with bounded sizes and one-sentence errors.
enum BundleDocuments {
    /// manifest.json lists every file (about 150 bytes each); 50,000 members fit in well under 16 MiB.
    static let maximumManifestBytes = 16 << 20
    /// facts.json of a real host is well under 1 MiB; JSONDecoder needs several times the text in memory,
    /// so anything near the member limit is refused before decoding.
    static let maximumFactsBytes = 16 << 20
    /// report.json is about the size of facts.json.
    static let maximumReportBytes = 16 << 20

    static func topLevelFile(_ members: [ArchiveMember], _ name: String) -> [UInt8]? {
        members.first { $0.path == name && $0.kind == .file }?.contents
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// The manifest, or a sentence saying why the archive is not a bundle this version reads.
    static func manifest(_ members: [ArchiveMember]) throws -> Manifest {
        guard let bytes = topLevelFile(members, "manifest.json") else {
            throw ArchiveError("it is not a virt-doctor bundle (it has no manifest.json)")
        }
        guard bytes.count <= maximumManifestBytes else {
            throw ArchiveError("manifest.json is \(bytes.count) bytes, more than the \(maximumManifestBytes) a bundle's manifest can be")
        }
        struct Version: Decodable { var schemaVersion: Int? }
        let version: Version
        do {
            version = try decoder().decode(Version.self, from: Data(bytes))
        } catch {
            throw ArchiveError("manifest.json \(describe(error))")
        }
        guard version.schemaVersion == 1 else {
            throw ArchiveError("manifest.json has schema version \(version.schemaVersion.map(String.init) ?? "none"); this virt-doctor reads version 1")
        }
        do {
            return try decoder().decode(Manifest.self, from: Data(bytes))
        } catch {
            throw ArchiveError("manifest.json \(describe(error))")
        }
    }

    /// The recorded facts; nil with a note when they cannot be used (the analysis then reads files only).
    static func facts(_ members: [ArchiveMember], notes: inout [String]) -> [FactRecord] {
        guard let bytes = topLevelFile(members, "facts.json") else {
            notes.append("The bundle has no facts.json: facts only the live host could answer (libvirt, udev, the /dev/kvm probe) are unavailable.")
            return []
        }
        guard bytes.count <= maximumFactsBytes else {
            notes.append("facts.json is \(bytes.count) bytes, more than the \(maximumFactsBytes) read: the recorded facts were not used, only the collected files.")
            return []
        }
        do {
            return try decoder().decode(FactsDocument.self, from: Data(bytes)).facts
        } catch {
            notes.append("facts.json \(describe(error)): the recorded facts were not used, only the collected files.")
            return []
        }
    }

    static func report(_ bytes: [UInt8], source: String) throws -> Report {
        guard bytes.count <= maximumReportBytes else {
            throw ArchiveError("\(source) is \(bytes.count) bytes, more than the \(maximumReportBytes) a virt-doctor report.json can be")
        }
        do {
            return try Report.decode(json: Data(bytes))
        } catch {
            throw ArchiveError("\(source) is not a virt-doctor report.json: it \(describe(error))")
        }
    }

    /// A decoding failure as the rest of a sentence ("manifest.json " + this).
    static func describe(_ error: Error) -> String {
        func location(_ path: [CodingKey]) -> String {
            path.isEmpty ? "the top" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "is not valid JSON" : "has an invalid value at \(location(context.codingPath))"
        case .keyNotFound(let key, let context)?: return "lacks the field \(location(context.codingPath + [key]))"
        case .typeMismatch(_, let context)?: return "has a value of the wrong type at \(location(context.codingPath))"
        case .valueNotFound(_, let context)?: return "has null where a value belongs at \(location(context.codingPath))"
        default: return "cannot be decoded"
        }
    }
}

public enum Analyzer {
    public static func analyze(bundle path: String, catalog: Catalog, profile: Profile? = nil, now: Date? = nil, clock: Date = Date(),
                               limits: Archive.Limits = .standard) throws -> Analysis {
        try analyze(bundle: path, catalog: catalog, options: DiagnosisOptions(profile: profile, now: now, clock: clock), limits: limits)
    }

    /// The bundle judged with the same options `check` takes; the root is the bundle, and the profile and
    /// instant default to the ones recorded at collection.
    public static func analyze(bundle path: String, catalog: Catalog, options: DiagnosisOptions,
                               limits: Archive.Limits = .standard) throws -> Analysis {
        let opened = try OpenedEvidence.open(path, limits: limits)
        let diagnosis = opened.diagnosisOptions(options)
        var report = try Diagnosis.run(diagnosis, catalog: catalog).report
        opened.describe(&report, profileChosen: options.profile != nil)
        var scan = LogScan(messages: catalog.localized(diagnosis.language).knownMessages)
        opened.scanLogs(&scan)
        return Analysis(bundle: path, manifest: opened.manifest, report: report, logMatches: scan.matches, integrity: opened.integrity,
                        notes: opened.notes + scan.notes)
    }

    /// sos plugins whose outputs the sos reading uses (SosReport); the rest of sos_commands is streamed past.
    static let sosPluginsRead: Set<String> = ["kernel", "processor", "hardware", "block", "devices", "process", "selinux", "host",
                                               "date", "general", "logs", "libvirt", "virsh", "vdsm", "networking"]

    /// Which archive members analyze holds in memory. A bundle holds only what its checks read, so all of
    /// it is kept; a sos report holds hundreds of megabytes of which a few matter: whole plugin folders it
    /// does not read, per-process files other than the name, slab and IRQ tables, journals and /usr are
    /// skipped while streaming, so a large report fits the held-bytes limit.
    static func worthKeeping(_ path: String) -> Bool {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true)
        // A sos archive keeps everything under one folder named after the host.
        if let first = parts.first, first.hasPrefix("sosreport-") || first.hasPrefix("sos-") { parts.removeFirst() }
        guard let top = parts.first else { return true }
        switch top {
        case "sos_commands":
            return parts.count < 2 || sosPluginsRead.contains(String(parts[1]))
        case "usr":
            return false
        case "proc":
            if parts.count >= 3, parts[1].allSatisfy(\.isNumber) {
                return ["comm", "environ", "cgroup", "status"].contains(String(parts[2]))
            }
            return parts.count < 2 || !["irq", "slabinfo", "kallsyms", "timer_list"].contains(String(parts[1]))
        case "sys":
            return !(parts.count >= 3 && parts[1] == "kernel" && parts[2] == "slab") && !(parts.count >= 3 && parts[1] == "fs" && parts[2] == "cgroup")
        case "var":
            return !(parts.count >= 3 && parts[1] == "log" && parts[2] == "journal")
        default:
            return true
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Every regular file against manifest.json's size and SHA-256 (manifest.json itself is not listed).
    static func verify(_ members: [ArchiveMember], against manifest: Manifest) -> Integrity {
        var integrity = Integrity()
        var listed: [String: Manifest.File] = [:]
        for file in manifest.files { listed[file.path] = file }
        var seen = Set<String>()
        for member in members where member.kind == .file && member.path != "manifest.json" {
            seen.insert(member.path)
            guard let expected = listed[member.path] else {
                integrity.unlisted.append(member.path)
                continue
            }
            if member.contents.count != expected.size {
                integrity.changed.append("\(member.path): \(member.contents.count) bytes, the manifest says \(expected.size)")
                continue
            }
            let digest = SHA256.hash(data: member.contents).map { String(format: "%02x", $0) }.joined()
            if digest != expected.sha256.lowercased() {
                integrity.changed.append("\(member.path): its SHA-256 differs from the manifest's")
                continue
            }
            integrity.verified += 1
        }
        integrity.missing = listed.keys.filter { !seen.contains($0) }.sorted()
        return integrity
    }
}

extension Analysis {
    /// The analysis as analyze prints it: the report, then integrity, notes and log matches in the same format.
    public func rendered(format: ReportFormat, color: Bool = false) throws -> String {
        if format == .json {
            return try JSONFormat.text(self)
        }
        let report = try Renderer().render(self.report, format: format, color: color)
        switch format {
        case .html:
            let section = htmlAppendix()
            if let end = report.range(of: "</body>", options: .backwards) {
                return report.replacingCharacters(in: end.lowerBound..<end.lowerBound, with: section)
            }
            return report + section
        case .markdown: return report + markdownAppendix()
        default: return report + textAppendix()
        }
    }

    /// How many entries of a list the human formats show; JSON carries them all.
    static let shownEntries = 20
    static let shownMatches = 50

    func integrityLines() -> [String] {
        var lines: [String] = []
        func add(_ title: String, _ entries: [String]) {
            for entry in entries.prefix(Self.shownEntries) { lines.append("\(title): \(entry)") }
            if entries.count > Self.shownEntries { lines.append("\(title): ... and \(entries.count - Self.shownEntries) more") }
        }
        add("changed", integrity.changed)
        add("missing", integrity.missing)
        add("not listed", integrity.unlisted)
        return lines
    }

    func textAppendix() -> String {
        var out = "\nBundle integrity: \(integrity.summary)\n"
        for line in integrityLines() { out += "  \(line)\n" }
        if !notes.isEmpty {
            out += "\nNotes on this analysis:\n"
            for note in notes { out += "  - \(note)\n" }
        }
        out += "\nKnown errors in the collected logs: \(logMatches.isEmpty ? "none" : String(logMatches.count))\n"
        for match in logMatches.prefix(Self.shownMatches) {
            out += "  \(match.file): \(match.line)\n    cause: \(match.cause); see \(match.checks.joined(separator: ", "))\n"
        }
        return out
    }

    func markdownAppendix() -> String {
        var out = "\n## Bundle integrity\n\n\(integrity.summary)\n"
        for line in integrityLines() { out += "- \(markdownEscaped(line))\n" }
        if !notes.isEmpty {
            out += "\n## Notes on this analysis\n\n"
            for note in notes { out += "- \(markdownEscaped(note))\n" }
        }
        out += "\n## Known errors in the collected logs: \(logMatches.isEmpty ? "none" : String(logMatches.count))\n\n"
        for match in logMatches.prefix(Self.shownMatches) {
            out += "- `\(match.file)`: \(markdownEscaped(match.line))\n  cause: \(match.cause); see \(match.checks.joined(separator: ", "))\n"
        }
        return out
    }

    func htmlAppendix() -> String {
        var out = "<section class=\"analysis\">\n<h2>Bundle integrity</h2>\n<p>\(htmlEscaped(integrity.summary))</p>\n"
        let lines = integrityLines()
        if !lines.isEmpty { out += "<ul>\n" + lines.map { "<li>\(htmlEscaped($0))</li>\n" }.joined() + "</ul>\n" }
        if !notes.isEmpty {
            out += "<h2>Notes on this analysis</h2>\n<ul>\n" + notes.map { "<li>\(htmlEscaped($0))</li>\n" }.joined() + "</ul>\n"
        }
        out += "<h2>Known errors in the collected logs: \(logMatches.isEmpty ? "none" : String(logMatches.count))</h2>\n"
        if !logMatches.isEmpty {
            out += "<ul>\n"
            for match in logMatches.prefix(Self.shownMatches) {
                out += "<li><code>\(htmlEscaped(match.file))</code>: \(htmlEscaped(match.line))<br>cause: \(htmlEscaped(match.cause)); see \(htmlEscaped(match.checks.joined(separator: ", ")))</li>\n"
            }
            out += "</ul>\n"
        }
        return out + "</section>\n"
    }
}

/// Log lines and paths come from the customer's machine: they must not become markup.
func htmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

func markdownEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        if "\\`*_[]<>|#".contains(character) { out.append("\\") }
        out.append(character)
    }
    return out
}
