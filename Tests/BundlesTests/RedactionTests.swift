@testable import Bundles
import Foundation
import HostFacts
import Testing
import TestSupport

/// Everything the security review planted, and more: no planted secret may reach any byte of the archive,
/// with or without --obfuscate, while the content the checks need stays.
@Suite(.serialized) struct PlantedSecretTests {
    static let now = ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z")!

    struct Plant {
        var kind: String
        var needle: [UInt8]
        init(_ kind: String, _ needle: String) { self.kind = kind; self.needle = Array(needle.utf8) }
        init(_ kind: String, bytes: [UInt8]) { self.kind = kind; self.needle = bytes }
    }

    /// The fixture's RSA key, as PEM body lines and as DER.
    static func fixtureKey() throws -> (lines: [String], der: [UInt8]) {
        let text = try String(contentsOfFile: Paths.fixtureRoot("ovirt-node-certs-valid") + "/etc/pki/vdsm/keys/vdsmkey.pem", encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        return (lines, Array(Data(base64Encoded: lines.joined())!))
    }

    static func fixtureCertificateDER() throws -> [UInt8] {
        let text = try String(contentsOfFile: Paths.fixtureRoot("ovirt-node-certs-valid") + "/etc/pki/vdsm/certs/cacert.pem", encoding: .utf8)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(Data(base64Encoded: body)!)
    }

    /// Plants every kind of secret in a copy of an oVirt node fixture; returns the root and what must not leak.
    static func plantedRoot() throws -> (ScratchRoot, [Plant]) {
        let scratch = ScratchRoot()
        try FileManager.default.removeItem(atPath: scratch.path)
        try FileManager.default.copyItem(atPath: Paths.fixtureRoot("ovirt-node-certs-valid"), toPath: scratch.path)
        let key = try fixtureKey()
        var plants: [Plant] = []
        func plant(_ kind: String, _ needle: String) { plants.append(Plant(kind, needle)) }

        scratch.write("etc/libvirt/qemu/web01.xml", """
            <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
              <name>web01</name>
              <metadata><app:password xmlns:app='urn:x'>Xq06elementText</app:password></metadata>
              <devices>
                <graphics type='vnc' port='5900' listen='0.0.0.0' passwd='Xq01plainAttr'/>
                <graphics type='spice' port='5901' passwd="Xq02other'quote"/>
                <graphics type='vnc' port='5902' passwd = 'Xq03spacedAttr' />
                <!-- <graphics type='vnc' port='5903' passwd='Xq05commentedXML'/> -->
              </devices>
              <qemu:commandline>
                <qemu:arg value='-object'/>
                <qemu:arg value='secret,id=sec0,data=Xq04qemuSecretData,format=base64'/>
                <qemu:arg value='-spice'/>
                <qemu:arg value='port=5930,password=Xq08spiceOption'/>
                <qemu:arg value='-spice password=&quot;Xq47entityQuoted&quot;'/>
                <qemu:env name='DB_PASSWORD' value='Xq07qemuEnvValue'/>
              </qemu:commandline>
            </domain>

            """)
        for (kind, needle) in [("XML child element text", "Xq06elementText"), ("attribute", "Xq01plainAttr"), ("attribute with the other quote", "Xq02other"),
                               ("spaces around =", "Xq03spacedAttr"), ("commented-out XML", "Xq05commentedXML"), ("qemu secret object", "Xq04qemuSecretData"),
                               ("qemu -spice password", "Xq08spiceOption"), ("entity-quoted", "Xq47entityQuoted"), ("qemu:env value", "Xq07qemuEnvValue")] {
            plant(kind, needle)
        }
        scratch.write("etc/libvirt/qemu.conf", """
            spice_tls = 1
            spice_tls_x509_cert_dir = "/etc/pki/vdsm/libvirt-spice"
            vnc_tls = 1
            vnc_tls_x509_cert_dir = "/etc/pki/vdsm/libvirt-vnc"
            vnc_listen = "0.0.0.0"
            vnc_password = "Xq09qemuConf"
            #vnc_password = "Xq10commentedOut"
            # spice_password=Xq48commentedSpaced
            spice_password=Xq11bare
            vnc_sasl_password = ""

            """)
        plant("qemu.conf setting", "Xq09qemuConf"); plant("commented-out setting", "Xq10commentedOut")
        plant("commented-out with space", "Xq48commentedSpaced"); plant("bare value", "Xq11bare")
        scratch.write("etc/libvirt/libvirtd.conf", "listen_tls = 1\nauth_tcp = \"sasl\"\nauth_tls = \"none\"\n")
        scratch.write("etc/libvirt/auth.conf", "[credentials-admin]\nauthname=admin\npassword=Xq12libvirtAuth\n")
        plant("libvirt auth.conf", "Xq12libvirtAuth")
        scratch.write("etc/vdsm/vdsm.conf", "[vars]\nssl = true\nssl_key_pass = Xq13keyPass\nkeystore_password = Xq14keystore\n;password=Xq41iniComment\n")
        plant("vdsm ssl_key_pass", "Xq13keyPass"); plant("vdsm keystore_password", "Xq14keystore"); plant("INI comment", "Xq41iniComment")
        scratch.write("etc/ovirt-engine-setup.conf.d/20-setup-ovirt-post.conf",
                      "[environment:default]\nOVESETUP_DB/host=str:localhost\nOVESETUP_DB/password=str:Xq15answerDb\nOVESETUP_CONFIG/adminPassword=str:Xq16answerAdmin\n")
        plant("answer file DB password", "Xq15answerDb"); plant("answer file admin password", "Xq16answerAdmin")
        scratch.write("etc/ovirt-engine/engine.conf.d/10-setup-database.conf", "ENGINE_DB_USER=\"engine\"\nENGINE_DB_PASSWORD=\"Xq17engineDb\"\n")
        plant("engine.conf", "Xq17engineDb")
        let jsonKey = "-----BEGIN PRIVATE KEY-----\\n" + key.lines.joined(separator: "\\n") + "\\n-----END PRIVATE KEY-----\\n"
        scratch.write("etc/ovirt-engine/extra.json", """
            {"user": "admin", "password": "Xq18jsonPassword", "nested": {"token": 987650019},
             "client": {"credentials": {"user": "u", "value": "Xq20nestedSecret"}}, "tls_key": "\(jsonKey)"}

            """)
        plant("JSON password", "Xq18jsonPassword"); plant("JSON number token", "987650019"); plant("JSON nested under a secret key", "Xq20nestedSecret")
        scratch.write("etc/ovirt-engine/app.yaml", "db:\n  user: engine\n  password: Xq21yamlPassword\n  api_key: Xq22yamlApiKey\nsecret: |\n  Xq23yamlBlock\n  Xq23yamlBlockLine2\nport: 5432\n")
        plant("YAML password", "Xq21yamlPassword"); plant("YAML api_key", "Xq22yamlApiKey"); plant("YAML block scalar", "Xq23yamlBlock")
        scratch.write("etc/default/libvirtd", "LIBVIRTD_ARGS=\"--timeout 120\"\nexport LIBVIRT_PASSWD='Xq24shellExport'\nMY_TOKEN=Xq25shellToken\n")
        plant("shell export", "Xq24shellExport"); plant("shell token", "Xq25shellToken")
        scratch.write("etc/default/libvirt-guests", "URIS=\"default qemu+ssh://root:Xq26uriPassword@peer.example.test/system\"\n")
        plant("URI credentials", "Xq26uriPassword")
        scratch.write("var/log/libvirt/libvirtd.log", """
            2026-06-01 10:00:00.000+0000: 2101: info : connecting to https://admin:Xq27logUri@engine.example.test/ovirt-engine
            2026-06-01 10:00:01.000+0000: 2101: debug : qemu -object secret,id=masterKey0,data=Xq28logSecretObject,format=base64 -spice port=5900,password=Xq29logSpice
            2026-06-01 10:00:02.000+0000: 2101: debug : -object '{"qom-type":"secret","id":"sec1","data":"Xq45qomData","format":"raw"}'
            2026-06-01 10:00:03.000+0000: 2101: debug : virsh --password Xq49flagValue list

            """)
        plant("URI in a log", "Xq27logUri"); plant("secret object in a log", "Xq28logSecretObject"); plant("spice password in a log", "Xq29logSpice")
        plant("qom-type secret JSON", "Xq45qomData"); plant("--password flag", "Xq49flagValue")
        scratch.write("etc/vdsm/indented.txt", "notes\n    -----BEGIN PRIVATE KEY-----\n" + key.lines.map { "    " + $0 }.joined(separator: "\n") + "\n    -----END PRIVATE KEY-----\n")
        for line in key.lines where line.count > 20 { plant("PEM body line", line) }
        scratch.write("etc/libvirt/clientblob.der", bytes: key.der)
        plants.append(Plant("DER private key", bytes: Array(key.der[40..<80])))
        scratch.write("etc/vdsm/admin-key.txt", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: Xq32puttyComment\nPublic-Lines: 1\nAAAAC3NzaC1lZDI1NTE5\nPrivate-Lines: 1\nXq32puttyPrivate\nPrivate-MAC: 00\n")
        plant("PuTTY key", "Xq32puttyPrivate"); plant("PuTTY comment", "Xq32puttyComment")
        var sasl: [UInt8] = [0x00, 0x06, 0x15, 0x61, 0xFF, 0xFE, 0x80]
        sasl += Array("admin\0libvirt\0userPassword\0Xq33saslDb".utf8) + [0xFF, 0x00]
        scratch.write("etc/libvirt/passwd.db", bytes: sasl)
        plant("SASL database", "Xq33saslDb")
        scratch.write("etc/xen/backup.txt", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUXq34openssh\n-----END OPENSSH PRIVATE KEY-----\n")
        plant("OpenSSH key", "Xq34openssh")
        scratch.write("etc/vdsm/pgp.txt", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXq35pgpBody\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n")
        plant("PGP key block", "Xq35pgpBody")
        scratch.write("etc/vdsm/legacy.txt", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nXq36encryptedBody\n-----END RSA PRIVATE KEY-----\n")
        plant("encrypted PEM key", "Xq36encryptedBody")
        scratch.write("etc/ovirt-hosted-engine/hosted-engine.conf", "fqdn=engine.example.test\npsk = Xq37presharedKey\n")
        plant("pre-shared key", "Xq37presharedKey")
        scratch.write("proc/1/environ", "PATH=/usr/bin\0DB_PASSWORD=Xq38environ\0HOME=/root\0")
        plant("init environment", "Xq38environ")
        scratch.write("etc/libvirt/blob.bin", bytes: [0xFF, 0xFE] + Array("Xq39unknownBinary".utf8))
        plant("unknown binary", "Xq39unknownBinary")
        scratch.write("etc/ovirt-engine/settings.xml", "<config><password>Xq40xmlElement</password><auth username='u'/><port>443</port></config>\n")
        plant("XML element", "Xq40xmlElement")
        scratch.write("boot/grub2/grub.cfg", "set default=0\npassword_pbkdf2 root grub.pbkdf2.sha512.10000.Xq42grubHash\n")
        plant("GRUB password", "Xq42grubHash")
        scratch.write("etc/vdsm/svc.conf", "{\"passwd\": \"Xq44jsonInConf\", \"port\": 54321}\n")
        plant("JSON in a .conf", "Xq44jsonInConf")
        scratch.write("etc/vdsm/pem-in-log.txt", "key follows: -----BEGIN EC PRIVATE KEY----- Xq46inlinePem -----END EC PRIVATE KEY----- done\n")
        plant("PEM on one line", "Xq46inlinePem")
        let keyBase64 = Data(key.der).base64EncodedString()
        scratch.write("etc/vdsm/bare-base64.txt", "blob=\(keyBase64)\n")
        plants.append(Plant("bare base64 DER key", String(keyBase64.prefix(80).suffix(60))))
        scratch.write("etc/pki/CA/cacert.pem", bytes: try fixtureCertificateDER())
        scratch.write("etc/libvirt/ca-copy.der", bytes: try fixtureCertificateDER())
        scratch.write("sys/firmware/dmi/tables/DMI", bytes: [1, 27, 1, 0, 1, 2, 3, 4] + Array(repeating: 0, count: 19) + Array("Vendor\0Product\0".utf8) + [0, 0xFF])
        return (scratch, plants)
    }

    static func decompressedArchive(_ path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    @Test(arguments: [false, true])
    func noPlantedSecretLeaves(obfuscate: Bool) throws {
        let (scratch, plants) = try Self.plantedRoot()
        #expect(Set(plants.map(\.kind)).count >= 35, "at least 35 kinds of secret are planted")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vd-planted-\(UUID().uuidString).tar.gz").path
        defer { try? FileManager.default.removeItem(atPath: output); try? FileManager.default.removeItem(atPath: output + ".obfuscation-map.json") }
        let result = try Collector.collect(CollectOptions(
            root: try HostRoot(directory: scratch.path), output: output, obfuscate: obfuscate, now: Self.now,
            commandLine: ["virt-doctor", "collect", "--connect", "qemu+ssh://root:Xq43commandLine@peer.example.test/system"]))
        let raw = try Self.decompressedArchive(result.archivePath)
        #expect(raw.count > 10_000)
        let members = try Archive.read(tarGz: Array(try Data(contentsOf: URL(fileURLWithPath: result.archivePath))))
        for plant in plants + [Plant("--connect URI in the manifest", "Xq43commandLine")] {
            #expect(raw.firstRange(of: plant.needle) == nil, "\(plant.kind) leaked: \(String(decoding: plant.needle, as: UTF8.self))")
            for member in members where member.contents.firstRange(of: plant.needle) != nil {
                Issue.record("\(plant.kind) is in \(member.path)")
            }
        }
        #expect(raw.firstRange(of: Array("PRIVATE KEY-----".utf8)) == nil)
        #expect(raw.firstRange(of: Array("PuTTY-User-Key-File".utf8)) == nil)

        func text(_ path: String) -> String? { members.first { $0.path == path }.map { String(decoding: $0.contents, as: UTF8.self) } }
        // What the checks need stays.
        let qemu = try #require(text("etc/libvirt/qemu.conf"))
        #expect(qemu.contains("vnc_tls = 1") && qemu.contains("vnc_tls_x509_cert_dir = \"/etc/pki/vdsm/libvirt-vnc\""))
        #expect(qemu.contains("vnc_password = \"(redacted)\""), "a set password still reads as set")
        #expect(qemu.contains("vnc_sasl_password = \"\""), "an empty password stays empty")
        #expect(try #require(text("etc/libvirt/libvirtd.conf")).contains("auth_tcp = \"sasl\""), "mechanism names are not secrets")
        let domain = try #require(text("etc/libvirt/qemu/web01.xml"))
        #expect(domain.contains("<graphics type='vnc' port='5900' listen='0.0.0.0' passwd='(redacted)'/>"))
        #expect(domain.contains("<qemu:arg value='-object'/>"))
        #expect(members.contains { $0.path == "etc/pki/vdsm/certs/vdsmcert.pem" }, "certificates are collected")
        for path in ["etc/pki/CA/cacert.pem", "etc/libvirt/ca-copy.der"] {
            let der = try #require(members.first { $0.path == path }, "DER certificates are collected: \(path)")
            #expect(der.contents == (try Self.fixtureCertificateDER()))
        }
        #expect(members.contains { $0.path == "sys/firmware/dmi/tables/DMI" }, "the SMBIOS table is collected")
        #expect(try #require(text("etc/vdsm/indented.txt")).contains("notes"), "the rest of a file with a key stays")
        for withheld in ["/etc/libvirt/passwd.db", "/etc/libvirt/blob.bin", "/etc/libvirt/clientblob.der", "/etc/vdsm/admin-key.txt"] {
            #expect(result.manifest.redactions[withheld]?.first?.hasPrefix("withheld") == true, "\(withheld) is recorded as withheld")
        }
        #expect(!members.contains { $0.path.contains("obfuscation-map") })
        if obfuscate {
            let map = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: try #require(result.obfuscationMapPath))))
            for original in map.keys where original.count > 3 {
                #expect(raw.firstRange(of: Array(original.utf8)) == nil, "\(original) from the obfuscation map is in the archive")
            }
            #expect(raw.firstRange(of: Array("virt-host1".utf8)) == nil)
        }
    }
}

@Suite struct ScrubberTests {
    func lines(_ text: String) -> String { String(decoding: TextScrubbers.scrubLines(Array(text.utf8)), as: UTF8.self) }
    func xml(_ text: String) -> String { String(decoding: XMLScrubber.scrub(Array(text.utf8)), as: UTF8.self) }
    func json(_ text: String, numbers: Bool = true) -> String { String(decoding: JSONScrubber.scrub(Array(text.utf8), maskNumbers: numbers), as: UTF8.self) }

    @Test func secretNames() {
        for name in ["password", "vnc_password", "adminPassword", "OVESETUP_DB/password", "ssl_key_pass", "passwd", "--passphrase", "api_key",
                     "client_secret", "AUTH_TOKEN", "psk", "credentials", "sasl_pwd", "keystorePass", "private_key", "wep-key0", "wep-key3"] {
            #expect(SecretNames.classify(Array(name.utf8)) == .secret, "\(name)")
        }
        for name in ["bypass", "passthrough", "vnc_tls", "key_file", "keyboard", "listen_addr", "port", "compass"] {
            #expect(SecretNames.classify(Array(name.utf8)) == .none, "\(name)")
        }
        #expect(SecretNames.classify(Array("auth_tcp".utf8)) == .authentication)
    }

    @Test func configurationLines() {
        #expect(lines("a = 1\nvnc_password = \"x1\"\n") == "a = 1\nvnc_password = \"(redacted)\"\n")
        #expect(lines("#vnc_password=x2") == "#vnc_password=\"(redacted)\"")
        #expect(lines("OVESETUP_DB/password=str:x3") == "OVESETUP_DB/password=str:\"(redacted)\"")
        #expect(lines("passwd=\"x4'y\" # note") == "passwd=\"(redacted)\"")
        #expect(lines("auth_tcp = \"sasl\"\nauth_tls = \"x5\"") == "auth_tcp = \"sasl\"\nauth_tls = \"(redacted)\"")
        #expect(lines("secret: |\n  x6\n  x7\nport: 1\n") == "secret: |\n  (redacted)\n  (redacted)\nport: 1\n")
        #expect(lines("spice_password = \"\"") == "spice_password = \"\"")
        #expect(lines("A=1\0TOKEN=x8\0") == "A=1\0TOKEN=\"(redacted)\"\0")
        #expect(lines("log: user connected with password=x9, retrying") == "log: user connected with password=(redacted), retrying")
        #expect(lines("password_pbkdf2 root grub.pbkdf2.x10") == "password_pbkdf2 \"(redacted)\"")
        #expect(lines("# storepass must be at least 6 characters") == "# storepass must be at least 6 characters", "prose in comments stays")
    }

    @Test func xmlAttributesAndText() {
        #expect(xml("<g passwd=\"a'b\" port='1'/>") == "<g passwd=\"(redacted)\" port='1'/>")
        #expect(xml("<g passwd = 'x' />") == "<g passwd = '(redacted)' />")
        #expect(xml("<g passwd=''/>") == "<g passwd=''/>", "an empty password stays empty: the checks read it as 'no password'")
        #expect(xml("<a><secret> s1 </secret><uuid>u</uuid></a>") == "<a><secret> (redacted) </secret><uuid>u</uuid></a>")
        #expect(xml("<!-- <g passwd='c1'/> -->") == "<!-- <g passwd='(redacted)'/> -->")
        #expect(xml("<qemu:env name='API_TOKEN' value='t1'/>") == "<qemu:env name='API_TOKEN' value='(redacted)'/>")
        #expect(xml("<qemu:arg value='-vnc :0,password=p1'/>") == "<qemu:arg value='-vnc :0,password=(redacted)'/>")
    }

    @Test func jsonValues() {
        #expect(json(#"{"password": "p", "user": "u"}"#) == #"{"password": "(redacted)", "user": "u"}"#)
        #expect(json(#"{"pin": 1, "token": 123, "auth": {"user": "u", "key": "k"}}"#) == #"{"pin": 1, "token": "(redacted)", "auth": {"user": "u", "key": "k"}}"#)
        #expect(json(#"{"credentials": {"user": "u"}}"#) == #"{"credentials": {"user": "(redacted)"}}"#)
        #expect(json(#"{"passwordSet": true}"#, numbers: false) == #"{"passwordSet": true}"#, "the tool's own booleans keep their type")
        #expect(json(#"{"cmd": "x --password p2 y"}"#) == #"{"cmd": "x --password (redacted) y"}"#)
    }

    @Test func uriCredentials() {
        let scrub = { (text: String) in String(decoding: TextScrubbers.maskURICredentials(Array(text.utf8)), as: UTF8.self) }
        #expect(scrub("qemu+ssh://root:pw@host/system") == "qemu+ssh://root:(redacted)@host/system")
        #expect(scrub("qemu+ssh://root@host/system") == "qemu+ssh://root@host/system")
        #expect(scrub(#"{"uri": "https:\/\/a:b@c\/d"}"#) == #"{"uri": "https:\/\/a:(redacted)@c\/d"}"#)
        #expect(scrub("http://[fe80::1]:8080/x") == "http://[fe80::1]:8080/x")
    }

    @Test func privateKeysByContent() throws {
        let key = try PlantedSecretTests.fixtureKey()
        #expect(KeyMaterial.isPrivateKeyDER(key.der))
        #expect(KeyMaterial.classifyDER(key.der) == .privateKey)
        #expect(KeyMaterial.classifyDER(try PlantedSecretTests.fixtureCertificateDER()) == .certificates)
        #expect(KeyMaterial.classifyDER([0x30, 0x03, 0x02, 0x01, 0x00]) == .unknown)
        for label in ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "PGP PRIVATE KEY BLOCK"] {
            let text = "before\n\t  -----BEGIN \(label)-----\n\t  QUJD\n\t  -----END \(label)-----\nafter\n"
            let scrubbed = String(decoding: TextScrubbers.removePEMPrivateKeys(Array(text.utf8)), as: UTF8.self)
            #expect(!scrubbed.contains("QUJD") && scrubbed.hasPrefix("before\n") && scrubbed.hasSuffix("after\n"), "\(label)")
        }
        let ssh2 = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nQUJD\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n"
        #expect(!String(decoding: TextScrubbers.removePEMPrivateKeys(Array(ssh2.utf8)), as: UTF8.self).contains("QUJD"))
        let truncated = "-----BEGIN PRIVATE KEY-----\nQUJD"
        #expect(!String(decoding: TextScrubbers.removePEMPrivateKeys(Array(truncated.utf8)), as: UTF8.self).contains("QUJD"))
        let certificate = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"
        #expect(TextScrubbers.removePEMPrivateKeys(Array(certificate.utf8)) == Array(certificate.utf8))
    }

    @Test func binaryFilesAreDeniedByDefault() throws {
        let unknown = Redactor.scrub([0xFF, 0x00, 0x41], path: "/var/lib/thing")
        #expect(unknown.contents == nil && unknown.notes.first?.hasPrefix("withheld") == true)
        let certificate = try PlantedSecretTests.fixtureCertificateDER()
        #expect(Redactor.scrub(certificate, path: "/etc/pki/x.der").contents == certificate)
        let table: [UInt8] = [1, 4, 0, 0, 0xFF, 0, 0]
        #expect(Redactor.scrub(table, path: "/sys/firmware/dmi/tables/DMI").contents == table)
    }
}

@Suite struct ObfuscatorTests {
    @Test func ipv6AddressesAreReplaced() {
        let obfuscator = Obfuscator(hostNames: ["node1.example.test", "node1"])
        let text = """
            inet6 2a01:4f8:c17:1234::1/64 scope global
            inet6 2A01:04F8:0C17:1234:0000:0000:0000:0001 full form
            inet6 fe80::5054:ff:fe12:3456/64 scope link
            inet6 ::1/128 scope host
            mcast ff02::1 all nodes; ::ffff:10.9.8.7 mapped; listen [2001:470::5]:16514
            mac 52:54:00:12:34:56 at 12:34:56 in std::vector
            node1.example.test is NODE1 not node10

            """
        let result = obfuscator.apply(text)
        for original in ["2a01:4f8", "2A01:04F8", "fe80::5054", "10.9.8.7", "2001:470::5", "node1.example", "NODE1 "] {
            #expect(!result.contains(original), "\(original) survived:\n\(result)")
        }
        #expect(result.contains("2001:db8::1/64 scope global\n    inet6 2001:db8::1 full form") || result.contains("inet6 2001:db8::1/64 scope global\ninet6 2001:db8::1 full form"),
                "spellings of one address share one placeholder:\n\(result)")
        #expect(result.contains("::1/128 scope host") && result.contains("ff02::1 all nodes"))
        #expect(result.contains("mac 52:54:00:12:34:56 at 12:34:56 in std::vector"))
        #expect(result.contains("host-1 is host-2 not node10"))
        #expect(obfuscator.map["node1.example.test"] == "host-1")
    }
}
