/// A check as written in `checks/<area>/<id>.yaml`: what it is, where it applies, how it is judged
/// (a declarative `rule` or a named `evaluator`), how to fix what it finds, and the fixture roots that
/// prove it passes and fails.
public struct CheckDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var area: String
    /// Profiles in which the check runs at all.
    public var profiles: [Profile]
    public var severity: SeverityByProfile
    /// Points in the score; defaults to the severity's weight.
    public var weight: Int?
    /// Weights a check file may set: 0 (counts for nothing) to 100 (ten times a critical check's default).
    /// Keeps the score a plain percentage whatever a --checks-dir file says.
    public static let weightRange = 0...100
    /// Facts the check reads, listed so `explain` and `facts` can show them.
    public var facts: [String]
    /// A shared Swift evaluator's name. Without it (and without `rule`), the evaluator registered under the
    /// check's id judges it: `Sources/CheckEngine/Checks/<area>/<id>.swift`.
    public var evaluator: String?
    public var rule: Rule?
    /// Why it matters, in a few sentences.
    public var rationale: String
    /// How the tool decides, in words an admin can verify by hand.
    public var detection: String
    public var remediation: [RemediationTemplate]
    public var references: [String]
    public var examples: [Example]
    /// Set when a complete answer needs root (a kernel log only root may read, a device only root opens).
    public var needsRoot: String?
    /// Values a shared evaluator reads, so one piece of Swift serves several checks
    /// (`parameters: { role: vdsm }` for every certificate expiry check).
    public var parameters: [String: String]
    /// What the report says for each condition the evaluator can report (`off: "IPv4 forwarding is off."`):
    /// the evaluator decides, the words live here, so wording and translations need no Swift.
    public var summaries: [String: Phrase]
    /// Error messages this check explains, as they appear in logs or pasted by a user (`explain`, `analyze`).
    public var messages: [KnownMessageDefinition]
    /// Checks whose problem makes this one's moot (`requires: [cpu.virt-bios-disabled]`): while one of them
    /// fails or warns, this check's own problem is reported as its consequence, under it, and not scored again.
    public var requires: [String]
    /// The hypervisor the check is about (`kvm`, `xen`); on a host running the other one it skips with the reason.
    public var hypervisor: String?
    /// For checks of the migration profile: `guest` runs the evaluator once per guest being migrated (its
    /// CPU, networks, disks), anything else once for the pair of hosts.
    public var scope: String?
    public var perGuest: Bool { scope == "guest" }

    public init(
        id: String, title: String, area: String, profiles: [Profile], severity: SeverityByProfile,
        weight: Int? = nil, facts: [String] = [], evaluator: String? = nil, rule: Rule? = nil,
        rationale: String = "", detection: String = "", remediation: [RemediationTemplate] = [],
        references: [String] = [], examples: [Example] = [], needsRoot: String? = nil, parameters: [String: String] = [:],
        summaries: [String: Phrase] = [:], messages: [KnownMessageDefinition] = [], requires: [String] = [], hypervisor: String? = nil
    ) {
        self.requires = requires
        self.hypervisor = hypervisor
        self.id = id
        self.title = title
        self.area = area
        self.profiles = profiles
        self.severity = severity
        self.weight = weight
        self.facts = facts
        self.evaluator = evaluator
        self.rule = rule
        self.rationale = rationale
        self.detection = detection
        self.remediation = remediation
        self.references = references
        self.examples = examples
        self.needsRoot = needsRoot
        self.parameters = parameters
        self.summaries = summaries
        self.messages = messages
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        area = try c.decode(String.self, forKey: .area)
        profiles = try c.decodeIfPresent([Profile].self, forKey: .profiles) ?? Profile.singleMachine
        severity = try c.decode(SeverityByProfile.self, forKey: .severity)
        weight = try c.decodeIfPresent(Int.self, forKey: .weight)
        facts = try c.decodeIfPresent([String].self, forKey: .facts) ?? []
        evaluator = try c.decodeIfPresent(String.self, forKey: .evaluator)
        rule = try c.decodeIfPresent(Rule.self, forKey: .rule)
        rationale = try c.decodeIfPresent(String.self, forKey: .rationale) ?? ""
        detection = try c.decodeIfPresent(String.self, forKey: .detection) ?? ""
        remediation = try c.decodeIfPresent([RemediationTemplate].self, forKey: .remediation) ?? []
        references = try c.decodeIfPresent([String].self, forKey: .references) ?? []
        examples = try c.decodeIfPresent([Example].self, forKey: .examples) ?? []
        needsRoot = try c.decodeIfPresent(String.self, forKey: .needsRoot)
        parameters = try c.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:]
        summaries = try c.decodeIfPresent([String: Phrase].self, forKey: .summaries) ?? [:]
        messages = try c.decodeIfPresent([KnownMessageDefinition].self, forKey: .messages) ?? []
        requires = try c.decodeIfPresent([String].self, forKey: .requires) ?? []
        hypervisor = try c.decodeIfPresent(String.self, forKey: .hypervisor)
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        if let scope, !["guest", "pair"].contains(scope) {
            throw DecodingError.dataCorruptedError(forKey: .scope, in: c, debugDescription: "scope is 'guest' or 'pair', not '\(scope)'")
        }
    }

    public func severity(in profile: Profile) -> Severity { severity.value(for: profile) }

    /// The evaluator that judges this check: the one registered under its id, unless the file names a shared
    /// one (`evaluator: certificate.expiry`).
    public var evaluatorName: String { evaluator ?? id }

    public func weight(in profile: Profile) -> Int {
        let severity = severity(in: profile)
        return severity == .info ? 0 : (weight ?? severity.defaultWeight)
    }
}

