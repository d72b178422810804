import DoctorCore
import HostFacts

/// The judgement of one check, in Swift; its words are in the check's YAML.
///
/// A check with logic is two files with one name: `checks/<area>/<id>.yaml` (what it is, how to fix it,
/// a summary per condition) and `Sources/CheckEngine/Checks/<area>/<id>.swift` (a type conforming to this
/// protocol whose `id` is the check id). The evaluator decides a status and a typed condition and hands over
/// the values the sentence needs; the runner picks the condition's sentence from the check file in the
/// reader's language. The catalog conformance test compares `Condition`'s cases with the YAML's
/// `summaries:` and `when:` names, so a condition without words, or words for no condition, fail the build's tests.
public protocol CheckEvaluator: SendableMetatype {
    associatedtype Condition: RawRepresentable & CaseIterable & Sendable where Condition.RawValue == String
    /// The check id this evaluator judges; for a shared evaluator (`evaluator:` in several check files)
    /// the name those files give.
    static var id: String { get }
    /// Parameters a check file may give (`parameters: { role: vdsm }`), validated when the catalog loads.
    static var parameters: [String: ParameterSpec] { get }
    /// Names besides the conditions that the evaluator may add to select remediation steps (`when:`), such as
    /// the boot loader a step is written for.
    static var tags: [String] { get }
    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition>
}

extension CheckEvaluator {
    public static var parameters: [String: ParameterSpec] { [:] }
    public static var tags: [String] { [] }
}

/// What a `parameters:` entry may hold.
public enum ParameterSpec: Sendable, Equatable {
    case oneOf([String])
    case integer(ClosedRange<Int>)
    case text

    /// nil when `value` fits, else the reason it does not.
    public func problem(with value: String) -> String? {
        switch self {
        case .oneOf(let allowed):
            return allowed.contains(value) ? nil : "'\(value)' is not one of \(allowed.joined(separator: ", "))"
        case .integer(let range):
            guard let number = Int(value) else { return "'\(value)' is not a whole number" }
            return range.contains(number) ? nil : "\(number) is outside \(range.lowerBound)...\(range.upperBound)"
        case .text:
            return value.isEmpty ? "it is empty" : nil
        }
    }
}

/// An evaluator's verdict: a status, the condition that names the sentence, the sentence's values, and the
/// evidence it rests on. `tags` select extra remediation steps (`when:`) without choosing the sentence
/// (the boot loader a fix is written for, `needs-root`).
public struct Outcome<Condition: RawRepresentable & Sendable>: Sendable where Condition.RawValue == String {
    public var status: Status
    public var condition: Condition
    public var variables: [String: String]
    public var evidence: [Evidence]
    public var tags: [String]

    public init(_ status: Status, _ condition: Condition, _ variables: [String: String] = [:], evidence: [Evidence] = [], tags: [String] = []) {
        self.status = status
        self.condition = condition
        self.variables = variables
        self.evidence = evidence
        self.tags = tags
    }

    public static func pass(_ condition: Condition, _ variables: [String: String] = [:], evidence: [Evidence] = []) -> Outcome {
        Outcome(.pass, condition, variables, evidence: evidence)
    }

    public static func warn(_ condition: Condition, _ variables: [String: String] = [:], evidence: [Evidence] = [], tags: [String] = []) -> Outcome {
        Outcome(.warn, condition, variables, evidence: evidence, tags: tags)
    }

    public static func fail(_ condition: Condition, _ variables: [String: String] = [:], evidence: [Evidence] = [], tags: [String] = []) -> Outcome {
        Outcome(.fail, condition, variables, evidence: evidence, tags: tags)
    }

    public static func skip(_ condition: Condition, _ variables: [String: String] = [:], evidence: [Evidence] = []) -> Outcome {
        Outcome(.skip, condition, variables, evidence: evidence)
    }

    var observation: Observation {
        Observation(status: status, condition: condition.rawValue, variables: variables, evidence: evidence, tags: tags)
    }
}

/// A list of names for a sentence: `{guests}` becomes "web01, db01" and `count` picks the plural form.
public func listVariables(_ name: String, _ items: [String]) -> [String: String] {
    [name: items.joined(separator: ", "), "count": String(items.count)]
}

/// An evaluator as the runner holds it: its conditions as names, and a type-erased call.
public struct RegisteredEvaluator: Sendable {
    public let id: String
    public let conditions: [String]
    public let parameters: [String: ParameterSpec]
    public let tags: [String]
    let run: @Sendable (EvaluationContext) throws(FactError) -> Observation

    public init<E: CheckEvaluator>(_ type: E.Type) {
        id = E.id
        conditions = E.Condition.allCases.map(\.rawValue)
        parameters = E.parameters
        tags = E.tags
        run = { context throws(FactError) in try E.evaluate(context).observation }
    }
}

/// Some summaries list findings of different kinds in the order they were met ("A is missing; B is not valid
/// at ..."). Each kind's words are a fragment condition in the check file's `summaries:`, never reported on its
/// own; the evaluator renders the fragments and joins them into one variable of the reported condition. The
/// runner hands evaluators their check already translated, so fragments come out in the reader's language,
/// with that language's plural forms (a fragment may be plural on its own `count`).
extension EvaluationContext {
    public func fragment<Fragment: RawRepresentable>(_ fragment: Fragment, _ variables: [String: String] = [:]) -> String
    where Fragment.RawValue == String {
        guard let phrase = check.summaries[fragment.rawValue] else { return fragment.rawValue }
        return phrase.render(variables, language: language)
    }
}
