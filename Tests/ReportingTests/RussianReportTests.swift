import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Localization
import Reporting
import Testing
import TestSupport

/// `--lang ru` gives the whole report in Russian: every finding's title, summary and remediation step, and the
/// report chrome, in every format, on every fixture root. Commands, paths and quoted software messages stay
/// as they are, so the test asks for Russian words in each sentence, not for the absence of Latin letters.
@Suite struct RussianReportTests {
    static let clock = Date(timeIntervalSince1970: 1_795_000_000)
    static let roots: [String] = (try? FileManager.default.contentsOfDirectory(atPath: Paths.repository + "/Tests/Fixtures/roots"))?.sorted() ?? []

    static func hasCyrillic(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
    }

    @Test(arguments: roots)
    func everySentenceOfTheReportIsRussian(_ root: String) throws {
        let options = DiagnosisOptions(root: try HostRoot(directory: Paths.fixtureRoot(root)), clock: Self.clock, language: "ru")
        let report = try Diagnosis.run(options, catalog: Catalog.builtIn()).report
        #expect(report.language == "ru")
        for finding in report.findings {
            #expect(Self.hasCyrillic(finding.title), "\(root) \(finding.id) title: \(finding.title)")
            #expect(Self.hasCyrillic(finding.summary), "\(root) \(finding.id) summary: \(finding.summary)")
            for step in finding.remediation {
                #expect(Self.hasCyrillic(step.title), "\(root) \(finding.id) step: \(step.title)")
            }
        }
        let text = try Renderer().render(report, format: .text)
        for english in ["What needs attention", "How to fix", "Verdict:", "Not applicable", "seen:", "Passed"] {
            #expect(!text.contains(english), "\(root): English chrome '\(english)' in the Russian text report")
        }
        let html = try Renderer().render(report, format: .html)
        #expect(html.contains("<html lang=\"ru\">"))
        #expect(!html.contains("Score by area") && !html.contains("What needs attention"))
        let markdown = try Renderer().render(report, format: .markdown)
        #expect(!markdown.contains("## Passed") && !markdown.contains("How to fix"))
    }

    @Test func englishStaysTheDefault() throws {
        let report = try Diagnosis.run(DiagnosisOptions(root: try HostRoot(directory: Paths.fixtureRoot("net-nat-forwarding-off")), clock: Self.clock),
                                       catalog: Catalog.builtIn()).report
        #expect(report.language == "en")
        #expect(!report.findings.contains { Self.hasCyrillic($0.summary) || Self.hasCyrillic($0.title) })
    }

    @Test func anUnknownLanguageIsRefusedWithTheAvailableOnes() {
        #expect(throws: Strings.UnknownLanguage.self) {
            try Diagnosis.run(DiagnosisOptions(root: ScratchRoot().root, language: "xx"), catalog: Catalog.builtIn())
        }
        #expect(Strings.UnknownLanguage(language: "xx").description.contains("en, ru"))
    }

    @Test func theLocaleChoosesAShippedLanguageOnly() {
        #expect(Strings.language(fromEnvironment: ["LANG": "ru_RU.UTF-8"]) == "ru")
        #expect(Strings.language(fromEnvironment: ["LC_ALL": "C", "LANG": "ru_RU.UTF-8"]) == nil, "LC_ALL wins, as gettext reads it")
        #expect(Strings.language(fromEnvironment: ["LANG": "de_DE.UTF-8"]) == nil)
        #expect(Strings.language(fromEnvironment: [:]) == nil)
    }
}
