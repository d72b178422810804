import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

@Suite struct VirtWhatCorpusTests {
    static let cases: [(String, String)] = {
        guard Paths.corpusAvailable, let tsv = try? TSV(path: Paths.corpus + "/virt-what/EXPECTED.tsv") else { return [] }
        return tsv.rows.map { ($0["case"]!, $0["virt_what_expected"]!) }
    }()

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func allCasesAreRead() {
        #expect(Self.cases.count == 44)
    }

    /// Line for line what virt-what prints (its test suite's expectations), for every corpus root.
    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)), arguments: cases)
    func identifiersMatchVirtWhat(_ testCase: (String, String)) throws {
        let (name, expected) = testCase
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.corpus + "/virt-what/" + name))
        #expect(report.identifiers == (expected == "-" ? [] : expected.split(separator: ",").map(String.init)), "\(name): \(report.conclusions)")
        #expect(report.problems.isEmpty, "\(name): \(report.problems)")
        for conclusion in report.conclusions { #expect(!conclusion.source.isEmpty && !conclusion.value.isEmpty) }
    }
}

@Suite struct LscpuCorpusTests {
    /// Where lscpu is wrong, by the dumps' own upstream history, the truth is expected instead.
    static let corrections: [String: (String, String, String)] = [
        "loongarch-kvm_on_loongson_3c6000": ("KVM", "full",
            "a KVM guest by its upstream commit; lscpu has no rule for QEMU's virtio/bridge PCI devices, which are there"),
        "ppc-qemu": ("QEMU", "full",
            "QEMU emulating a PowerMac G3 (TCG) by its upstream commit; lscpu ignores QEMU's PCI devices"),
    ]

    static let cases: [(String, String, String)] = {
        guard Paths.corpusAvailable, let tsv = try? TSV(path: Paths.corpus + "/lscpu/EXPECTED.tsv") else { return [] }
        return tsv.rows.map { ($0["name"]!, $0["hypervisor_vendor"]!, $0["virtualization_type"]!) }
    }()

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)), arguments: cases)
    func vendorAndTypeMatchLscpuOrTheTruth(_ testCase: (String, String, String)) throws {
        var (name, vendor, type) = testCase
        if let (trueVendor, trueType, _) = Self.corrections[name] { (vendor, type) = (trueVendor, trueType) }
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.corpus + "/lscpu/" + name))
        #expect(report.hypervisorVendor ?? "none" == vendor, "\(name): \(report.reasoning)")
        #expect(report.virtualizationType == type, "\(name): \(report.reasoning)")
        #expect(report.virtualMachine == (type == "full" || type == "para"), "\(name)")
    }

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func vmwareInANameIsNotEvidence() throws {
        // vmware_fpe is bare metal that once crashed lscpu; nothing in it is VMware.
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.corpus + "/lscpu/vmware_fpe"))
        #expect(report.identifiers.isEmpty && !report.virtualMachine)
    }
}

