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
