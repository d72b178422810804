import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Testing
import TestSupport

/// Every fact a check reads must be one `virt-doctor facts` lists and `collect` records into facts.json:
/// a fact missing from that list is judged on the host but silently unanswerable in `analyze` (the live-only
/// ones — libvirt, the /dev/kvm probe — most of all). Measured, not grepped: all checks run on every fixture
/// root, and every fact they asked for must be listed.
@Suite struct FactRegistryTests {
    static let roots: [String] = (try? FileManager.default.contentsOfDirectory(atPath: Paths.repository + "/Tests/Fixtures/roots"))?.sorted() ?? []

    @Test func everyFactAChecksAsksForIsListedAndRecorded() throws {
        let listed = Set(Facts.all.map(\.name))
        var asked = Set<String>()
        for root in Self.roots {
            for profile in Profile.allCases {
                let diagnosis = try Diagnosis.run(DiagnosisOptions(root: HostRoot(directory: Paths.fixtureRoot(root)), profile: profile,
                                                                   now: Date(timeIntervalSince1970: 1_795_000_000)),
                                                  catalog: Catalog.builtIn())
                asked.formUnion(diagnosis.store.askedFactNames)
            }
        }
        // sysctl:<name> is a family answered from /proc/sys files, which a bundle carries as evidence.
        let missing = asked.filter { name in !listed.contains(name) && !name.hasPrefix("sysctl:") }
        #expect(missing.isEmpty, "facts read by checks but missing from Facts.all (so not in `facts` nor in bundles): \(missing.sorted())")
        #expect(asked.count > 20, "the run asked for \(asked.count) facts; it should exercise the catalog")
    }
}