@Suite struct DetectionInputTests {
    @Test func unreadableEvidenceIsALimitationNotASilentAnswer() throws {
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.fixtureRoot("detection-unreadable-environ")))
        #expect(report.identifiers == ["kvm"])
        #expect(report.container == nil, "the podman marker could not be read")
        #expect(report.limitations == ["permission denied reading /proc/1/environ (run as root to include it; as root, a container or security policy is refusing it)"])
        #expect(report.complete)
    }

    @Test func garbageEvidenceMakesTheAnswerIncomplete() throws {
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.fixtureRoot("garbage-detection")))
        #expect(!report.complete)
        #expect(report.problems.count == 2)
    }

    @Test func cpuidFileRules() throws {
        let scratch = ScratchRoot()
        scratch.write("cpuid.txt", "bhyve bhyve \n")   // the trailing space is part of bhyve's signature
        #expect(DetectionInputs.gather(scratch.root).cpuidSignature == "bhyve bhyve ")
        scratch.write("cpuid.txt", "\n\n\n")
        #expect(DetectionInputs.gather(scratch.root).cpuidSignature == "")
        scratch.write("cpuid.txt", "ThisIsFarTooLongToBeASignature\n")
        #expect(!DetectionInputs.gather(scratch.root).problems.isEmpty)
    }

    @Test func smbiosTableRebuildsDmidecodeLines() {
        // Type 0 (BIOS) with vendor/version strings and the "virtual machine" characteristic, type 1
        // (system) with manufacturer and product, then the end-of-table marker.
        var table: [UInt8] = [0, 0x14, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]
        table += Array("SeaBIOS".utf8) + [0] + Array("1.16.0".utf8) + [0, 0]
        table += [1, 0x08, 1, 0, 1, 2, 0, 0] + Array("QEMU".utf8) + [0] + Array("Standard PC".utf8) + [0, 0]
        table += [127, 4, 2, 0, 0, 0]
        let text = SMBIOS.dmidecodeText(table)
        #expect(text?.contains("Vendor: SeaBIOS") == true)
        #expect(text?.contains("System is a virtual machine") == true)
        #expect(text?.contains("Manufacturer: QEMU") == true)
        #expect(text?.contains("Product Name: Standard PC") == true)
        #expect(SMBIOS.dmidecodeText([0, 0x30, 0]) == nil, "a truncated table is not read past its end")
    }
}

/// Evidence collected without CPUID (a sos report, a copied tree): lscpu's recorded answer and the DMI
/// strings of KVM-based products stand in for the signature; a root with none of it says nothing.
@Suite struct DetectionWithoutCPUIDTests {
    static let redHatDMI = """
        System Information
        \tManufacturer: Red Hat
        \tProduct Name: RHEV Hypervisor
        \tVersion: 4.4

        """

    @Test func lscpuVendorStandsInForTheSignature() throws {
        let scratch = ScratchRoot()
        scratch.write("lscpu.txt", "Architecture:        x86_64\nHypervisor vendor:   KVM\nVirtualization type: full\n")
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu hypervisor\n")
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        #expect(report.identifiers == ["kvm"])
        #expect(report.conclusions.first?.source.hasPrefix("/lscpu.txt") == true, "\(report.conclusions)")
        #expect(report.hypervisorVendor == "KVM" && report.virtualizationType == "full" && report.virtualMachine)
    }

    @Test func redHatDMIAloneIsAKVMGuest() throws {
        let scratch = ScratchRoot()
        scratch.write("dmidecode.txt", Self.redHatDMI)
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        // virt-what's own answer is unchanged (it needs CPUID for "kvm"); vendor and type say what it is.
        #expect(report.identifiers == ["rhev", "redhat"])
        #expect(report.virtualMachine && report.hypervisorVendor == "KVM", "\(report.reasoning)")
        #expect(report.withoutEvidence == nil)
    }

    @Test func xenDom0ByLscpuIsNotAnHVMGuest() throws {
        let scratch = ScratchRoot()
        scratch.write("lscpu.txt", "Hypervisor vendor:   Xen\nVirtualization type: none\n")
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n")
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        #expect(!report.identifiers.contains("xen-hvm"))
        #expect(!report.virtualMachine, "\(report.reasoning)")
    }

    @Test(arguments: [
        "Hypervisor vendor: KVM\u{0}\u{1B}[31m\nVirtualization type: full\n",
        "Hypervisor vendor: " + String(repeating: "K", count: 5000) + "\n",
        String(decoding: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }, as: UTF8.self),
        "Hypervisor vendor:\nVirtualization type:\n",
    ])
    func brokenLscpuNamesNothing(_ text: String) throws {
        let scratch = ScratchRoot()
        scratch.write("lscpu.txt", text)
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n")
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        #expect(report.identifiers.isEmpty && report.hypervisorVendor == nil, "\(report.reasoning)")
    }

    /// A copied /etc holds nothing about the machine: not "bare metal", but no answer.
    @Test func rootWithoutMachineEvidenceSaysSo() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/hostname", "kvm1\n")
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        #expect(report.withoutEvidence == true)
        #expect(report.identifiers.isEmpty && !report.virtualMachine)
    }
}

