@testable import Bundles
import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Reporting
import Testing
import TestSupport

@Suite(.serialized) struct CollectTests {
    static let now = ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z")!

    /// Copies a fixture root into a scratch directory so secrets can be planted in it.
    static func copy(_ fixture: String) throws -> ScratchRoot {
        let scratch = ScratchRoot()
        try FileManager.default.removeItem(atPath: scratch.path)
        try FileManager.default.copyItem(atPath: Paths.fixtureRoot(fixture), toPath: scratch.path)
        return scratch
    }

    static func collect(_ root: String, obfuscate: Bool = false) throws -> (CollectResult, [ArchiveMember]) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vd-bundle-\(UUID().uuidString).tar.gz").path
        let result = try Collector.collect(CollectOptions(root: try HostRoot(directory: root), output: output, obfuscate: obfuscate, now: now))
        let members = try Archive.read(tarGz: Array(try Data(contentsOf: URL(fileURLWithPath: result.archivePath))))
        return (result, members)
    }

    @Test func secretsNeverLeaveTheHost() throws {
        let scratch = try Self.copy("ovirt-node-certs-valid")
        scratch.write("etc/libvirt/qemu/web01.xml", "<domain type='kvm'><name>web01</name><devices><graphics type='vnc' port='5900' passwd='Pl4nted-VNC'/></devices></domain>\n")
        scratch.write("etc/libvirt/qemu.conf", "vnc_tls = 1\nvnc_password = \"Pl4nted-QEMU\"\nspice_password=Pl4nted-SPICE\n")
        scratch.write("etc/vdsm/vdsm.conf", "[vars]\nssl = true\nkeystore_password = Pl4nted-VDSM\n")
        scratch.write("etc/ovirt-engine/engine.conf.d/10-setup-database.conf", "ENGINE_DB_PASSWORD=\"Pl4nted-DB\"\n")
        scratch.write("etc/ovirt-hosted-engine/virsh_auth.conf", "[credentials-vdsm]\nauthname=vdsm@ovirt\npassword=Pl4nted-AUTH\n")
        let keyText = try String(contentsOfFile: scratch.path + "/etc/pki/vdsm/keys/vdsmkey.pem", encoding: .utf8)
        let keyLines = keyText.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 20 }
        let (result, members) = try Self.collect(scratch.path)
        defer { try? FileManager.default.removeItem(atPath: result.archivePath) }
        #expect(members.contains { $0.path == "etc/pki/vdsm/certs/vdsmcert.pem" }, "public certificates are collected")
        #expect(!members.contains { $0.path.hasSuffix("vdsmkey.pem") }, "private keys are not")
        for member in members where member.kind == .file {
            let text = String(decoding: member.contents, as: UTF8.self)
            #expect(!text.contains("Pl4nted"), "\(member.path) leaks a planted secret")
            #expect(!text.contains("PRIVATE KEY-----"), "\(member.path) holds a private key")
            for line in keyLines { #expect(!text.contains(line), "\(member.path) holds key material") }
        }
        let qemu = String(decoding: members.first { $0.path == "etc/libvirt/qemu.conf" }!.contents, as: UTF8.self)
        #expect(qemu.contains("vnc_tls = 1"), "settings that are not secrets stay")
        #expect(result.manifest.redactions.keys.contains("/etc/libvirt/qemu.conf"))
        let info = try FileManager.default.attributesOfItem(atPath: result.archivePath)
        #expect((info[.posixPermissions] as? Int) == 0o600)
    }

    @Test func obfuscationWorksOnWholeWordsAndKeepsTheMapOutside() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/hostname", "vm\n")
        scratch.write("proc/sys/kernel/hostname", "vm\n")
        scratch.write("proc/cpuinfo", "processor : 0\nflags : fpu vmx lm constant_tsc\n")
        scratch.write("etc/hosts", "10.1.2.3 vm vm.example.test\n127.0.0.1 localhost\n")
        scratch.write("etc/libvirt/qemu.conf", "# the kvm host vm serves 10.1.2.3\nvnc_listen = \"10.1.2.3\"\n")
        let (result, members) = try Self.collect(scratch.path, obfuscate: true)
        defer { try? FileManager.default.removeItem(atPath: result.archivePath); try? FileManager.default.removeItem(atPath: result.obfuscationMapPath ?? "") }
        let qemu = String(decoding: members.first { $0.path == "etc/libvirt/qemu.conf" }!.contents, as: UTF8.self)
        #expect(qemu == "# the kvm host host-1 serves 192.0.2.1\nvnc_listen = \"192.0.2.1\"\n")
        let hosts = String(decoding: members.first { $0.path == "etc/hosts" }!.contents, as: UTF8.self)
        #expect(hosts.contains("127.0.0.1 localhost"))
        #expect(!hosts.contains(" vm"))
        let map = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: result.obfuscationMapPath!)))
        #expect(map["vm"] == "host-1" && map["10.1.2.3"] == "192.0.2.1")
        #expect(!members.contains { $0.path.contains("obfuscation-map") })
        #expect(result.archivePath.contains("virt-doctor-host-1-") || result.archivePath.hasSuffix(".tar.gz"))
    }

    /// The bundle judged elsewhere says what the host said.
    @Test(arguments: ["kvm-intel-host-ready", "ovirt-node-certs-vnc-stale", "kvm-guest-emulated-devices", "net-nat-forwarding-off", "selinux-images-mislabeled"])
    func analyzeEqualsCheck(_ fixture: String) throws {
        let catalog = try Catalog.builtIn()
        let direct = try Diagnosis.run(DiagnosisOptions(root: try HostRoot(directory: Paths.fixtureRoot(fixture)), now: Self.now), catalog: catalog).report
        let (result, _) = try Self.collect(Paths.fixtureRoot(fixture))
        defer { try? FileManager.default.removeItem(atPath: result.archivePath) }
        let analysis = try Analyzer.analyze(bundle: result.archivePath, catalog: catalog)
        let summarize = { (report: Report) in report.findings.map { "\($0.id) \($0.status) \($0.summary)" } }
        // Facts read at collection name the directory root they were missing from; a conclusion drawn at
        // analysis (guest.virt-type on a root without machine evidence) names the bundle it was missing from.
        let analyzed = summarize(analysis.report).map { $0.replacingOccurrences(of: "not captured in this bundle:", with: "not captured in this directory root:") }
        #expect(analyzed == summarize(direct))
        #expect(analysis.report.verdict == direct.verdict && analysis.report.score == direct.score)
        #expect(analysis.report.now == Self.now)
    }

    @Test func theBundleIsAlsoARoot() throws {
        let (result, members) = try Self.collect(Paths.fixtureRoot("kvm-guest-virtio-good"))
        defer { try? FileManager.default.removeItem(atPath: result.archivePath) }
        let root = try HostRoot(tree: try Archive.tree(members), label: result.archivePath)
        let report = try Diagnosis.run(DiagnosisOptions(root: root, now: Self.now), catalog: Catalog.builtIn()).report
        #expect(report.profile.effective == .guest)
        #expect(report.findings.first { $0.id == "pvdrv.virtio-usage" }?.status == .pass, "driver chains survive as links")
        for name in ["manifest.json", "facts.json", "report.json", "report.html", "cpuid.txt", ".meta.yaml"] {
            #expect(members.contains { $0.path == name }, "\(name)")
        }
    }

    /// The package list travels twice: as dpkg's status file (read while the facts were recorded) and in
    /// facts.json; both answer the same list in the bundle.
    @Test func bundleCarriesThePackageList() throws {
        let scratch = try Self.copy("kvm-intel-host-ready")
        scratch.write("var/lib/dpkg/status", "Package: libvirt0\nStatus: install ok installed\nArchitecture: amd64\nVersion: 9.0.0-4\n\n"
                      + "Package: ntp\nStatus: deinstall ok config-files\nVersion: 1:4.2.8p15\n")
        let (result, members) = try Self.collect(scratch.path)
        defer { try? FileManager.default.removeItem(atPath: result.archivePath) }
        #expect(members.contains { $0.path == "var/lib/dpkg/status" })
        let facts = try JSONFormat.decoder().decode(FactsDocument.self, from: Data(try #require(members.first { $0.path == "facts.json" }).contents))
        let recorded = try #require(facts.facts.first { $0.name == "packages.installed" })
        #expect(recorded.available, "\(recorded)")
        let root = try HostRoot(tree: try Archive.tree(members), label: result.archivePath)
        let fromFiles = try FactStore(root: root).get(Facts.packages)
        #expect(fromFiles.packages == [.init(name: "libvirt0", version: "9.0.0-4", architecture: "amd64")])
        let replayed = try FactStore(root: root, recorded: facts.facts).sourced(Facts.packages).get()
        #expect(replayed.value == fromFiles)
        #expect(replayed.sources == ["recorded: /var/lib/dpkg/status"])
    }

    @Test func logsAreScannedForKnownErrors() throws {
        let scratch = try Self.copy("ovirt-node-certs-expired")
        scratch.write("var/log/libvirt/libvirtd.log", "2026-06-01 libvirtd[2101]: The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired\n2026-06-01 systemd[1]: Failed to start Virtualization daemon.\n")
        let (result, _) = try Self.collect(scratch.path)
        defer { try? FileManager.default.removeItem(atPath: result.archivePath) }
        let analysis = try Analyzer.analyze(bundle: result.archivePath, catalog: try Catalog.builtIn())
        // issue 12 (ovirt): both lines are ovirt.libvirtd-cert-failure's messages too.
        #expect(analysis.logMatches.map { Set($0.checks) } == [["cert.vdsm-expiry", "ovirt.libvirtd-cert-failure"],
                                                               ["cert.vdsm-expiry", "remote.libvirtd-running", "ovirt.libvirtd-cert-failure"]])
    }

    @Test func knownMessagesPreferTheMostSpecific() throws {
        let matches = try Catalog.builtIn().knownMessages(in: "qemu-kvm: The server certificate /etc/pki/vdsm/libvirt-vnc/server-cert.pem has expired.")
        #expect(matches.map { Set($0.checks) } == [["cert.vnc-expiry", "cert.host-consistency"]])
        #expect(try Catalog.builtIn().knownMessages(in: "everything is fine").isEmpty)
    }
}