/// An error message a check explains: a lower-case fragment of the text as software prints it (kept verbatim,
/// never translated) and its cause in the reader's words.
///
///     messages:
///       - text: "kvm: disabled by bios"
///         cause: "VT-x/AMD-V is switched off in the firmware."
///         onlyWithPath: false      # true: match only lines that also name a file (a bare "permission denied" is noise)
public struct KnownMessageDefinition: Codable, Sendable, Equatable {
    public var text: String
    public var cause: String
    public var onlyWithPath: Bool?

    public init(text: String, cause: String, onlyWithPath: Bool? = nil) {
        self.text = text
        self.cause = cause
        self.onlyWithPath = onlyWithPath
    }
}

/// `severity: high`, or per profile: `severity: { default: critical, guest: info }`.
public struct SeverityByProfile: Codable, Sendable, Equatable {
    public var defaultSeverity: Severity
    public var overrides: [Profile: Severity]

    public init(_ defaultSeverity: Severity, overrides: [Profile: Severity] = [:]) {
        self.defaultSeverity = defaultSeverity
        self.overrides = overrides
    }

    public func value(for profile: Profile) -> Severity { overrides[profile] ?? defaultSeverity }

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let plain = try? single.decode(Severity.self) {
            self.init(plain)
            return
        }
        let table = try single.decode([String: Severity].self)
        guard let fallback = table["default"] else {
            throw DecodingError.dataCorruptedError(
                in: single, debugDescription: "a per-profile severity needs a 'default' entry")
        }
        var overrides: [Profile: Severity] = [:]
        for (key, value) in table where key != "default" {
            guard let profile = Profile(rawValue: key) else {
                throw DecodingError.dataCorruptedError(
                    in: single,
                    debugDescription: "unknown profile '\(key)' (known: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            overrides[profile] = value
        }
        self.init(fallback, overrides: overrides)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if overrides.isEmpty {
            try container.encode(defaultSeverity)
        } else {
            var table = ["default": defaultSeverity]
            for (profile, severity) in overrides { table[profile.rawValue] = severity }
            try container.encode(table)
        }
    }
}

/// A remediation step as written in the catalog. `when` names a condition an evaluator reports
/// (`bios-disabled`, `not-persisted`); a step without `when` applies to every problem the check finds.
/// `{name}` placeholders are filled from the evaluator's variables (the network name, a directory).
public struct RemediationTemplate: Codable, Sendable, Equatable {
    public var title: String
    public var commands: [String]
    public var notes: String?
    public var when: [String]?

    public init(title: String, commands: [String] = [], notes: String? = nil, when: [String]? = nil) {
        self.title = title
        self.commands = commands
        self.notes = notes
        self.when = when
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decode(String.self, forKey: .title)
        commands = try c.decodeIfPresent([String].self, forKey: .commands) ?? []
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        if let many = try? c.decodeIfPresent([String].self, forKey: .when) {
            when = many
        } else if let one = try c.decodeIfPresent(String.self, forKey: .when) {
            when = [one]
        } else {
            when = nil
        }
    }
}

/// A fixture root the check must judge a given way: `{ root: intel-vmx-host, status: pass }`.
/// Roots live in Tests/Fixtures/roots; one generic test runs every example of every check.
public struct Example: Codable, Sendable, Equatable {
    public var root: String
    public var status: Status
    public var profile: Profile?
    /// Evaluation instant for time-based checks (RFC 3339).
    public var now: String?
    /// A libvirt URI to ask, for checks of a live libvirt; `{fixtures}` stands for Tests/Fixtures
    /// (libvirt's test driver reads a node description from a file: `test:///{fixtures}/libvirt/node.xml`).
    public var connect: String?
    /// A phrase the finding's summary must contain: the status alone could come out right for the wrong
    /// reason (a warning about the disk where the fixture plants a bad NIC).
    public var says: String?
    /// For migration checks: the destination root (`root` is the source) and the guest the finding is about.
    public var destination: String?
    public var guest: String?

    public init(root: String, status: Status, profile: Profile? = nil, now: String? = nil, connect: String? = nil, says: String? = nil,
                destination: String? = nil, guest: String? = nil) {
        self.destination = destination
        self.guest = guest
        self.root = root
        self.status = status
        self.profile = profile
        self.now = now
        self.connect = connect
        self.says = says
    }
}

/// A comparison against one fact: the fact's name, an optional dotted path inside it, and one test.
public struct Comparison: Codable, Sendable, Equatable {
    public var fact: String
    public var path: String?
    public var equals: String?
    public var notEquals: String?
    public var contains: String?
    public var notContains: String?
    public var oneOf: [String]?
    public var atLeast: Double?
    public var atMost: Double?