/// cpuid.txt grows compatibly: signature lines leaf by leaf (virt-what-cpuid-helper's output), register
/// lines of other leaves and the SEV_STATUS register.
@Suite struct CPUIDRecordingTests {
    @Test func oldRecordingsReadAsBefore() throws {
        for (text, signature) in [("KVMKVMKVM\n", "KVMKVMKVM"), ("\n\n\n\n\n\n\n", ""), ("bhyve bhyve \n", "bhyve bhyve "), ("", ""), ("@\n", "@")] {
            let recording = try CPUIDRecording.parse(text).get()
            #expect(recording.signature == signature, "\(text.debugDescription)")
            #expect(recording.leaves.isEmpty && recording.sevStatus == nil)
        }
    }

    @Test func hyperVEnlightenmentsUnderKVM() throws {
        let recording = try CPUIDRecording.parse("Microsoft Hv\nKVMKVMKVM\n").get()
        #expect(recording.signature == "KVMKVMKVM")
        #expect(recording.signatureLeaf == 0x4000_0100)
        // Hyper-V alone stays Hyper-V.
        #expect(try CPUIDRecording.parse("Microsoft Hv\n").get().signature == "Microsoft Hv")
    }

    @Test func registerLinesAndRoundTrip() throws {
        let text = """
            KVMKVMKVM
            0x00000000: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
            0x00000001: eax=0x00a00f11 ebx=0x00020800 ecx=0xfeda3203 edx=0x178bfbff
            0x8000001f: eax=0x0001b0fb ebx=0x00000173 ecx=0x000001fd edx=0x00000000
            msr 0xc0010131: 0x0000000000000007

            """
        let recording = try CPUIDRecording.parse(text).get()
        #expect(recording.cpuVendor == "AuthenticAMD")
        #expect(recording.hypervisorBit == true)
        #expect(recording.registers(0x8000_001F)?[0] == 0x0001_B0FB)
        #expect(recording.sevStatus == 7)
        #expect(recording.recordedText == text)
        #expect(try CPUIDRecording.parse(recording.recordedText).get() == recording)
    }

    @Test(arguments: [
        "KVMKVMKVM\n0x8000001f: eax=0x1\n",                                          // truncated register line
        "KVMKVMKVM\n0x8000001f: eax=0x1ffffffff ebx=0x0 ecx=0x0 edx=0x0\n",             // wider than a register
        "KVMKVMKVM\n0xffffffffffffffffff: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n",          // huge leaf number
        "KVMKVMKVM\nmsr 0xc0010131: 0xzz\n",                                          // not a number
        "KVMKVMKVM\nmsr 0x00000010: 0x1\n",                                           // another MSR
        "KVMKVMKVM\n0x00000001: eax=0x0 ebx=0x0 edx=0x0 ecx=0x0\n",                    // registers out of order
        String(repeating: "KVMKVMKVM\n", count: 400),                                  // far too long
        "\u{1}\u{2}\u{3} this is not a CPUID signature\n",
    ])
    func brokenRecordingsAreProblems(_ text: String) {
        if case .success(let recording) = CPUIDRecording.parse(text) { Issue.record("read \(recording) from \(text.debugDescription)") }
        let scratch = ScratchRoot()
        scratch.write("cpuid.txt", text)
        let inputs = DetectionInputs.gather(scratch.root)
        #expect(inputs.problems.first?.hasPrefix("/cpuid.txt could not be parsed") == true)
        #expect(inputs.cpuidSignature == nil)
    }
}

/// Confidential guests as virt-what-cvm names them, from each kind of evidence.
@Suite struct ConfidentialGuestTests {
    static let cases: [(String, [String], String)] = [
        ("detect-sev-snp-cpuid", ["amd-sev-snp"], "SEV_STATUS"),
        ("detect-sev-es-dmesg", ["amd-sev-es"], "Memory Encryption Features active: AMD SEV SEV-ES"),
        ("detect-sev-cpuinfo", ["amd-sev"], "flags hypervisor and sev"),
        ("detect-tdx-cpuid", ["intel-tdx"], "IntelTDX"),
        ("detect-tdx-devnode", ["intel-tdx"], "/dev/tdx_guest"),
        ("detect-azure-snp-hcl", ["amd-sev-snp", "hyperv-hcl"], "isolation type 2"),
    ]

