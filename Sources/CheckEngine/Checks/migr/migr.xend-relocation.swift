import Foundation
import DoctorCore
import HostFacts

/// migr.xend-relocation: legacy Xen (xm, xend) migrates through xend's relocation server on the
/// destination (TCP 8002). It is off by default, and when on it accepts only the hosts its
/// xend-relocation-hosts-allow patterns match.
enum MigrXendRelocation: CheckEvaluator {
    static let id = "migr.xend-relocation"

    enum Condition: String, CaseIterable {
        case accepting
        case serverOff = "server-off"
        case sourceNotAllowed = "source-not-allowed"
        case noXend = "no-xend"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let destination = try context.destination()
        let xend = try destination.sourced(Facts.xend).get()
        let settings = xend.value.settings
        let sourceName = MigrationSides.name(context.facts)
        var variables = ["destination": MigrationSides.name(destination), "source": sourceName,
                         "port": trimmed(settings["xend-relocation-port"]).ifEmpty("8002")]
        guard xend.value.xendInstalled || xend.value.configFile != nil else { return .skip(.noXend, variables) }
        let file = xend.value.configFile ?? "/etc/xen/xend-config.sxp"
        var evidence = ["xend-relocation-server", "xend-relocation-port", "xend-relocation-address", "xend-relocation-hosts-allow"].compactMap { key in
            settings[key].map { Evidence(source: "destination \(file)", value: "(\(key) \($0))") }
        }
        if evidence.isEmpty { evidence.append(Evidence(source: "destination \(file)", value: "no relocation settings (xend's defaults: off)")) }
        guard ["yes", "true", "1"].contains(trimmed(settings["xend-relocation-server"]).lowercased()) else {
            return .fail(.serverOff, variables, evidence: evidence)
        }
        let patterns = trimmed(settings["xend-relocation-hosts-allow"]).split(separator: " ").map(String.init)
        variables["patterns"] = patterns.joined(separator: " ")
        if patterns.isEmpty || patterns.contains(where: { matches($0, sourceName) || matches($0, String(sourceName.split(separator: ".").first ?? "")) }) {
            return .pass(.accepting, variables, evidence: evidence)
        }
        return .fail(.sourceNotAllowed, variables, evidence: evidence)
    }

    static func trimmed(_ value: String?) -> String {
        var text = value ?? ""
        while let first = text.first, first == "'" || first == "\"" || first == " " { text.removeFirst() }
        while let last = text.last, last == "'" || last == "\"" || last == " " { text.removeLast() }
        return text
    }

    /// xend's patterns are regular expressions anchored with ^...$; the common forms (a literal name,
    /// escaped dots, `.*` wildcards) are matched here without a regex engine.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        var body = Substring(pattern)
        if body.hasPrefix("^") { body = body.dropFirst() }
        if body.hasSuffix("$") { body = body.dropLast() }
        let literal = body.replacingOccurrences(of: "\\.", with: ".")
        let parts = literal.components(separatedBy: ".*")
        guard parts.count > 1 else { return literal.lowercased() == name.lowercased() }
        var rest = Substring(name.lowercased())
        for (index, part) in parts.enumerated() {
            let lower = part.lowercased()
            if index == 0 { guard rest.hasPrefix(lower) else { return false }; rest = rest.dropFirst(lower.count); continue }
            if index == parts.count - 1 { return lower.isEmpty || rest.hasSuffix(lower) }
            guard let range = rest.range(of: lower) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
