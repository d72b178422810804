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
