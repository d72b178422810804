import Foundation
import Testing
import TestSupport

@Suite struct CertsCommandTests {
    static let now = "2026-06-01T00:00:00Z"

    @Test func jsonInventoryHasEveryField() throws {
        let run = try Run(["certs", "--root", root("ovirt-node-certs-vnc-stale"), "--now", Self.now, "--format", "json"])
        #expect(run.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let items = json["items"] as! [[String: Any]]
        let vnc = items.first { $0["path"] as? String == "/etc/pki/vdsm/libvirt-vnc/server-cert.pem" }!
        #expect(vnc["state"] as? String == "expired")
        #expect(vnc["notAfter"] as? String == "2026-05-31T00:00:00Z", "RFC 3339 UTC")
        #expect(vnc["daysLeft"] as? Int == -1)
        for key in ["subject", "issuer", "serial", "subjectAlternativeNames", "keyType", "notBefore", "role", "foundBy"] {
            #expect(vnc[key] != nil, "\(key)")
        }
        #expect(vnc["keyMatches"] as? Bool == true)
    }

    @Test func prometheusTextfileFormat() throws {
        let run = try Run(["certs", "--root", root("ovirt-node-certs-renewal-window"), "--now", Self.now, "--format", "prometheus"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("# TYPE virt_doctor_certificate_days_left gauge"))
        #expect(run.stdout.contains(#"virt_doctor_certificate_days_left{path="/etc/pki/vdsm/certs/vdsmcert.pem",role="vdsm",index="0",subject="O=example.test, CN=virt-host1.example.test"} 44"#))
        for line in run.stdout.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.range(of: #"^[a-z_]+(\{.*\})? -?[0-9]+$"#, options: .regularExpression) != nil, "\(line)")
        }
    }

    @Test func whatExpiresByADate() throws {
        let run = try Run(["check", "--root", root("ovirt-node-certs-valid"), "--only", "cert.vdsm-expiry", "--now", "2030-02-01T00:00:00Z"])
        #expect(run.status == 0, "29 days before expiry is a warning, not a failure")
        #expect(run.stdout.contains("[WARN]  cert.vdsm-expiry"))
        let later = try Run(["check", "--root", root("ovirt-node-certs-valid"), "--only", "cert.vdsm-expiry", "--now", "2030-03-02"])
        #expect(later.status == 2)
        let wider = try Run(["check", "--root", root("ovirt-node-certs-valid"), "--only", "cert.vdsm-expiry", "--now", "2029-09-01", "--cert-warn-days", "200"])
        #expect(wider.stdout.contains("[WARN]  cert.vdsm-expiry"))
    }

    @Test func extraCertificatePathsAndUnreadableFiles() throws {
        let run = try Run(["certs", "--root", root("ovirt-node-certs-truncated"), "--now", Self.now, "--cert", "/etc/pki/vdsm/keys", "--cert", "/etc/pki/nowhere.pem", "--format", "json"])
        let items = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])["items"] as! [[String: Any]]
        let truncated = items.first { $0["path"] as? String == "/etc/pki/vdsm/certs/vdsmcert.pem" }!
        #expect(truncated["state"] as? String == "unreadable")
        #expect((truncated["problem"] as? String)?.contains("truncated") == true)
        let key = items.first { $0["path"] as? String == "/etc/pki/vdsm/keys/vdsmkey.pem" }!
        #expect(key["state"] as? String == "private-key")
        let missing = items.first { $0["path"] as? String == "/etc/pki/nowhere.pem" }!
        #expect((missing["problem"] as? String)?.contains("not present") == true)
    }

    /// Private keys are read to compare them; nothing of them may leak into any output.
    @Test func noKeyMaterialInAnyOutput() throws {
        let rootPath = root("ovirt-node-certs-key-mismatch")
        var keyLines: [String] = []
        for key in ["etc/pki/vdsm/keys/vdsmkey.pem", "etc/pki/vdsm/libvirt-vnc/server-key.pem"] {
            let text = try String(contentsOfFile: rootPath + "/" + key, encoding: .utf8)
            keyLines += text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        }
        let instant = ["--now", Self.now]
        for arguments in [["certs", "--format", "json"] + instant, ["certs"] + instant, ["certs", "--format", "prometheus"] + instant,
                          ["check", "--format", "json"] + instant, ["check", "--format", "html"] + instant, ["facts", "--format", "json"]] {
            let run = try Run(arguments + ["--root", rootPath])
            #expect(!run.stdout.contains("PRIVATE KEY-----"), "\(arguments)")
            for line in keyLines where line.count > 20 { #expect(!run.stdout.contains(line), "\(arguments) leaks key text") }
        }
    }

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func corpusDirectoryThroughCert() throws {
        let run = try Run(["certs", "--root", Paths.corpus + "/certs", "--cert", "/square-certigo", "--now", Self.now, "--format", "json"])
        #expect(run.status == 0)
        let items = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])["items"] as! [[String: Any]]
        #expect(items.count > 5)
    }
}
