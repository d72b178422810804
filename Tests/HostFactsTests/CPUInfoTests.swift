import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

@Suite struct CPUInfoTests {
    /// The sample from CPUInfo's doc comment, two CPUs, one of them without vmx (uneven firmware).
    static let sample = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Core(TM) i5 CPU M 520 @ 2.40GHz
        flags\t\t: fpu vme de pse tsc msr pae vmx constant_tsc lm

        processor\t: 1
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Core(TM) i5 CPU M 520 @ 2.40GHz
        flags\t\t: fpu vme de pse tsc msr pae constant_tsc lm

        """

    @Test func parsesTheDocumentedSample() throws {
        let cpu = try CPUInfo.parse(Self.sample)
        #expect(cpu.family == "x86")
        #expect(cpu.processors.map(\.index) == [0, 1])
        #expect(cpu.vendor == "GenuineIntel")
        #expect(cpu.hasAnywhere("vmx") && !cpu.hasEverywhere("vmx"))
        #expect(cpu.cpus(lacking: "vmx") == [1])
        #expect(cpu.hasEverywhere("constant_tsc") && cpu.hasEverywhere("lm"))
        #expect(cpu.virtualizationExtension == "vmx")
    }

    @Test func rejectsEmptyInput() {
        #expect(throws: FactError.unparsable(source: "/proc/cpuinfo", detail: "the file is empty")) { try CPUInfo.parse("") }
        #expect(throws: FactError.self) { try CPUInfo.parse("\n\n  \n") }
    }

    @Test func rejectsBinaryJunk() {
        let junk = String(decoding: (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 37) }, as: UTF8.self)
        #expect(throws: FactError.self) { try CPUInfo.parse(junk) }
        #expect(throws: FactError.self) { try CPUInfo.parse("processor : 0\u{0}\u{0}flags : vmx\n") }
    }

    @Test func rejectsTextWithoutFields() {
        #expect(throws: FactError.self) { try CPUInfo.parse("hello world\nthis is not cpuinfo\n") }
    }

    /// A file cut off in the middle (a copy interrupted, a full disk): the CPUs whose block lost its flags
    /// line are named, and the flags common to all CPUs do not pretend the cut CPU has them.
    @Test func truncatedInputIsVisible() throws {
        let cut = Self.sample + "\nprocessor\t: 2\nvendor_id\t: GenuineIntel\nmodel na"
        let cpu = try CPUInfo.parse(cut)
        #expect(cpu.processors.count == 3)
        #expect(cpu.cpusWithoutFlags == [2])
        #expect(!cpu.hasEverywhere("vmx"))
        // Without the blank line between blocks, the second "processor" still starts a new CPU.
        let squeezed = try CPUInfo.parse("processor : 0\nflags : vmx lm\nprocessor : 1\nflags : vmx lm\n")
        #expect(squeezed.processors.map(\.index) == [0, 1])
    }

    @Test func hugeInputIsRefusedBeforeParsing() {
        let scratch = ScratchRoot()
        let block = "processor\t: 0\nflags\t\t: " + String(repeating: "fpu ", count: 2000) + "\n\n"
        scratch.write("proc/cpuinfo", String(repeating: block, count: 1200))
        #expect(throws: FactError.tooLarge(source: "/proc/cpuinfo", limit: HostRoot.defaultReadLimit)) {
            try scratch.root.readText("/proc/cpuinfo")
        }
    }

    // MARK: The corpus: real captures from other projects, read in place.

    static func corpusCases(_ directory: String, caseColumn: String, vmxColumn: String, hypervisorColumn: String) -> [(String, String, String)] {
        guard Paths.corpusAvailable, let tsv = try? TSV(path: "\(Paths.corpus)/\(directory)/EXPECTED.tsv") else { return [] }
        var seen = Set<String>()
        return tsv.rows.compactMap { row in
            guard let name = row[caseColumn], name != "-", !name.isEmpty, seen.insert(name).inserted,
                  let vmx = row[vmxColumn], let hypervisor = row[hypervisorColumn], vmx != "no-cpuinfo", hypervisor != "no-cpuinfo" else { return nil }
            return ("\(directory)/\(name)", vmx, hypervisor)
        }
    }

    static let expectations: [(String, String, String)] =
        corpusCases("ansible", caseColumn: "case", vmxColumn: "cpuinfo_vmx_svm", hypervisorColumn: "cpuinfo_hypervisor_flag")
        + corpusCases("ohai", caseColumn: "root (proc/cpuinfo)", vmxColumn: "cpuinfo_vmx_svm", hypervisorColumn: "cpuinfo_hypervisor_flag")
        + corpusCases("lscpu", caseColumn: "name", vmxColumn: "vmx_svm", hypervisorColumn: "hypervisor_cpuinfo_flag")
        + corpusCases("virt-what", caseColumn: "case", vmxColumn: "cpuinfo_vmx_svm", hypervisorColumn: "cpuinfo_hypervisor_flag")

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func corpusHasExpectations() {
        // Guards against a silently empty parameter list below (a renamed column would skip everything).
        #expect(Self.expectations.count >= 80)
    }

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)), arguments: expectations)
    func corpusVirtualizationFlagsMatchExpected(_ expectation: (String, String, String)) throws {
        let (name, vmx, hypervisor) = expectation
        let root = try HostRoot(directory: "\(Paths.corpus)/\(name)")
        let text = try root.readText("/proc/cpuinfo")
        if text.isEmpty {
            // virt-what ships empty cpuinfo files for containers; the parser must say so, not guess.
            #expect(throws: FactError.unparsable(source: "/proc/cpuinfo", detail: "the file is empty")) { try CPUInfo.parse(text) }
            #expect(vmx == "no")
            return
        }
        let cpu = try CPUInfo.parse(text)
        #expect((cpu.virtualizationExtension ?? "no") == vmx, "vmx/svm in \(name)")
        #expect((cpu.hasAnywhere("hypervisor") ? "yes" : "no") == hypervisor, "hypervisor flag in \(name)")
        #expect(!cpu.processors.isEmpty || cpu.family == "sparc", "no processors found in \(name)")
    }

    static let everyCorpusCPUInfo: [String] = {
        guard Paths.corpusAvailable, let walker = FileManager.default.enumerator(atPath: Paths.corpus) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix("proc/cpuinfo") }.sorted()
    }()

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)), arguments: everyCorpusCPUInfo)
    func everyCorpusCPUInfoParsesOrSaysWhyNot(_ relative: String) throws {
        let text = try String(contentsOfFile: "\(Paths.corpus)/\(relative)", encoding: .utf8)
        do {
            let cpu = try CPUInfo.parse(text)
            #expect(cpu.family != "unknown", "architecture of \(relative)")
        } catch {
            #expect(error == .unparsable(source: "/proc/cpuinfo", detail: "the file is empty"), "\(relative): \(error)")
        }
    }

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func corpusArchitecturesAreRecognised() throws {
        let expected = [
            "ansible/aarch64-4cpu-cpuinfo": "arm", "ansible/ppc64le-power8-24cpu-cpuinfo": "ppc",
            "ansible/s390x-z14-64cpu-cpuinfo": "s390", "ansible/sparc-t5-debian-ldom-24vcpu": "sparc",
            "lscpu/rv64-visionfive2": "riscv", "lscpu/loongarch-loongson_3a5000_hv": "loongarch",
            "ansible/x86_64-8cpu-cpuinfo": "x86", "ansible/armv6-rev7-1cpu-cpuinfo": "arm",
        ]
        for (name, family) in expected {
            let text = try String(contentsOfFile: "\(Paths.corpus)/\(name)/proc/cpuinfo", encoding: .utf8)
            #expect(try CPUInfo.parse(text).family == family, "\(name)")
        }
    }
}

@Suite struct FactValueTests {
    /// The hand-written conversion of cpuinfo must say exactly what the generic JSON path says.
    @Test func cpuInfoConversionMatchesTheGenericOne() throws {
        let cpu = try CPUInfo.parse(CPUInfoTests.sample + "\nprocessor : 2\nvendor_id : X\n")
        let data = try JSONEncoder().encode(cpu)
        let generic = FactValue(jsonObject: try JSONSerialization.jsonObject(with: data))
        #expect(cpu.factValue == generic)
    }

    @Test func jsonObjectsKeepBooleansAndNumbersApart() throws {
        let object = try JSONSerialization.jsonObject(with: Data(#"{"a": true, "b": 1, "c": 1.5, "d": [false, "x"], "e": null}"#.utf8))
        #expect(FactValue(jsonObject: object) == .object([
            "a": .bool(true), "b": .int(1), "c": .double(1.5), "d": .list([.bool(false), .string("x")]), "e": .null,
        ]))
    }
}
