import Foundation
import Testing
import TestSupport

@Suite struct WhatCommandTests {
    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func textIsVirtWhatsOutput() throws {
        let rhev = try Run(["what", "--root", Paths.corpus + "/virt-what/rhev"])
        #expect(rhev.status == 0)
        #expect(rhev.stdout == "rhev\nredhat\nkvm\n")
        let bare = try Run(["what", "--root", Paths.corpus + "/virt-what/baremetal"])
        #expect(bare.status == 0 && bare.stdout.isEmpty, "nothing on bare metal")
    }

    @Test func jsonSaysVMAndContainerSeparately() throws {
        let run = try Run(["what", "--root", root("kvm-guest-virtio-good"), "--format", "json"])
        #expect(run.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect(json["virtualMachine"] as? Bool == true)
        #expect(json["hypervisorVendor"] as? String == "KVM")
        #expect(json["virtualizationType"] as? String == "full")
        #expect(json["identifiers"] as? [String] == ["redhat", "kvm"])
        #expect(!(json["conclusions"] as! [Any]).isEmpty)
    }

    @Test func garbageEvidenceIsAnErrorNotAnAnswer() throws {
        let run = try Run(["what", "--root", root("garbage-detection")])
        #expect(run.status == 1)
        #expect(run.stderr.contains("/cpuid.txt could not be parsed"))
        #expect(run.stderr.contains("/dmidecode.txt could not be parsed"))
    }

    /// Depends on this machine: on the CI machine (a KVM VM running a docker container) the answer must be
    /// both; elsewhere it must at least run.
    @Test func liveMachineAnswers() throws {
        let run = try Run(["what", "--format", "json"])
        #expect(run.status == 0 || run.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(json?["root"] as? String == "/")
        if FileManager.default.fileExists(atPath: "/.dockerenv"), (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" hypervisor") == true {
            #expect(json?["virtualMachine"] as? Bool == true)
            #expect(json?["container"] as? String == "docker")
        }
    }

    @Test func guestProfileReportsGuestProblems() throws {
        let run = try Run(["check", "--root", root("kvm-guest-emulated-devices"), "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect((json["profile"] as! [String: Any])["effective"] as? String == "guest")
        let warned = (json["findings"] as! [[String: Any]]).filter { $0["status"] as? String == "warn" }.map { $0["id"] as! String }
        for id in ["pvdrv.virtio-usage", "time.guest-clocksource", "time.ntp", "guest.agent", "guest.steal-time", "guest.io-scheduler"] {
            #expect(warned.contains(id), "\(id)")
        }
    }

    /// Confidential guests as virt-what-cvm names them, and systemd-detect-virt's answer, in the JSON answer;
    /// the text answer stays virt-what's.
    @Test func jsonNamesConfidentialGuestsAndSystemdsAnswer() throws {
        let run = try Run(["what", "--root", root("detect-sev-snp-cpuid"), "--format", "json"])
        #expect(run.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect(json["confidential"] as? String == "amd-sev-snp")
        #expect(json["confidentialIdentifiers"] as? [String] == ["amd-sev-snp"])
        #expect(json["systemdDetectVirt"] as? String == "kvm")
        #expect(json["identifiers"] as? [String] == ["kvm"])
        let text = try Run(["what", "--root", root("detect-sev-snp-cpuid")])
        #expect(text.stdout == "kvm\n")

        let hcl = try Run(["what", "--root", root("detect-azure-snp-hcl"), "--format", "json"])
        let hclJSON = try JSONSerialization.jsonObject(with: Data(hcl.stdout.utf8)) as! [String: Any]
        #expect(hclJSON["confidentialIdentifiers"] as? [String] == ["amd-sev-snp", "hyperv-hcl"])
    }

    @Test func kvmWithHyperVEnlightenmentsIsKVM() throws {
        let run = try Run(["what", "--root", root("detect-kvm-hv-enlightened"), "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect(json["identifiers"] as? [String] == ["kvm"])
        #expect(json["hypervisorVendor"] as? String == "KVM")
    }

    @Test(arguments: [("detect-bochs", "bochs"), ("detect-qnx", "qnx"), ("detect-acrn", "acrn"), ("detect-apple", "apple"),
                      ("detect-lxc-libvirt", "lxc-libvirt"), ("detect-podman-containerenv", "podman"), ("detect-rkt", "rkt"),
                      ("detect-proot", "proot"), ("detect-pouch", "pouch")])
    func jsonSaysWhatSystemdDetectVirtWouldSay(_ testCase: (String, String)) throws {
        let run = try Run(["what", "--root", root(testCase.0), "--format", "json"])
        #expect(run.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect(json["systemdDetectVirt"] as? String == testCase.1, "\(testCase.0)")
    }

    /// A confidential guest is checked as a guest, and the report says which technology protects it.
    @Test func confidentialGuestInTheGuestProfile() throws {
        let run = try Run(["check", "--root", root("detect-sev-snp-cpuid"), "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let profile = json["profile"] as! [String: Any]
        #expect(profile["effective"] as? String == "guest")
        #expect((profile["reason"] as? String)?.hasSuffix("(KVM, AMD SEV-SNP)") == true, "\(profile)")
        #expect((json["host"] as! [String: Any])["virtualization"] as? String == "virtual machine (KVM, AMD SEV-SNP)")
        let virtType = (json["findings"] as! [[String: Any]]).first { $0["id"] as? String == "guest.virt-type" }
        #expect((virtType?["summary"] as? String)?.contains("AMD SEV-SNP") == true, "\(String(describing: virtType))")
    }
}

