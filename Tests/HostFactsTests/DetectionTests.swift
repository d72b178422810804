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
