@testable import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Testing
import TestSupport

/// Every example of every check in the catalog, run against its fixture root: the SwiftLint pattern.
/// Adding a check means adding its pass and fail roots to its YAML file; this test then covers it.
@Suite struct ExampleRootTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var check: CheckDefinition
        var example: Example
        var testDescription: String {
            "\(check.id) on \(example.root)\(example.destination.map { " -> \($0)" } ?? "")\(example.guest.map { " [\($0)]" } ?? "")\(example.connect.map { " + \($0)" } ?? "") (\(example.profile?.rawValue ?? "host")) -> \(example.status.rawValue)"
        }
    }

    static let cases: [Case] = (try! Catalog.builtIn()).checks.flatMap { check in
        check.examples.map { Case(check: check, example: $0) }
    }

    /// A fixed instant, so no example depends on today's date.
    static let fixedNow = Date(timeIntervalSince1970: 1_795_000_000)

    @Test(arguments: cases)
    func exampleRootGivesTheExpectedStatus(_ testCase: Case) throws {
        let root = try HostRoot(directory: Paths.fixtureRoot(testCase.example.root))
        let now = try testCase.example.now.map { try Date($0, strategy: .iso8601) } ?? Self.fixedNow
        let runner = Runner(catalog: Catalog(checks: [testCase.check]))
        let connect = testCase.example.connect?.replacingOccurrences(of: "{fixtures}", with: Paths.repository + "/Tests/Fixtures")
        let store = FactStore(root: root, libvirtURI: connect)
        // A migration check's example names the destination root (and the guest, for checks per guest).
        let peer = try testCase.example.destination.map { FactStore(root: try HostRoot(directory: Paths.fixtureRoot($0))) }
        // Checks only for `migrate` always have a destination; a check of both kinds (net.mac-unique) is
        // judged as in `migrate` where its example names a destination.
        let profile = testCase.example.profile ?? (peer != nil ? .migration : .host)
        #expect(testCase.check.profiles != [.migration] || peer != nil, "a migration check's examples name a destination")
        #expect(peer == nil || testCase.check.profiles.contains(.migration), "only checks of the migration profile take a destination")
        #expect(testCase.check.perGuest == (testCase.example.guest != nil), "an example of a per-guest check names its guest")
        let finding = runner.run(testCase.check, store: store, options: RunOptions(profile: profile, now: now), peer: peer, guest: testCase.example.guest)
        #expect(finding.status == testCase.example.status, "\(finding.summary)")
        #expect(!finding.summary.isEmpty)
        if let phrase = testCase.example.says {
            #expect(finding.summary.contains(phrase), "expected \"\(phrase)\" in: \(finding.summary)")
        }
        if finding.status == .fail || finding.status == .warn {
            #expect(!finding.remediation.isEmpty, "a problem without remediation: \(finding.summary)")
            #expect(!finding.evidence.isEmpty, "a problem without evidence: \(finding.summary)")
            for step in finding.remediation {
                for command in step.commands {
                    #expect(command.range(of: "\\{[a-z_]+\\}", options: .regularExpression) == nil, "unfilled placeholder in \(command)")
                }
            }
        }
    }

    @Test func everyCheckHasExamples() {
        let covered = Set(Self.cases.map(\.check.id))
        #expect(covered == Set((try! Catalog.builtIn()).checks.map(\.id)))
    }
}
