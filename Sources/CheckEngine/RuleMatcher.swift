import Foundation
import DoctorCore
import HostFacts

/// Judges a declarative `rule:` from a check file: one fact, one comparison, optional preconditions.
enum RuleMatcher {
    enum Outcome: Equatable {
        case holds(FactValue)
        case fails(FactValue)
        case absent(FactError)
        case unavailable(FactError)
    }

    static func evaluate(_ rule: Rule, context: EvaluationContext) -> Observation {
        for guardRule in rule.onlyIf {
            switch test(guardRule.comparison, store: context.facts) {
            case .holds: continue
            case .fails(let value):
                return .skip(guardRule.reason, evidence: [Evidence(source: guardRule.comparison.fact + (guardRule.comparison.path.map { ".\($0)" } ?? ""), value: value.description)])
            case .absent(let error), .unavailable(let error):
                return Observation(failure: error)
            }
        }
        let label = rule.comparison.fact + (rule.comparison.path.map { ".\($0)" } ?? "")
        let sources = Facts.named(rule.comparison.fact)?.record(context.facts).sources.joined(separator: ", ") ?? label
        switch test(rule.comparison, store: context.facts) {
        case .holds(let value):
            return .pass(fill(rule.pass, value), evidence: [Evidence(source: sources, value: excerpt(value, rule.comparison))])
        case .fails(let value):
            return Observation(rule.otherwise, fill(rule.problem, value), evidence: [Evidence(source: sources, value: excerpt(value, rule.comparison))],
                               conditions: ["problem"])
        case .absent(let error):
            if rule.whenAbsent == .skip { return Observation(failure: error, evidence: [Evidence(source: label, value: error.description)]) }
            return Observation(rule.whenAbsent, fill(rule.problem, .null), evidence: [Evidence(source: label, value: error.description)], conditions: ["absent"])
        case .unavailable(let error):
            var observation = Observation(failure: error, evidence: [Evidence(source: label, value: error.description)])
            observation.status = .error
            return observation
        }
    }

    static func test(_ comparison: Comparison, store: FactStore) -> Outcome {
        guard let fact = Facts.named(comparison.fact) else {
            return .unavailable(.unparsable(source: "check definition", detail: "unknown fact '\(comparison.fact)'"))
        }
        let record = fact.record(store)
        guard record.available, let whole = record.value else {
            let error = record.error ?? .absent(comparison.fact)
            return error.findingStatus == .skip ? .absent(error) : .unavailable(error)
        }
        guard let value = whole.value(at: comparison.path ?? "") else {
            return .absent(.absent("\(comparison.fact).\(comparison.path ?? "")"))
        }
        return compare(value, comparison) ? .holds(value) : .fails(value)
    }

    static func compare(_ value: FactValue, _ comparison: Comparison) -> Bool {
        let text = value.scalarText
        if let expected = comparison.equals { return text == expected }
        if let expected = comparison.notEquals { return text != expected }
        if let needle = comparison.contains { return contains(value, needle) }
        if let needle = comparison.notContains { return !contains(value, needle) }
        if let options = comparison.oneOf { return text.map(options.contains) ?? false }
        let number = text.flatMap(Double.init)
        if let bound = comparison.atLeast { return number.map { $0 >= bound } ?? false }
        if let bound = comparison.atMost { return number.map { $0 <= bound } ?? false }
        return false
    }

    /// A list contains an element; a string contains a substring.
    static func contains(_ value: FactValue, _ needle: String) -> Bool {
        switch value {
        case .list(let items): items.contains { $0.scalarText == needle }
        case .string(let text): text.contains(needle)
        case .object(let members): members[needle] != nil
        default: false
        }
    }

    static func fill(_ template: String, _ value: FactValue) -> String {
        template.replacingOccurrences(of: "{value}", with: value.scalarText ?? value.description)
    }

    /// Long lists (a CPU's 150 flags) are shortened to what the rule asked about.
    static func excerpt(_ value: FactValue, _ comparison: Comparison) -> String {
        if case .list(let items) = value, items.count > 8, let needle = comparison.contains ?? comparison.notContains {
            let present = items.contains { $0.scalarText == needle }
            return "\(needle) \(present ? "present" : "absent") among \(items.count) values"
        }
        return value.scalarText ?? value.description
    }
}
