import Foundation

/// How a check ended. Scripts rely on exactly these five strings.
public enum Status: String, Codable, Sendable, CaseIterable, Comparable {
    case pass, warn, fail, skip, error

    /// Order of badness for summaries and sorting: fail first.
    var rank: Int {
        switch self {
        case .fail: 4
        case .error: 3
        case .warn: 2
        case .skip: 1
        case .pass: 0
        }
    }

    public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
}

/// How much a problem found by a check matters in a given profile.
/// `critical`: virtualization cannot work; a failure makes the verdict not-ready.
/// `high`, `medium`: a failure stays a failure, weighted by importance.
/// `low`: a problem is reported as a warning at most.
/// `info`: an observation only; it never lowers the score (a missing vmx flag inside a guest).
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// Points a check of this severity is worth when its definition names no weight.
    public var defaultWeight: Int {
        switch self {
        case .critical: 10
        case .high: 6
        case .medium: 3
        case .low: 1
        case .info: 0
        }
    }

    /// The status an evaluator's judgement becomes at this severity.
    public func cap(_ status: Status) -> Status {
        switch (self, status) {
        case (.info, .fail), (.info, .warn): .pass
        case (.low, .fail): .warn
        default: status
        }
    }
}

/// Who the report is for; decides which checks apply and how severe they are.
public enum Profile: String, Codable, Sendable, CaseIterable {
    case host
    case guest
    case ovirtNode = "ovirt-node"
    case ovirtEngine = "ovirt-engine"
    /// A pair of hosts judged for live migration (`virt-doctor migrate`): the checks of this profile read
    /// both machines and never run on one alone.
    case migration

    /// The profiles one machine can be judged in; a check file without `profiles:` applies to these.
    public static let singleMachine: [Profile] = allCases.filter { $0 != .migration }
}

/// One observed value behind a finding: where it was read and what it said.
public struct Evidence: Codable, Sendable, Equatable {
    public var source: String
    public var value: String
    public var note: String?

    public init(source: String, value: String, note: String? = nil) {
        self.source = source
        self.value = value
        self.note = note
    }
}

/// One step of a fix: a short title, the exact commands, and what to watch out for.
public struct RemediationStep: Codable, Sendable, Equatable {
    public var title: String
    public var commands: [String]
    public var notes: String?

    public init(title: String, commands: [String] = [], notes: String? = nil) {
        self.title = title
        self.commands = commands
        self.notes = notes
    }
}

/// The result of one check on one machine. Plain data: the report, the exit code and every renderer use it.
public struct Finding: Codable, Sendable, Equatable {
    public var id: String
    public var area: String
    public var title: String
    public var severity: Severity
    public var status: Status
    public var summary: String
    public var evidence: [Evidence]
    public var remediation: [RemediationStep]
    public var references: [String]
    /// Points this finding is worth in the score; zero for skip, error and info.
    public var weight: Int
    /// The id of the failing prerequisite this problem follows from (VT off in the firmware leaves no
    /// /dev/kvm). Such a finding is listed under its cause and left out of the score and the verdict.
    public var cause: String?
    /// The guest a migration finding is about (`migrate` judges the CPU, networks and disks per guest);
    /// nil for findings about a host or a pair of hosts.
    public var guest: String?

    public init(
        id: String, area: String, title: String, severity: Severity, status: Status, summary: String,
        evidence: [Evidence] = [], remediation: [RemediationStep] = [], references: [String] = [], weight: Int
    ) {
        self.id = id
        self.area = area
        self.title = title
        self.severity = severity
        self.status = status
        self.summary = summary
        self.evidence = evidence
        self.remediation = remediation
        self.references = references
        self.weight = weight
    }
}
