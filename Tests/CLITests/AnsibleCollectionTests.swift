import Foundation
import Testing
import TestSupport

/// The Ansible collection in ansible/ (issue 14): installed with ansible-galaxy, run with ansible-playbook
/// against an inventory of three hosts that are fixture roots on this machine (`ansible_connection=local`
/// with a per-host `virt_doctor_root`), then the fleet report it builds on the controller is checked.
/// Needs ansible-core (PyPI): `.ci/run` installs it in a venv and names it in VIRT_DOCTOR_ANSIBLE_BIN;
/// without it the test is skipped and says so.
@Suite(.serialized) struct AnsibleCollectionTests {
    /// The directory holding ansible-playbook and ansible-galaxy: VIRT_DOCTOR_ANSIBLE_BIN, else PATH.
    static var ansibleBin: String? {
        let environment = ProcessInfo.processInfo.environment
        var candidates = [environment["VIRT_DOCTOR_ANSIBLE_BIN"]].compactMap { $0 }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/ansible-playbook") }
    }

    @Test(.enabled(if: ansibleBin != nil, "ansible-core is not installed (pip install ansible-core, or set VIRT_DOCTOR_ANSIBLE_BIN); skipping the Ansible collection test"))
    func playbookCollectsThreeHostsAndBuildsTheFleetReport() throws {
        let bin = try #require(Self.ansibleBin)
        let scratch = ScratchRoot()
        let environment = ["ANSIBLE_COLLECTIONS_PATH": scratch.path + "/collections", "ANSIBLE_LOCAL_TEMP": scratch.path + "/tmp",
                           "ANSIBLE_REMOTE_TEMP": scratch.path + "/tmp", "ANSIBLE_HOME": scratch.path + "/home", "ANSIBLE_NOCOLOR": "1",
                           "ANSIBLE_FORCE_COLOR": "0", "TMPDIR": scratch.path]
        let install = try Run(["collection", "install", "-p", scratch.path + "/collections", Paths.repository + "/ansible"],
                              environment: environment, executable: bin + "/ansible-galaxy")
        #expect(install.status == 0, "\(install.stdout)\n\(install.stderr)")
        // Three "hosts" on this machine, each inspecting its own fixture root; the python beside ansible runs the modules.
        let python = FileManager.default.isExecutableFile(atPath: bin + "/python3") ? bin + "/python3" : "/usr/bin/python3"
        scratch.write("inventory", """
            [kvm]
            kvm-a virt_doctor_root=\(root("migr-src"))
            kvm-b virt_doctor_root=\(root("migr-dst-ready"))
            kvm-i virt_doctor_root=\(root("migr-dst-macclash"))
            [kvm:vars]
            ansible_connection=local
            ansible_python_interpreter=\(python)

            """)
        let fetch = scratch.path + "/bundles"
        let play = try Run(["-i", scratch.path + "/inventory", "virtdoctor.virt_doctor.fleet",
                            "-e", "virt_doctor_binary=\(Paths.executable)", "-e", "virt_doctor_fetch_dir=\(fetch)",
                            "-e", "virt_doctor_now=2026-06-01T00:00:00Z", "-e", "virt_doctor_remote_path=\(scratch.path)/virt-doctor-{{ inventory_hostname }}"],
                           environment: environment, executable: bin + "/ansible-playbook")
        #expect(play.status == 0, "\(play.stdout)\n\(play.stderr)")
        for host in ["kvm-a", "kvm-b", "kvm-i"] {
            #expect(FileManager.default.fileExists(atPath: "\(fetch)/\(host).tar.gz"), "the bundle of \(host) was fetched")
            #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/virt-doctor-\(host)"), "the copied binary was removed")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: fetch + "/fleet.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let hosts = try #require(report["hosts"] as? [[String: Any]])
        #expect(Set(hosts.compactMap { $0["name"] as? String }) == ["kvm-a", "kvm-b", "kvm-i"])
        // kvm-i's guest app07 uses web01's MAC address on kvm-a: a finding only a fleet can make.
        #expect(String(decoding: data, as: UTF8.self).contains("52:54:00:a0:00:01"))
        let html = try String(contentsOfFile: fetch + "/fleet.html", encoding: .utf8)
        #expect(html.contains("kvm-a") && html.contains("kvm-i"))
    }
}
