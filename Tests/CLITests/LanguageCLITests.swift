import Foundation
import Testing
import TestSupport

@Suite struct LanguageCLITests {
    static func hasCyrillic(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
    }

    @Test func langRuGivesARussianReport() throws {
        let run = try Run(["check", "--root", Paths.fixtureRoot("net-nat-forwarding-off"), "--lang", "ru", "--now", "2026-11-20T00:00:00Z"])
        #expect(run.status == 2)
        #expect(run.stdout.contains("Что требует внимания"))
        #expect(run.stdout.contains("$ sudo sysctl -w net.ipv4.ip_forward=1"), "commands stay as they are")
    }

    @Test func theLocaleIsFollowedWithoutAFlag() throws {
        let run = try Run(["check", "--root", Paths.fixtureRoot("net-nat-forwarding-off"), "--only", "net"], environment: ["LANG": "ru_RU.UTF-8"])
        #expect(Self.hasCyrillic(run.stdout))
        let english = try Run(["check", "--root", Paths.fixtureRoot("net-nat-forwarding-off"), "--only", "net", "--lang", "en"], environment: ["LANG": "ru_RU.UTF-8"])
        #expect(!Self.hasCyrillic(english.stdout), "--lang wins over the locale")
    }

    @Test func anUnknownLanguageIsAUsageErrorNamingTheAvailableOnes() throws {
        let run = try Run(["check", "--lang", "xx"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("available: en, ru"))
    }

    @Test func explainAndListSpeakRussianToo() throws {
        let explain = try Run(["explain", "net.ip-forward", "--lang", "ru"])
        #expect(explain.status == 0 && explain.stdout.contains("Как исправить"))
        let list = try Run(["list", "--lang", "ru"])
        #expect(list.status == 0 && list.stdout.contains("Пересылка IPv4"))
    }
}
