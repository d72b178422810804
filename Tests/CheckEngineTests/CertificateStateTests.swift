@testable import CheckEngine
import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// `certs` and `check` classify a certificate with one function, so they cannot disagree about it.
@Suite struct CertificateStateTests {
    static let now = try! Date("2026-06-01T00:00:00Z", strategy: .iso8601)

    func vdsmState(root name: String) throws -> (listing: String, check: Status, summary: String) {
        let store = FactStore(root: try HostRoot(directory: Paths.fixtureRoot(name)))
        let listing = CertificateListing.make(store, now: Self.now, warningDays: 60)
        let item = try #require(listing.items.first { $0.path == "/etc/pki/vdsm/certs/vdsmcert.pem" })
        let catalog = try Catalog.builtIn()
        let check = try #require(catalog.check(id: "cert.vdsm-expiry"))
        let finding = Runner(catalog: Catalog(checks: [check]))
            .run(check, store: store, options: RunOptions(profile: .ovirtNode, now: Self.now, certificateWarningDays: 60))
        return (item.state, finding.status, finding.summary)
    }

    /// Ten days left: the check fails (too late to renew calmly); the listing used to call it "renewal-window".
    @Test func tenDaysLeftIsTooLateInBoth() throws {
        let state = try vdsmState(root: "ovirt-node-certs-ten-days")
        #expect(state.listing == "too-late")
        #expect(state.check == .fail, "\(state.summary)")
    }

    @Test func renewalWindowAgrees() throws {
        let state = try vdsmState(root: "ovirt-node-certs-renewal-window")
        #expect(state.listing == "renewal-window")
        #expect(state.check == .warn, "\(state.summary)")
    }

    @Test func boundariesOfTheClassification() {
        func certificate(daysLeft: Double) -> CertificateRecord {
            CertificateRecord(subject: "CN=test", issuer: "CN=test", serialHex: "01", subjectAlternativeNames: [], keyType: "EC-P256",
                              notBefore: Self.now.addingTimeInterval(-86_400), notAfter: Self.now.addingTimeInterval(daysLeft * 86_400),
                              sha256Fingerprint: "", publicKeySHA256: "", isCA: false, selfIssued: true)
        }
        #expect(CertificateState.classify(certificate(daysLeft: 0), now: Self.now, windowDays: 60) == .expired)
        #expect(CertificateState.classify(certificate(daysLeft: -3), now: Self.now, windowDays: 60) == .expired)
        #expect(CertificateState.classify(certificate(daysLeft: 14.5), now: Self.now, windowDays: 60) == .tooLate)
        #expect(CertificateState.classify(certificate(daysLeft: 15), now: Self.now, windowDays: 60) == .renewalWindow)
        #expect(CertificateState.classify(certificate(daysLeft: 60.9), now: Self.now, windowDays: 60) == .renewalWindow)
        #expect(CertificateState.classify(certificate(daysLeft: 61), now: Self.now, windowDays: 60) == .valid)
    }
}

/// Summaries assembled from fragments come out whole in the reader's language.
@Suite struct CertificateFragmentTests {
    @Test func expiredListReadsInRussian() throws {
        let catalog = try Catalog.builtIn().localized("ru")
        let check = try #require(catalog.check(id: "cert.vdsm-expiry"))
        let store = FactStore(root: try HostRoot(directory: Paths.fixtureRoot("ovirt-node-certs-expired")))
        let finding = Runner(catalog: Catalog(checks: [check]))
            .run(check, store: store, options: RunOptions(profile: .ovirtNode, now: CertificateStateTests.now))
        #expect(finding.status == .fail)
        #expect(finding.summary.hasPrefix("срок действия /etc/pki/vdsm/certs/vdsmcert.pem истёк"), "\(finding.summary)")
        #expect(!finding.summary.contains("{"), "\(finding.summary)")
    }
}