    @Test(arguments: cases)
    func confidentialGuests(_ testCase: (String, [String], String)) throws {
        let (name, identifiers, why) = testCase
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.fixtureRoot(name)))
        #expect(report.confidentialIdentifiers == identifiers, "\(name): \(report.reasoning)")
        #expect(report.confidential == identifiers.first)
        #expect(report.virtualMachine)
        #expect(report.reasoning.contains { $0.contains(why) }, "\(name): \(report.reasoning)")
        #expect(report.problems.isEmpty)
    }

    @Test func sevOfferedButInactiveIsNoConfidentialGuest() throws {
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.fixtureRoot("detect-sev-inactive")))
        #expect(report.confidential == nil && report.confidentialIdentifiers == nil)
        #expect(report.reasoning.contains { $0.contains("no SEV mode is active") }, "\(report.reasoning)")
    }

    @Test func aSEVCapableHostIsNoGuest() throws {
        // A host's cpuinfo lists sev and sev_es too; without the hypervisor flag it is no confidential guest.
        let scratch = ScratchRoot()
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm sev sev_es sev_snp\n")
        scratch.write("var/log/dmesg", "[    0.000000] Memory Encryption Features active: AMD SME\n")
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        #expect(report.confidential == nil && !report.virtualMachine, "\(report.reasoning)")
    }

    @Test(arguments: [
        "Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP",
        "[    0.0] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP\n",
    ])
    func kernelLogNamesTheStrongestMode(_ line: String) throws {
        let scratch = ScratchRoot()
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu hypervisor\n")
        scratch.write("journalctl-k.txt", line + "\n")
        #expect(VirtualizationReport.detect(try HostRoot(directory: scratch.path)).confidential == "amd-sev-snp")
    }

    @Test func garbageKernelLogNamesNothing() throws {
        let scratch = ScratchRoot()
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu hypervisor\n")
        scratch.write("var/log/dmesg", String(decoding: (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37) }, as: UTF8.self)
            + "\nMemory Encryption Features active: \u{0}\u{7F}\n")
        #expect(VirtualizationReport.detect(try HostRoot(directory: scratch.path)).confidential == nil)
    }
}

/// A KVM guest offered Hyper-V enlightenments is KVM, not Hyper-V.
@Suite struct HyperVEnlightenmentTests {
    @Test(arguments: ["detect-kvm-hv-enlightened", "detect-kvm-hv-lscpu"])
    func kvmWithHyperVEnlightenments(_ name: String) throws {
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.fixtureRoot(name)))
        #expect(report.identifiers == ["kvm"], "\(name): \(report.conclusions)")
        #expect(report.hypervisorVendor == "KVM", "\(name): \(report.reasoning)")
        // systemd-detect-virt reads only leaf 0x40000000: "Microsoft Hv" sends it on to DMI, which says QEMU.
        #expect(report.systemdDetectVirt == "qemu", "\(name): \(report.reasoning)")
    }

    @Test func realHyperVStaysHyperV() throws {
        let scratch = ScratchRoot()
        scratch.write("cpuid.txt", "Microsoft Hv\n")
        scratch.write("dmidecode.txt", "System Information\n\tManufacturer: Microsoft Corporation\n\tProduct Name: Virtual Machine\n")
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu hypervisor\n")
        let report = VirtualizationReport.detect(try HostRoot(directory: scratch.path))
        #expect(report.identifiers == ["hyperv"])
        #expect(report.hypervisorVendor == "Microsoft" && report.systemdDetectVirt == "microsoft", "\(report.reasoning)")
    }
}

