import Foundation
import Testing
import TestSupport

/// `virt-doctor migrate`: the same pair of hosts as directory roots, as bundles and as sos reports, the
/// live path through libvirt's test driver, and the usage errors.
@Suite(.serialized) struct MigrateCLITests {
    static let now = "2026-06-01T00:00:00Z"

    /// (id, guest) -> status of a JSON report.
    static func statuses(_ json: String) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        var result: [String: String] = [:]
        for finding in findings {
            let id = finding["id"] as? String ?? "?"
            let key = (finding["guest"] as? String).map { "\(id) [\($0)]" } ?? id
            result[key] = finding["status"] as? String
        }
        return result
    }

    @Test func readyPairPassesAndTheReportNamesBothHosts() throws {
        let run = try Run(["migrate", root("migr-src"), root("migr-dst-ready"), "--guest", "web01", "--now", Self.now, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let profile = try #require(object["profile"] as? [String: Any])
        #expect(profile["effective"] as? String == "migration")
        #expect((object["destination"] as? [String: Any])?["hostname"] as? String == "kvm-b")
        #expect((object["host"] as? [String: Any])?["hostname"] as? String == "kvm-a")
        let statuses = try Self.statuses(run.stdout)
        #expect(statuses["migr.cpu-compat [web01]"] == "pass")
        #expect(statuses["migr.same-version"] == "pass")
        #expect(statuses["migr.firewall-ports"] == "pass")
        #expect(statuses["migr.ssh-access"] == "pass")
        #expect(statuses.keys.allSatisfy { !$0.contains("[db01]") }, "--guest limits the per-guest findings")
    }

    @Test func problemsExitTwoWithPerGuestFindingsInText() throws {
        let run = try Run(["migrate", root("migr-src"), root("migr-dst-oldcpu"), "--now", Self.now, "--no-color"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stdout.contains("[FAIL]  migr.cpu-compat [db01]"))
        #expect(run.stdout.contains("[FAIL]  migr.cpu-compat [web01]"))
        #expect(run.stdout.contains("Destination: kvm-d"))
    }

    /// Collected bundles of the two hosts give exactly the answers of their directory roots.
    @Test func bundlesGiveTheSameAnswersAsRoots() throws {
        let scratch = ScratchRoot()
        for name in ["migr-src", "migr-dst-oldcpu"] {
            let collect = try Run(["collect", "--root", root(name), "--output", scratch.path + "/\(name).tar.gz", "--now", Self.now])
            #expect(collect.status == 0, "\(collect.stderr)")
        }
        let roots = try Run(["migrate", root("migr-src"), root("migr-dst-oldcpu"), "--now", Self.now, "--format", "json"])
        let bundles = try Run(["migrate", scratch.path + "/migr-src.tar.gz", scratch.path + "/migr-dst-oldcpu.tar.gz", "--now", Self.now, "--format", "json"])
        #expect(bundles.status == roots.status, "\(bundles.stderr)")
        let fromRoots = try Self.statuses(roots.stdout), fromBundles = try Self.statuses(bundles.stdout)
        #expect(fromRoots.count > 10)
        #expect(fromBundles == fromRoots)
    }

    /// sos reports of the same hosts: every answer the report holds evidence for is the same; what sos never
    /// copies (root's SSH files) is a skip that says so, never a different verdict.
    @Test func sosReportsGiveTheSameAnswersWhereTheyHoldTheEvidence() throws {
        for destination in ["migr-dst-ready", "migr-dst-oldcpu"] {
            let roots = try Self.statuses(try Run(["migrate", root("migr-src"), root(destination), "--now", Self.now, "--format", "json"]).stdout)
            let sos = try Run(["migrate", Paths.sosFixture("migr-src"), Paths.sosFixture(destination), "--now", Self.now, "--format", "json"])
            #expect(sos.status == 0 || sos.status == 2, "\(sos.stderr)")
            let fromSos = try Self.statuses(sos.stdout)
            #expect(Set(fromSos.keys) == Set(roots.keys))
            for (key, status) in roots where fromSos[key] != status {
                #expect(fromSos[key] == "skip" && key == "migr.ssh-access", "\(key): \(status) from the roots, \(fromSos[key] ?? "none") from sos")
            }
            for key in ["migr.same-version", "migr.cpu-compat [web01]", "migr.cpu-compat [db01]", "migr.network-parity [db01]",
                        "storage.shared [db01]", "migr.storage-path [web01]", "migr.bandwidth [web01]", "migr.clock-sync", "net.mac-unique"] {
                #expect(fromSos[key] == roots[key], "\(key)")
            }
        }
    }

    /// `--to` asks the destination's libvirt (here the test driver, read-only); file-based checks of the
    /// destination then say what the connection cannot show instead of guessing.
    @Test func toAsksTheDestinationsLibvirt() throws {
        let run = try Run(["migrate", root("migr-src"), "--to", "test:///default", "--now", Self.now, "--format", "json"])
        #expect(run.status == 0 || run.status == 2, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let evidence = try #require(object["destinationEvidence"] as? [String: Any])
        #expect(evidence["kind"] as? String == "libvirt-connection")
        let statuses = try Self.statuses(run.stdout)
        #expect(statuses["migr.same-version"] != nil)
        #expect(statuses["migr.storage-path [web01]"] == "skip")
    }

    @Test func usageErrors() throws {
        let missing = try Run(["migrate", root("migr-src")])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("destination"))
        let unknown = try Run(["migrate", root("migr-src"), root("migr-dst-ready"), "--guest", "nosuch"])
        #expect(unknown.status == 64 || unknown.status == 1)
        #expect(unknown.stderr.contains("nosuch") && unknown.stderr.contains("web01"))
        let both = try Run(["migrate", root("migr-src"), root("migr-dst-ready"), "--to", "test:///default"])
        #expect(both.status == 64)
    }
}
