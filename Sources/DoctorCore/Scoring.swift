
/// Points earned over points possible, overall and per area.
///
/// A check is worth its weight (its severity's default unless the check file sets one: critical 10,
/// high 6, medium 3, low 1, info 0). pass earns all of it, warn half, fail nothing. skip and error are
/// left out of both sides: they say nothing about the machine, and the verdict deals with errors.
public struct Score: Codable, Sendable, Equatable {
    public struct Area: Codable, Sendable, Equatable {
        public var area: String
        public var score: Int?
        public var earned: Double
        public var possible: Double

        // Explicit nulls: scripts read score.areas[].score and must find the key.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(area, forKey: .area)
            try c.encode(score, forKey: .score)
            try c.encode(earned, forKey: .earned)
            try c.encode(possible, forKey: .possible)
        }
    }

    /// 0-100; nil when no check that counts ran (everything skipped).
    public var overall: Int?
    public var earned: Double
    public var possible: Double
    public var areas: [Area]

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(overall, forKey: .overall)
        try c.encode(earned, forKey: .earned)
        try c.encode(possible, forKey: .possible)
        try c.encode(areas, forKey: .areas)
    }

    public init(_ findings: [Finding]) {
        var byArea: [String: (Double, Double)] = [:]
        var order: [String] = []
        for finding in findings {
            if byArea[finding.area] == nil { order.append(finding.area); byArea[finding.area] = (0, 0) }
            let (earned, possible) = Score.points(finding)
            byArea[finding.area]!.0 += earned
            byArea[finding.area]!.1 += possible
        }
        areas = order.map { area in
            let (earned, possible) = byArea[area]!
            return Area(area: area, score: Score.percent(earned, possible), earned: earned, possible: possible)
        }
        earned = areas.reduce(0) { $0 + $1.earned }
        possible = areas.reduce(0) { $0 + $1.possible }
        overall = Score.percent(earned, possible)
    }

    static func points(_ finding: Finding) -> (earned: Double, possible: Double) {
        // The catalog refuses weights outside CheckDefinition.weightRange; findings built another way (a report
        // read back, a hand-made catalog) are held to it here too, so the score stays a percentage.
        // A consequence was scored with its cause already.
        if finding.cause != nil { return (0, 0) }
        let weight = Double(min(max(finding.weight, CheckDefinition.weightRange.lowerBound), CheckDefinition.weightRange.upperBound))
        switch finding.status {
        case .pass: return (weight, weight)
        case .warn: return (weight / 2, weight)
        case .fail: return (0, weight)
        case .skip, .error: return (0, 0)
        }
    }

    static func percent(_ earned: Double, _ possible: Double) -> Int? {
        guard possible > 0, possible.isFinite, earned.isFinite else { return nil }
        let share = min(max(earned / possible, 0), 1)
        return Int((share * 100).rounded())
    }
}

/// The one-word answer for automation.
/// - not-ready: a critical check failed (virtualization cannot work), whatever the score.
/// - degraded: something failed or warned, or a critical check could not be evaluated (error).
/// - ready: everything that applies passed.
public enum Verdict: String, Codable, Sendable, Equatable {
    case ready
    case degraded
    case notReady = "not-ready"

    public init(_ allFindings: [Finding]) {
        // Consequences follow their cause's verdict; counting them again would only repeat it.
        let findings = allFindings.filter { $0.cause == nil }
        if findings.contains(where: { $0.status == .fail && $0.severity == .critical }) {
            self = .notReady
        } else if findings.contains(where: { $0.status == .fail || $0.status == .warn || ($0.status == .error && $0.severity == .critical) }) {
            self = .degraded
        } else {
            self = .ready
        }
    }
}
