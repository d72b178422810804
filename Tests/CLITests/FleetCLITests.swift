import Foundation
import Testing
import TestSupport

/// `virt-doctor fleet`: four migration fixture hosts as roots and as collected bundles, a broken input among
/// them, the three rendered formats and the usage error.
@Suite(.serialized) struct FleetCLITests {
    static let now = "2026-06-01T00:00:00Z"
    static let hosts = ["migr-src", "migr-dst-ready", "migr-dst-macclash", "migr-dst-oldcpu"]

    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    static func pair(_ object: [String: Any], _ source: String, _ destination: String) -> [String: Any]? {
        let pairs = (object["migration"] as? [String: Any])?["pairs"] as? [[String: Any]] ?? []
        return pairs.first { $0["source"] as? String == source && $0["destination"] as? String == destination }
    }

    /// The JSON of a fleet: hosts, matrix, the MAC shared across hosts, the CPU outlier and the migration matrix.
    static func expectFleetContent(_ object: [String: Any]) throws {
        #expect(object["schemaVersion"] as? Int == 1)
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(Set(hosts.compactMap { $0["name"] as? String }) == ["kvm-a", "kvm-b", "kvm-i", "kvm-d"])
        for host in hosts {
            #expect(host["verdict"] is String && host["counts"] is [String: Any] && host["evidenceKind"] is String)
        }
        let checks = try #require(object["checks"] as? [String])
        #expect(checks.contains("cpu.virt-flags"))
        let matrix = try #require(object["matrix"] as? [[String: Any]])
        #expect(matrix.count == 4)
        for row in matrix {
            let statuses = try #require(row["statuses"] as? [String: String])
            #expect(statuses["cpu.virt-flags"] != nil, "\(row["host"] ?? "?")")
        }
        let cross = try #require(object["crossHost"] as? [String: Any])
        let collisions = try #require(cross["macCollisions"] as? [[String: Any]])
        let clash = try #require(collisions.first { $0["mac"] as? String == "52:54:00:a0:00:01" })
        let guests = (clash["guests"] as? [[String: String]] ?? []).map { "\($0["host"] ?? "")/\($0["guest"] ?? "")" }
        #expect(Set(guests) == ["kvm-a/web01", "kvm-i/app07"])
        #expect(!collisions.contains { $0["mac"] as? String == "52:54:00:a0:00:02" }, "db01's MAC is used once")
        let outliers = try #require(cross["cpuOutliers"] as? [[String: Any]])
        #expect(outliers.map { $0["host"] as? String } == ["kvm-d"])
        let missing = outliers.first?["missing"] as? [String] ?? []
        #expect(missing.contains("avx2"), "\(missing)")
        #expect(cross["versionOutliers"] is [Any] && cross["certificateCalendar"] is [Any])
        let migration = try #require(object["migration"] as? [String: Any])
        #expect(migration["capped"] as? Bool == false)
        #expect((migration["pairs"] as? [Any])?.count == 12, "4 hosts: 12 ordered pairs")
        let toOld = try #require(pair(object, "kvm-a", "kvm-d"))
        #expect(toOld["guests"] as? Int == 2)
        #expect(toOld["movable"] as? Int == 0)
        #expect((toOld["failingChecks"] as? [String])?.contains("migr.cpu-compat") == true)
        let toReady = try #require(pair(object, "kvm-a", "kvm-b"))
        #expect((toReady["movable"] as? Int ?? 0) >= 1, "\(toReady)")
        #expect((toReady["failingChecks"] as? [String])?.contains("migr.cpu-compat") == false)
        let fromEmpty = try #require(pair(object, "kvm-b", "kvm-a"))
        #expect(fromEmpty["guests"] as? Int == 0)
        let problems = try #require(object["problems"] as? [[String: Any]])
        let counts = problems.compactMap { $0["hostCount"] as? Int }
        #expect(counts == counts.sorted(by: >), "most widespread first")
    }

    @Test func rootsGiveTheMatrixAndTheCrossHostFindings() throws {
        let run = try Run(["fleet"] + Self.hosts.map(root) + ["--now", Self.now, "--format", "json"])
        #expect(run.status == 2, "a MAC shared across hosts is a problem: \(run.stderr)")
        try Self.expectFleetContent(try Self.object(run.stdout))
    }

