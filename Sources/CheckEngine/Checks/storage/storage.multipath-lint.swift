import DoctorCore
import HostFacts

/// storage.multipath-lint: mistakes in /etc/multipath.conf that silently lose an alias: misspelled section
/// names, one WWID under several aliases, one alias for several WWIDs, malformed WWIDs, unbalanced braces,
/// and aliases for WWIDs this host has never seen.
enum StorageMultipathLint: CheckEvaluator {
    static let id = "storage.multipath-lint"

    enum Condition: String, CaseIterable {
        case noConfig = "no-config"
        /// `{count}` aliases, nothing wrong.
        case clean
        /// `{findings}`: the fragments below, joined.
        case problems
        // Fragments of {findings}; never reported on their own.
        case unknownSection = "unknown-section"
        case severalAliases = "several-aliases"
        case sharedAlias = "shared-alias"
        case malformedWWID = "malformed-wwid"
        case unseenWWID = "unseen-wwid"
        case unbalanced
    }

    /// NAA WWIDs as scsi_id prints them: "3" + 16 or 32 hex digits, or EUI-64 "2" + 16.
    static func isWellFormed(_ wwid: String) -> Bool {
        let lowered = wwid.lowercased()
        guard let first = lowered.first else { return false }
        let rest = lowered.dropFirst()
        let hex = rest.allSatisfy { $0.isHexDigit }
        switch first {
        case "3": return hex && (rest.count == 16 || rest.count == 32)
        case "2": return hex && rest.count == 16
        default: return !lowered.contains(" ")  // t10 vendor ids ("1...") and others: free text, not judged
        }
    }

    /// The known section name one edit away from `name` ("mulitpath" -> "multipath"), if any.
    static func suggestion(for name: String, under parent: String) -> String? {
        let candidates = MultipathConfig.knownSections[parent] ?? MultipathConfig.knownSections[""]!
        return candidates.sorted().first { candidate in
            Set(candidate) == Set(name) && abs(candidate.count - name.count) <= 1
        }
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let config = try context.fact(Facts.storageConfiguration).value
        guard let multipath = config.multipath else { return .skip(.noConfig) }
        var findings: [String] = []
        var evidence: [Evidence] = []
        for section in multipath.sections {
            let parent = section.parents.last ?? ""
            let allowed = MultipathConfig.knownSections[parent] ?? []
            guard !allowed.contains(section.name) else { continue }
            let hint = suggestion(for: section.name, under: parent) ?? (allowed.sorted().first ?? "a known section")
            findings.append(context.fragment(Condition.unknownSection, ["name": section.name, "line": String(section.line), "suggestion": hint]))
            evidence.append(Evidence(source: "\(multipath.file):\(section.line)", value: "\(section.name) {", note: "not a multipath section"))
        }
        let entries = multipath.sections.filter { $0.settings["wwid"] != nil && $0.settings["alias"] != nil }
        var aliasesByWWID: [String: [String]] = [:]
        var wwidsByAlias: [String: [String]] = [:]
        for entry in entries {
            let wwid = entry.settings["wwid"]!, alias = entry.settings["alias"]!
            aliasesByWWID[wwid, default: []].append(alias)
            wwidsByAlias[alias, default: []].append(wwid)
            evidence.append(Evidence(source: "\(multipath.file):\(entry.line)", value: "wwid \(wwid) alias \(alias)"))
        }
        for (wwid, aliases) in aliasesByWWID.sorted(by: { $0.key < $1.key }) where aliases.count > 1 {
            findings.append(context.fragment(Condition.severalAliases, ["wwid": wwid, "aliases": aliases.joined(separator: ", ")]))
        }
        for (alias, wwids) in wwidsByAlias.sorted(by: { $0.key < $1.key }) where Set(wwids).count > 1 {
            findings.append(context.fragment(Condition.sharedAlias, ["alias": alias, "wwids": wwids.joined(separator: ", ")]))
        }
        for wwid in aliasesByWWID.keys.sorted() where !isWellFormed(wwid) {
            findings.append(context.fragment(Condition.malformedWWID, ["wwid": wwid, "length": String(wwid.count)]))
        }
        if let known = config.knownWWIDs {
            let seen = Set(known)
            for wwid in aliasesByWWID.keys.sorted() where isWellFormed(wwid) && !seen.contains(wwid) {
                findings.append(context.fragment(Condition.unseenWWID, ["wwid": wwid, "aliases": aliasesByWWID[wwid]!.joined(separator: ", ")]))
            }
        }
        if multipath.unclosed > 0 || !multipath.strayLines.isEmpty {
            let lines = multipath.strayLines.prefix(5).map(String.init).joined(separator: ", ")
            findings.append(context.fragment(Condition.unbalanced, ["lines": lines.isEmpty ? "-" : lines, "unclosed": String(multipath.unclosed)]))
        }
        guard !findings.isEmpty else {
            return .pass(.clean, ["count": String(entries.count)], evidence: evidence)
        }
        return .warn(.problems, ["count": String(findings.count), "findings": findings.joined(separator: "; ")], evidence: evidence)
    }
}
