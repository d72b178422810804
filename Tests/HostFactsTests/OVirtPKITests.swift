import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// issue 13: certs — signature algorithms, PKCS#12 keystores, pending enrollment files, a node's expected
/// certificates and the engine's service certificates.
@Suite struct OVirtPKITests {
    static let corpusEnabled = Testing.ConditionTrait.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage))

    static func corpusFile(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Paths.corpus + "/certs/" + name)))
    }

    static func fixture(_ root: String, _ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Paths.fixtureRoot(root) + path)))
    }

    // MARK: signature algorithms, as openssl names them (`openssl x509 -noout -text | grep "Signature Algorithm"`)

    @Test(corpusEnabled, arguments: [
        ("pyca-cryptography/verisign_md2_root.pem", "md2WithRSAEncryption", "MD2"),
        ("square-certigo/example-sha1.crt", "sha1WithRSAEncryption", "SHA1"),
        ("square-certigo/example-md5.crt", "md5WithRSAEncryption", "MD5"),
        ("square-certigo/example-elliptic-sha1.crt", "ecdsa-with-SHA1", "SHA1"),
        ("square-certigo/example-leaf.crt", "sha256WithRSAEncryption", "SHA256"),
        ("pyca-cryptography/ee-pss-sha1-cert.pem", "rsassaPss", nil),
        ("pyca-cryptography/custom/dsa_selfsigned_ca.pem", "dsaWithSHA1", "SHA1"),
    ] as [(String, String, String?)])
    func signatureAlgorithmFromCorpus(_ name: String, _ algorithm: String, _ hash: String?) throws {
        let file = CertificateParser.read(try Self.corpusFile(name), path: name)
        let certificate = try #require(file.certificates.first, "\(name): \(file.problem ?? "")")
        #expect(certificate.signatureAlgorithm == algorithm, "\(name)")
        #expect(certificate.signatureHash == hash, "\(name)")
    }

    @Test func signatureAlgorithmOfFixtures() throws {
        let weak = CertificateParser.read(try Self.fixture("ce-keystrength-rsa1024-sha1", "/etc/pki/vdsm/certs/vdsmcert.pem"), path: "vdsmcert.pem")
        #expect(weak.certificates.first?.signatureAlgorithm == "sha1WithRSAEncryption")
        #expect(weak.certificates.first?.keyType == "RSA-1024")
        let root = CertificateParser.read(try Self.fixture("ce-keystrength-sha1-root-ca", "/etc/pki/vdsm/certs/cacert.pem"), path: "cacert.pem")
        #expect(root.certificates.first?.signatureAlgorithm == "sha1WithRSAEncryption")
        #expect(root.certificates.first?.selfIssued == true)
        let strong = CertificateParser.read(try Self.fixture("ce-keystrength-sha1-root-ca", "/etc/pki/vdsm/certs/vdsmcert.pem"), path: "vdsmcert.pem")
        #expect(strong.certificates.first?.signatureAlgorithm == "sha256WithRSAEncryption")
    }

    /// An unknown algorithm is shown by its OID; a certificate whose outer algorithm is missing has none.
    @Test func unknownSignatureAlgorithm() throws {
        let bytes = try Self.fixture("ce-keystrength-sha1-root-ca", "/etc/pki/vdsm/certs/vdsmcert.pem")
        let text = String(decoding: bytes, as: UTF8.self)
        let der = try #require(CertificateParser.pemBlocks(text).first?.der)
        // sha256WithRSAEncryption ends in 01 01 0b: make it 01 01 7f, an arc nobody assigned.
        let marker: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]
        var changed = der
        var index = changed.count - marker.count
        while index >= 0 && Array(changed[index..<index + marker.count]) != marker { index -= 1 }
        try #require(index > 0)
        changed[index + marker.count - 1] = 0x7f
        let record = try CertificateParser.record(changed)
        #expect(record.signatureAlgorithm == "1.2.840.113549.1.1.127")
        #expect(record.signatureHash == nil)
    }

    // MARK: PKCS#12

    @Test func pkcs12WrittenByOpenSSL3() throws {
        let bytes = try Self.fixture("ce-engine-internal-ok", "/etc/pki/ovirt-engine/keys/apache.p12")
        let certificates = try PKCS12.certificates(bytes, password: "mypass").get()
        #expect(certificates.count == 1)
        let cer = CertificateParser.read(try Self.fixture("ce-engine-internal-ok", "/etc/pki/ovirt-engine/certs/apache.cer"), path: "apache.cer")
        let fromKeystore = try CertificateParser.record(try #require(certificates.first))
        #expect(fromKeystore.sha256Fingerprint == cer.certificates.first?.sha256Fingerprint)
    }

    @Test func pkcs12WrongPassword() throws {
        let bytes = try Self.fixture("ce-engine-internal-ok", "/etc/pki/ovirt-engine/keys/apache.p12")
        guard case .failure(let problem) = PKCS12.certificates(bytes, password: "not-it") else {
            Issue.record("a wrong password must not yield certificates")
            return
        }
        #expect(problem.description.contains("password") || problem.description.contains("not a PKCS#12"))
    }

    @Test func pkcs12Legacy3DES() throws {
        let bytes = try Self.fixture("ce-engine-internal-ok", "/etc/pki/ovirt-engine/keys/websocket-proxy.p12")
        guard case .failure(let problem) = PKCS12.certificates(bytes, password: "mypass") else {
            Issue.record("legacy 3DES archives are not read")
            return
        }
        #expect(problem.description.contains("pbeWithSHAAnd3-KeyTripleDES-CBC"))
    }

    /// certigo's archives (password "password") use OpenSSL 1.x's RC2-40 for the certificates.
    @Test(corpusEnabled) func pkcs12LegacyRC2FromCorpus() throws {
        guard case .failure(let problem) = PKCS12.certificates(try Self.corpusFile("square-certigo/example-leaf.p12"), password: "password") else {
            Issue.record("RC2 archives are not read")
            return
        }
        #expect(problem.description.contains("pbeWithSHAAnd40BitRC2-CBC"))
    }

    @Test(arguments: [
        [UInt8](), [0x30], [0x30, 0x84, 0xff, 0xff, 0xff, 0xff], Array("-----BEGIN CERTIFICATE-----".utf8),
        [0x30, 0x03, 0x02, 0x01, 0x03], [UInt8](repeating: 0xff, count: 4096),
    ])
    func pkcs12Garbage(_ bytes: [UInt8]) {
        guard case .failure = PKCS12.certificates(bytes, password: "mypass") else {
            Issue.record("garbage must not yield certificates")
            return
        }
    }

    @Test func pkcs12Truncated() throws {
        let bytes = try Self.fixture("ce-engine-internal-ok", "/etc/pki/ovirt-engine/keys/engine.p12")
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            if case .success(let certificates) = PKCS12.certificates(Array(bytes.prefix(length)), password: "mypass") {
                // BER may end early with the certificate bag complete; what comes out must still be a certificate.
                for der in certificates { _ = try CertificateParser.record(der) }
            }
        }
    }

    // MARK: pending enrollment

    @Test func pendingNames() {
        #expect(PendingEnrollment.isPending("vdsmkey.pending.pem"))
        #expect(PendingEnrollment.isPending("server-key.pending.pem"))
        #expect(PendingEnrollment.isPending("host-ssh_host_rsa.pending"))
        #expect(PendingEnrollment.isPending("apache.pending.key"))
        #expect(!PendingEnrollment.isPending("vdsmkey.pem"))
        #expect(!PendingEnrollment.isPending("pending-notes.txt"))
        #expect(PendingEnrollment.kind("vdsmkey.pending.pem") == "private key")
        #expect(PendingEnrollment.kind("host-ssh_host_rsa.pending") == "private key")
        #expect(PendingEnrollment.kind("node1.pending.req") == "certificate request")
        #expect(PendingEnrollment.kind("server-cert.pending.pem") == "certificate")
    }

    @Test func pendingOnFixtures() throws {
        let leftover = try PendingEnrollment.read(try HostRoot(directory: Paths.fixtureRoot("ce-pending-leftover"))).value
        #expect(leftover.leftovers.map(\.path) == ["/etc/pki/vdsm/keys/vdsmkey.pending.pem", "/etc/pki/vdsm/libvirt-migrate/server-key.pending.pem"])
        let clean = try PendingEnrollment.read(try HostRoot(directory: Paths.fixtureRoot("ce-node-complete"))).value
        #expect(clean.leftovers.isEmpty)
        #expect(clean.directoriesSearched.contains("/etc/pki/vdsm/keys"))
        #expect(throws: FactError.self) { try PendingEnrollment.read(try HostRoot(directory: Paths.fixtureRoot("kvm-intel-host-ready"))) }
    }

    // MARK: node certificates

    @Test func nodeFilesOnFixtures() throws {
        let complete = try NodePKIFiles.read(try HostRoot(directory: Paths.fixtureRoot("ce-node-complete"))).value
        #expect(complete.vdsmInstalled && complete.ovnConfigured && complete.vmconsoleInstalled)
        #expect(complete.files.allSatisfy { $0.state == "present" })
        let missing = try NodePKIFiles.read(try HostRoot(directory: Paths.fixtureRoot("ce-node-missing-migrate-vmconsole"))).value
        #expect(!missing.ovnConfigured && missing.vmconsoleInstalled)
        #expect(Set(missing.files.filter { $0.state == "absent" }.map(\.component)) == ["libvirt-migrate", "libvirt-migrate-client", "ovn", "vmconsole"])
        #expect(missing.files.first { $0.component == "ovn" }?.expected == false)
    }

    // MARK: engine certificates

    @Test func enginePKIOnFixtures() throws {
        let ok = try EnginePKI.read(try HostRoot(directory: Paths.fixtureRoot("ce-engine-internal-ok"))).value
        #expect(ok.caProblem == nil)
        #expect(ok.certificates.map(\.name) == ["apache", "websocket-proxy", "engine"])
        #expect(ok.certificates.allSatisfy { $0.signedByEngineCA == true })
        let apache = try #require(ok.certificates.first)
        #expect(apache.keystoreCertificates == [apache.sha256Fingerprint!])
        #expect(ok.certificates[1].keystoreProblem?.contains("TripleDES") == true)

        let third = try EnginePKI.read(try HostRoot(directory: Paths.fixtureRoot("ce-engine-third-party-apache"))).value
        #expect(third.certificates.first?.signedByEngineCA == false)
        #expect(third.certificates.first?.issuer?.contains("Example Commercial CA") == true)

        let differs = try EnginePKI.read(try HostRoot(directory: Paths.fixtureRoot("ce-engine-keystore-differs"))).value
        let renewed = try #require(differs.certificates.first)
        #expect(renewed.signedByEngineCA == true)
        #expect(renewed.keystoreCertificates?.contains(renewed.sha256Fingerprint!) == false)

        #expect(throws: FactError.self) { try EnginePKI.read(try HostRoot(directory: Paths.fixtureRoot("ce-node-complete"))) }
    }
}
