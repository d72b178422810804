import DoctorCore
import Foundation
import HostFacts

/// What an evaluator sees: the facts of the machine, the profile and instant of the run, and its own definition.
public struct EvaluationContext: Sendable {
    public let facts: FactStore
    public let profile: Profile
    public let now: Date
    public let check: CheckDefinition
    public let certificateWarningDays: Int
    /// The language `check`'s words are in (fragments need its plural rules).
    public let language: String
    /// `migrate`: the destination's facts (`facts` are the source's). nil for a run on one machine.
    public let peer: FactStore?
    /// `migrate`, checks with `scope: guest`: the guest being judged.
    public let guest: String?

    public init(facts: FactStore, profile: Profile, now: Date, check: CheckDefinition, certificateWarningDays: Int = 60,
                language: String = "en", peer: FactStore? = nil, guest: String? = nil) {
        self.peer = peer
        self.guest = guest
        self.facts = facts
        self.profile = profile
        self.now = now
        self.check = check
        self.certificateWarningDays = certificateWarningDays
        self.language = language
    }

    public var root: HostRoot { facts.root }

    /// The destination of a migration; a migration check run without one (a misconfigured catalog) skips.
    public func destination() throws(FactError) -> FactStore {
        guard let peer else { throw .absent("a destination host (this check judges a pair of hosts: virt-doctor migrate)") }
        return peer
    }

    /// A fact of the destination host.
    public func destinationFact<V>(_ key: FactKey<V>) throws(FactError) -> Sourced<V> {
        try destination().sourced(key).get()
    }

    public func optionalDestinationFact<V>(_ key: FactKey<V>) -> Sourced<V>? {
        try? peer?.sourced(key).get()
    }

    public func fact<V>(_ key: FactKey<V>) throws(FactError) -> Sourced<V> {
        try facts.sourced(key).get()
    }

    /// A fact that may be missing without that being the check's answer.
    public func optionalFact<V>(_ key: FactKey<V>) -> Sourced<V>? {
        try? facts.sourced(key).get()
    }
}

/// An evaluator's judgement before the profile's severity is applied, with its condition as a name.
/// The sentence comes from the check file's `summaries:` for `condition`; `summary` is set only where the
/// words are the engine's own (an evaluator missing from the build) or a declarative rule's `pass:`/`problem:` text.
public struct Observation: Sendable, Equatable {
    public var status: Status
    public var condition: String?
    public var summary: String?
    /// Set when the answer is that a fact could not be read; the runner words it.
    public var failure: FactError?
    public var evidence: [Evidence]
    /// Names that select `when:` remediation steps in the check file, besides `condition`.
    public var conditions: [String]
    /// Values for `{name}` placeholders in the summary and the remediation commands.
    public var variables: [String: String]

    public init(status: Status, condition: String, variables: [String: String] = [:], evidence: [Evidence] = [], tags: [String] = []) {
        self.status = status
        self.condition = condition
        self.summary = nil
        self.evidence = evidence
        self.conditions = tags
        self.variables = variables
    }

    /// A judgement whose sentence is already written: the engine's own messages and declarative rules.
    public init(_ status: Status, _ summary: String, evidence: [Evidence] = [], conditions: [String] = [],
                variables: [String: String] = [:]) {
        self.status = status
        self.condition = nil
        self.summary = summary
        self.evidence = evidence
        self.conditions = conditions
        self.variables = variables
    }

    /// A fact that could not be read, as the check's answer: skip when the thing is absent, error otherwise;
    /// the sentence is the error's, in the report's language.
    public init(failure: FactError, evidence: [Evidence] = []) {
        self.status = failure.findingStatus
        self.condition = nil
        self.summary = nil
        self.failure = failure
        self.evidence = evidence
        // Decided from the typed error, not from its words, so a translation cannot lose the advice.
        self.conditions = failure.isPermissionDenied ? ["needs-root"] : []
        self.variables = [:]
    }

    public static func pass(_ summary: String, evidence: [Evidence] = []) -> Observation {
        Observation(.pass, summary, evidence: evidence)
    }

    public static func skip(_ reason: String, evidence: [Evidence] = []) -> Observation {
        Observation(.skip, reason, evidence: evidence)
    }

    /// Every name that selects remediation steps.
    var remediationConditions: Set<String> {
        Set(conditions + (condition.map { [$0] } ?? []))
    }
}
