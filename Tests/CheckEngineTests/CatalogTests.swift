@testable import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Localization
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
        let files = (walker?.allObjects as? [String] ?? []).filter { Catalog.isCheckFile($0) }.sorted()
        let embedded = catalog.origins.values.map { String($0.dropFirst("built-in checks/".count)) }.sorted()
        #expect(files == embedded, "stale build: run `touch Package.swift` and rebuild")
    }

    @Test func everyEvaluatorResolvesAndEveryRegisteredOneIsUsed() {
        let used = Set(catalog.checks.filter { $0.rule == nil }.map(\.evaluatorName))
        for name in used { #expect(Evaluators.registry[name] != nil, "\(name)") }
        for name in Evaluators.registry.keys { #expect(used.contains(name), "evaluator \(name) is registered but no check uses it") }
    }

    /// A check with its own evaluator is found by its id: the YAML and the Swift file carry the same name.
    @Test func everyCheckEvaluatorLivesInAFileNamedAfterItsCheck() {
        for type in Evaluators.checks {
            let evaluator = RegisteredEvaluator(type)
            guard let check = catalog.check(id: evaluator.id) else { continue }   // a shared evaluator
            let path = Paths.repository + "/Sources/CheckEngine/Checks/\(check.area)/\(check.id).swift"
            #expect(FileManager.default.fileExists(atPath: path), "\(check.id): its evaluator belongs in \(path)")
        }
    }

    /// The evaluator's typed conditions and the check file's words agree both ways: every condition has a
    /// sentence, every sentence a condition, every `when:` names a condition or a tag the engine sets.
    @Test func conditionsAndSummariesAgree() {
        for check in catalog.checks where check.rule == nil {
            guard let evaluator = Evaluators.registry[check.evaluatorName] else { continue }
            let conditions = Set(evaluator.conditions)
            let summaries = Set(check.summaries.keys)
            #expect(conditions.subtracting(summaries).isEmpty, "\(check.id): no summary for \(conditions.subtracting(summaries).sorted())")
            #expect(summaries.subtracting(conditions).isEmpty, "\(check.id): summaries for unknown conditions \(summaries.subtracting(conditions).sorted())")
        }
    }

    /// Every check's words exist in every shipped language, and a translation names no `{variable}` the
    /// English text lacks (it would print as `{name}`).
    @Test func everyCheckIsTranslatedIntoEveryShippedLanguage() {
        #expect(Set(catalog.translations.keys) == Set(Strings.available).subtracting([Strings.defaultLanguage]),
                "check translations and report strings must ship the same languages")
        for (language, table) in catalog.translations {
            for check in catalog.checks {
                guard let translation = table[check.id] else {
                    Issue.record("\(check.id) has no \(language) translation (checks/\(check.area)/\(check.id).\(language).yaml)")
                    continue
                }
                for problem in check.translationProblems(translation) { Issue.record(Comment(rawValue: problem)) }
            }
            for id in table.keys where catalog.check(id: id) == nil { Issue.record("a \(language) translation names no check: \(id)") }
        }
    }

    @Test func reportStringsExistInEveryLanguageWithTheSamePlaceholders() throws {
        let english = Strings.english
        for language in Strings.available where language != Strings.defaultLanguage {
            let other = try Strings.load(language)
            #expect(other.keys == english.keys, "\(language): keys differ: missing \(english.keys.subtracting(other.keys).sorted()), extra \(other.keys.subtracting(english.keys).sorted())")
            for key in english.keys {
                guard let translated = other.phrase(key), let original = english.phrase(key) else { continue }
                let extra = translated.placeholders.subtracting(original.placeholders)
                #expect(extra.isEmpty, "\(language) \(key): names \(extra.sorted()), which English does not")
            }
        }
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

    @Test func remediationConditionsAreOnesTheCheckCanReport() {
        // Every `when:` is one of the evaluator's conditions or a tag it declares; a rule reports only
        // 'problem' or 'absent'.
        for check in catalog.checks {
            let evaluator = check.rule == nil ? Evaluators.registry[check.evaluatorName] : nil
            for condition in check.remediation.flatMap({ $0.when ?? [] }) {
                if check.rule != nil {
                    #expect(["problem", "absent"].contains(condition), "\(check.id): a rule reports 'problem' or 'absent', not '\(condition)'")
                } else if let evaluator {
                    #expect(evaluator.conditions.contains(condition) || evaluator.tags.contains(condition) || condition == "needs-root",
                            "\(check.id): remediation step for '\(condition)', which the evaluator never reports")
                }
            }
        }
    }
}

@Suite struct CatalogLoadingTests {
    @Test func brokenCheckFilesNameTheFileAndTheProblem() {
        let cases: [(String, String)] = [
            ("id: x.y\n", "missing key 'title'"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\nevaluator: nope\n", "not registered"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\n", "no evaluator for the id a.b"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\nevaluator: selinux.mode\nrule: { fact: cpu.info, equals: x, pass: p, problem: q }\n", "not both"),
            ("id: net.ip-forward\ntitle: T\narea: net\nseverity: high\nsummaries: { of: x }\n", "never reports: of"),
            ("id: a.b\ntitle: T\narea: a\nseverity: high\nevaluator: certificate.expiry\nparameters: { role: vdsm, windowDays: '0', failDays: '14' }\nmessages: [{ text: '', cause: c }]\n", "4 to 512 characters"),
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