    public init(fact: String, path: String? = nil, equals: String? = nil, notEquals: String? = nil,
                contains: String? = nil, notContains: String? = nil, oneOf: [String]? = nil,
                atLeast: Double? = nil, atMost: Double? = nil) {
        self.fact = fact
        self.path = path
        self.equals = equals
        self.notEquals = notEquals
        self.contains = contains
        self.notContains = notContains
        self.oneOf = oneOf
        self.atLeast = atLeast
        self.atMost = atMost
    }

    private enum CodingKeys: String, CodingKey {
        case fact, path, equals, notEquals, contains, notContains, oneOf, atLeast, atMost
    }

    /// Values to compare are text, but YAML users write `equals: 1` and `contains: 0` unquoted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String? {
            if let value = try? c.decodeIfPresent(String.self, forKey: key) { return value }
            if let value = try? c.decodeIfPresent(Int.self, forKey: key) { return String(value) }
            if let value = try? c.decodeIfPresent(Double.self, forKey: key) { return String(value) }
            if let value = try? c.decodeIfPresent(Bool.self, forKey: key) { return String(value) }
            return try c.decodeIfPresent(String.self, forKey: key)
        }
        fact = try c.decode(String.self, forKey: .fact)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        equals = try text(.equals)
        notEquals = try text(.notEquals)
        contains = try text(.contains)
        notContains = try text(.notContains)
        oneOf = try c.decodeIfPresent([String].self, forKey: .oneOf)
        atLeast = try c.decodeIfPresent(Double.self, forKey: .atLeast)
        atMost = try c.decodeIfPresent(Double.self, forKey: .atMost)
    }

    /// How many tests are set; a valid comparison has exactly one.
    public var testCount: Int {
        [equals, notEquals, contains, notContains].compactMap { $0 }.count
            + (oneOf == nil ? 0 : 1) + (atLeast == nil ? 0 : 1) + (atMost == nil ? 0 : 1)
    }
}

/// A precondition of a declarative rule; when it does not hold the check is skipped with `reason`.
public struct RuleGuard: Codable, Sendable, Equatable {
    public var comparison: Comparison
    public var reason: String

    public init(_ comparison: Comparison, reason: String) {
        self.comparison = comparison
        self.reason = reason
    }

    private enum Keys: String, CodingKey { case reason }

    public init(from decoder: any Decoder) throws {
        comparison = try Comparison(from: decoder)
        reason = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        try comparison.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(reason, forKey: .reason)
    }
}

/// A declarative judgement: read one fact (optionally a path inside it) and compare.
///
///     rule:
///       fact: cpu.info
///       path: flagsOnAllCPUs
///       contains: lm
///       onlyIf:
///         - { fact: cpu.info, path: family, equals: x86, reason: "lm is an x86 flag" }
///       otherwise: fail
///       pass: "Every CPU reports long mode (lm)."
///       problem: "The CPU does not report long mode (lm)."
public struct Rule: Codable, Sendable, Equatable {
    public var comparison: Comparison
    public var onlyIf: [RuleGuard]
    /// Status when the comparison does not hold: fail (default) or warn.
    public var otherwise: Status
    /// Summaries; `{value}` becomes the observed value.
    public var pass: String
    public var problem: String
    /// Status when the fact is absent: skip (default), or fail/warn when absence is itself the problem.
    public var whenAbsent: Status

    public init(_ comparison: Comparison, onlyIf: [RuleGuard] = [], otherwise: Status = .fail,
                pass: String, problem: String, whenAbsent: Status = .skip) {
        self.comparison = comparison
        self.onlyIf = onlyIf
        self.otherwise = otherwise
        self.pass = pass
        self.problem = problem
        self.whenAbsent = whenAbsent
    }

    private enum Keys: String, CodingKey { case onlyIf, otherwise, pass, problem, whenAbsent }

    public init(from decoder: any Decoder) throws {
        comparison = try Comparison(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        onlyIf = try c.decodeIfPresent([RuleGuard].self, forKey: .onlyIf) ?? []
        otherwise = try c.decodeIfPresent(Status.self, forKey: .otherwise) ?? .fail
        pass = try c.decode(String.self, forKey: .pass)
        problem = try c.decode(String.self, forKey: .problem)
        whenAbsent = try c.decodeIfPresent(Status.self, forKey: .whenAbsent) ?? .skip
    }

    public func encode(to encoder: any Encoder) throws {
        try comparison.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        if !onlyIf.isEmpty { try c.encode(onlyIf, forKey: .onlyIf) }
        try c.encode(otherwise, forKey: .otherwise)
        try c.encode(pass, forKey: .pass)
        try c.encode(problem, forKey: .problem)
        try c.encode(whenAbsent, forKey: .whenAbsent)
    }
}