    /// A directory of collected bundles with a broken one among them: the broken one is named, exit 1, and
    /// the four hosts are still reported with the same findings.
    @Test func aDirectoryOfBundlesWithABrokenOne() throws {
        let scratch = ScratchRoot()
        for name in Self.hosts {
            let collect = try Run(["collect", "--root", root(name), "--output", scratch.path + "/\(name).tar.gz", "--now", Self.now])
            #expect(collect.status == 0, "\(collect.stderr)")
        }
        scratch.write("broken.tar.gz", "not an archive")
        let run = try Run(["fleet", scratch.path, "--now", Self.now, "--format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("broken.tar.gz"))
        let object = try Self.object(run.stdout)
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.count == 1 && (unreadable.first?["input"] as? String)?.hasSuffix("broken.tar.gz") == true)
        try Self.expectFleetContent(object)
        let kinds = Set(((object["hosts"] as? [[String: Any]]) ?? []).compactMap { $0["evidenceKind"] as? String })
        #expect(kinds == ["bundle"])
    }

    @Test func textMarkdownAndHTMLRender() throws {
        let inputs = Self.hosts.map(root) + ["--now", Self.now]
        let text = try Run(["fleet"] + inputs + ["--no-color"])
        #expect(text.status == 2, "\(text.stderr)")
        #expect(text.stdout.contains("Migration matrix"))
        #expect(text.stdout.contains("kvm-a -> kvm-d"))
        #expect(text.stdout.contains("52:54:00:a0:00:01"))
        #expect(!text.stdout.contains("\u{1B}["))
        let markdown = try Run(["fleet"] + inputs + ["--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("# virt-doctor fleet report: 4 hosts"))
        #expect(markdown.stdout.contains("| kvm-a | kvm-d |"))
        let scratch = ScratchRoot()
        let html = try Run(["fleet"] + inputs + ["--format", "html", "--output", scratch.path + "/fleet.html"])
        #expect(html.status == 2)
        let page = try String(contentsOfFile: scratch.path + "/fleet.html", encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<style>") && !page.contains("<script") && !page.contains("<link"))
        #expect(page.contains("class=\"cell fail\""))
        #expect(page.contains("52:54:00:a0:00:01"))
    }

    /// Extracted sos reports of three of the hosts: judged like their roots, kvm-d still the CPU outlier.
    @Test func sosReportsAreHostsToo() throws {
        let run = try Run(["fleet"] + ["migr-src", "migr-dst-ready", "migr-dst-oldcpu"].map(Paths.sosFixture) + ["--now", Self.now, "--format", "json"])
        #expect(run.status == 0 || run.status == 2, "\(run.stderr)")
        let object = try Self.object(run.stdout)
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(hosts.count == 3)
        #expect(Set(hosts.compactMap { $0["evidenceKind"] as? String }) == ["sos-report"])
        let outliers = ((object["crossHost"] as? [String: Any])?["cpuOutliers"] as? [[String: Any]]) ?? []
        #expect(outliers.compactMap { $0["host"] as? String } == ["kvm-d"])
        #expect((Self.pair(object, "kvm-a", "kvm-d")?["failingChecks"] as? [String])?.contains("migr.cpu-compat") == true)
    }

    /// 51 healthy hosts: exit 0, every host reported, the migration matrix left out with a sentence saying so.
    @Test func healthyFleetBeyondTheMigrationCap() throws {
        let run = try Run(["fleet"] + Array(repeating: root("migr-dst-ready"), count: 51) + ["--now", Self.now, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try Self.object(run.stdout)
        #expect(object["healthy"] as? Bool == true)
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(Set(hosts.compactMap { $0["name"] as? String }).count == 51, "names stay unique")
        let migration = try #require(object["migration"] as? [String: Any])
        #expect(migration["capped"] as? Bool == true)
        #expect((migration["pairs"] as? [Any])?.isEmpty == true)
        #expect((migration["note"] as? String)?.contains("50") == true)
    }

    @Test func usageAndUnreadableInputs() throws {
        #expect(try Run(["fleet"]).status == 64)
        #expect(try Run(["fleet", root("migr-src"), "--now", "yesterday"]).status == 64)
        let scratch = ScratchRoot()
        let run = try Run(["fleet", root("migr-src"), scratch.path + "/missing.tar.gz", "--now", Self.now, "--format", "json"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("missing.tar.gz"))
        let object = try Self.object(run.stdout)
        #expect((object["hosts"] as? [Any])?.count == 1)
    }
}