/// What systemd-detect-virt would print, for the identifiers virt-what does not know.
@Suite struct SystemdDetectVirtTests {
    static let cases: [(String, String)] = [
        ("detect-bochs", "bochs"), ("detect-qnx", "qnx"), ("detect-acrn", "acrn"), ("detect-apple", "apple"),
        ("detect-lxc-libvirt", "lxc-libvirt"), ("detect-podman-containerenv", "podman"), ("detect-rkt", "rkt"),
        ("detect-proot", "proot"), ("detect-pouch", "pouch"), ("kvm-guest-virtio-good", "kvm"),
    ]

    @Test(arguments: cases)
    func systemdIdentifiers(_ testCase: (String, String)) throws {
        let (name, expected) = testCase
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.fixtureRoot(name)))
        #expect(report.systemdDetectVirt == expected, "\(name): \(report.reasoning)")
        let containers: Set<String> = ["lxc-libvirt", "podman", "rkt", "proot", "pouch"]
        if containers.contains(expected) {
            // virt-what's "lxc" (a prefix match on container=) names the libvirt LXC container first.
            #expect(report.container == (expected == "lxc-libvirt" ? "lxc" : expected), "\(name)")
        } else {
            #expect(report.virtualMachine, "\(name)")
        }
    }

    /// systemd's answers for the virt-what corpus where the two agree on the name.
    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)), arguments: [
        ("kvm", "kvm"), ("hyperv", "microsoft"), ("esx4.1", "vmware"), ("docker", "docker"), ("lxc", "lxc"),
        ("baremetal", "none"), ("aws-baremetal-x86", "none"), ("podman", "podman"), ("rhel5-xen-domU-pv", "xen"),
        ("bhyve", "bhyve"), ("zvm", "zvm"),
    ])
    func corpusAnswers(_ testCase: (String, String)) throws {
        let (name, expected) = testCase
        let report = VirtualizationReport.detect(try HostRoot(directory: Paths.corpus + "/virt-what/" + name))
        #expect(report.systemdDetectVirt == expected, "\(name): \(report.reasoning)")
    }

    @Test(arguments: [
        "TracerPid:\t99999999999999999999999\n", "TracerPid:\t-1\n", "TracerPid:\tproot\n", "TracerPid:\n",
    ])
    func brokenTracerPidIsNoProot(_ status: String) throws {
        let scratch = ScratchRoot()
        scratch.write("proc/self/status", "Name:\tx\n" + status)
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n")
        #expect(VirtualizationReport.detect(try HostRoot(directory: scratch.path)).systemdDetectVirt == "none")
    }
}

/// A sos report keeps no CPUID leaves and no SEV_STATUS: its dmesg, lscpu and dmidecode answer instead.
@Suite struct SosReportDetectionTests {
    @Test func sevSNPGuestWithHyperVEnlightenmentsInASosReport() throws {
        let scratch = ScratchRoot()
        scratch.write("version.txt", "sosreport: 4.5.6\n")
        scratch.write("sos_commands/kernel/dmesg", """
            [    0.000000] Linux version 5.14.0-427.13.1.el9_4.x86_64
            [    0.000000] Hypervisor detected: Microsoft Hyper-V
            [    0.162212] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP

            """)
        scratch.write("sos_commands/processor/lscpu", "Architecture:        x86_64\nVendor ID:           AuthenticAMD\nHypervisor vendor:   Microsoft\nVirtualization type: full\n")
        scratch.write("sos_commands/hardware/dmidecode", "Handle 0x0100, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: QEMU\n\tProduct Name: Standard PC (Q35 + ICH9, 2009)\n")
        scratch.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu hypervisor\n")
        let root = try EvidenceOpening.open(directory: scratch.path)
        #expect(root.evidence.kind == .sosReport)
        let report = VirtualizationReport.detect(root)
        #expect(report.confidential == "amd-sev-snp", "\(report.reasoning)")
        #expect(report.identifiers == ["kvm"], "\(report.conclusions)")
        #expect(report.hypervisorVendor == "KVM")
        #expect(report.systemdDetectVirt == "qemu", "\(report.reasoning)")
    }
}
