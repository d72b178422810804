import DoctorCore
@testable import Reporting
import Testing

/// Weights outside the catalog's range once gave scores like 52083333333333416; the score is a
/// percentage whatever the findings say.
@Suite struct ScoreBoundsTests {
    static func finding(_ id: String, _ status: Status, weight: Int) -> Finding {
        Finding(id: id, area: "a", title: id, severity: .high, status: status, summary: id, weight: weight)
    }

    @Test func negativeAndHugeWeightsKeepTheScoreWithinZeroToHundred() {
        let cases: [[Finding]] = [
            [Self.finding("x", .pass, weight: Int.max), Self.finding("y", .pass, weight: Int.max)],
            [Self.finding("x", .fail, weight: -5), Self.finding("y", .pass, weight: 1)],
            [Self.finding("x", .pass, weight: -1_000_000), Self.finding("y", .fail, weight: 10)],
            [Self.finding("x", .warn, weight: Int.min), Self.finding("y", .pass, weight: Int.max)],
        ]
        for findings in cases {
            let score = Score(findings)
            if let overall = score.overall { #expect((0...100).contains(overall), "\(findings.map(\.weight)): \(overall)") }
            for area in score.areas {
                if let value = area.score { #expect((0...100).contains(value)) }
            }
        }
    }

    @Test func ordinaryWeightsScoreAsBefore() {
        let score = Score([Self.finding("x", .pass, weight: 6), Self.finding("y", .warn, weight: 6), Self.finding("z", .fail, weight: 3)])
        #expect(score.overall == 60)
    }
}
