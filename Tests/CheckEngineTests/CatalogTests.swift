@testable import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Testing
import TestSupport

@Suite struct CatalogConformanceTests {
    let catalog = try! Catalog.builtIn()

    @Test func idsAreUniqueAndNamedLikeTheirFiles() throws {
        let ids = catalog.checks.map(\.id)
        #expect(Set(ids).count == ids.count)
        for check in catalog.checks {
            #expect(catalog.origins[check.id] == "built-in checks/\(check.area)/\(check.id).yaml",
                    "\(check.id) must live in checks/\(check.area)/\(check.id).yaml")
            #expect(check.id.hasPrefix(check.area + "."), "\(check.id) starts with its area")
        }
    }

    /// The plugin embeds checks/ at build time; a check file added since the last manifest change is only
    /// picked up after `touch Package.swift` (SwiftPM caches the plugin's file list).
    @Test func embeddedCatalogMatchesTheFilesOnDisk() throws {
        let walker = FileManager.default.enumerator(atPath: Paths.repository + "/checks")
        let files = (walker?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        let embedded = catalog.origins.values.map { String($0.dropFirst("built-in checks/".count)) }.sorted()
        #expect(files == embedded, "stale build: run `touch Package.swift` and rebuild")
    }

    @Test func everyEvaluatorResolvesAndEveryRegisteredOneIsUsed() {
        let used = Set(catalog.checks.compactMap(\.evaluator))
        for name in used { #expect(Evaluators.registry[name] != nil, "\(name)") }
        for name in Evaluators.registry.keys { #expect(used.contains(name), "evaluator \(name) is registered but no check uses it") }
    }

    @Test func everyCheckIsComplete() {
        for check in catalog.checks {
            #expect(!check.title.isEmpty && !check.rationale.isEmpty && !check.detection.isEmpty, "\(check.id): title, rationale, detection")
            #expect(!check.remediation.isEmpty, "\(check.id) has no remediation")
            #expect(check.remediation.contains { !$0.commands.isEmpty }, "\(check.id): remediation without a single exact command")
            #expect(!check.references.isEmpty, "\(check.id) has no references")
            #expect(check.examples.contains { $0.status == .pass }, "\(check.id) needs a passing example root")
            #expect(check.examples.contains { $0.status == .fail || $0.status == .warn }, "\(check.id) needs a failing example root")
            for fact in check.facts { #expect(Facts.named(fact) != nil, "\(check.id) names unknown fact \(fact)") }
            for example in check.examples {
                #expect(FileManager.default.fileExists(atPath: Paths.fixtureRoot(example.root)), "\(check.id): no fixture root \(example.root)")
            }
        }
    }

    @Test func remediationConditionsAreOnesTheCheckCanReport() throws {
        // Every `when:` names a condition that appears in the evaluator's source or is the rule's "problem".
        let sources = try FileManager.default.contentsOfDirectory(atPath: Paths.repository + "/Sources/CheckEngine/Evaluators")
            .map { try String(contentsOfFile: Paths.repository + "/Sources/CheckEngine/Evaluators/" + $0, encoding: .utf8) }
            .joined() + (try String(contentsOfFile: Paths.repository + "/Sources/CheckEngine/Runner.swift", encoding: .utf8))
        for check in catalog.checks {
            for condition in check.remediation.flatMap({ $0.when ?? [] }) {
                #expect(sources.contains("\"\(condition)\"") || check.rule != nil && condition == "problem",
                        "\(check.id): remediation step for '\(condition)', which nothing reports")
            }
        }
    }
}

@Suite struct CatalogLoadingTests {
    @Test func brokenCheckFilesNameTheFileAndTheProblem() {
        let cases: [(String, String)] = [
            ("id: x.y\n", "missing key 'title'"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\nevaluator: nope\n", "not registered"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\n", "exactly one of 'evaluator' and 'rule'"),
            ("id: a.b\ntitle: T\narea: a\nseverity: { guest: info }\nevaluator: selinux.mode\n", "'default'"),
            ("id: a.b\ntitle: T\narea: a\nseverity: { default: high, pirate: info }\nevaluator: selinux.mode\n", "unknown profile 'pirate'"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\nrule: { fact: cpu.info, equals: x, contains: y, pass: p, problem: q }\n", "exactly one of equals"),
            ("{ not yaml: [\n", "invalid"),
        ]
        for (text, fragment) in cases {
            #expect {
                _ = try Catalog.decode(text, file: "broken.yaml")
            } throws: { error in
                "\(error)".hasPrefix("broken.yaml: ") && "\(error)".contains(fragment)
            }
        }
    }

    @Test func checksDirAddsAndOverrides() throws {
        let scratch = ScratchRoot()
        scratch.write("extra/local.swap.yaml", """
            id: local.swap
            title: Swap is configured
            area: local
            severity: low
            rule: { fact: "sysctl:vm.swappiness", atMost: 60, pass: "swappiness {value}", problem: "swappiness {value} is high" }
            """)
        scratch.write("extra/selinux.mode.yaml", """
            id: selinux.mode
            title: Overridden
            area: selinux
            severity: info
            evaluator: selinux.mode
            """)
        var catalog = try Catalog.builtIn()
        let count = catalog.checks.count
        try catalog.merge(directory: scratch.path + "/extra")
        #expect(catalog.checks.count == count + 1)
        #expect(catalog.check(id: "selinux.mode")?.title == "Overridden")
        #expect(catalog.origins["local.swap"]?.hasSuffix("local.swap.yaml") == true)
        #expect(throws: Catalog.LoadError.self) { try catalog.merge(directory: scratch.path + "/missing") }
    }
}

@Suite struct EmbeddedCatalogTests {
    /// The binary carries the catalog as JSON converted at build time; it must mean exactly what the YAML
    /// file says when read by the same decoder `--checks-dir` uses.
    @Test func embeddedJSONEqualsTheYAMLFiles() throws {
        let catalog = try Catalog.builtIn()
        for check in catalog.checks {
            let path = Paths.repository + "/checks/\(check.area)/\(check.id).yaml"
            let fromYAML = try Catalog.decode(try String(contentsOfFile: path, encoding: .utf8), file: path)
            #expect(fromYAML == check, "\(check.id)")
        }
    }

    @Test func unquotedNumbersInRulesAreText() throws {
        let check = try Catalog.decode("""
            id: a.b
            title: T
            area: a
            severity: high
            rule: { fact: "sysctl:net.ipv4.ip_forward", equals: 1, pass: p, problem: q }
            """, file: "a.yaml")
        #expect(check.rule?.comparison.equals == "1")
    }
}
