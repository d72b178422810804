@testable import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Testing
import TestSupport

/// --checks-dir files are read at run time: aliases, duplicate ids and absurd weights are refused with a
/// sentence naming the file, quickly.
@Suite struct HostileCatalogTests {
    static func check(_ id: String, extra: String = "") -> String {
        """
        id: \(id)
        title: A local check
        area: local
        severity: low
        \(extra)rule: { fact: "sysctl:vm.swappiness", atMost: 60, pass: "ok", problem: "high" }

        """
    }

    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        ? *i
        : 1
        id: bomb

        """

    static let sequenceKey = """
        ? [id, title]
        : x
        id: seq

        """

    @Test(arguments: [billionLaughs, sequenceKey])
    func hostileCheckFilesAreRefusedQuickly(_ text: String) throws {
        let scratch = ScratchRoot()
        scratch.write("extra/bomb.yaml", text)
        var catalog = try Catalog.builtIn()
        let start = Date()
        do {
            try catalog.merge(directory: scratch.path + "/extra")
            Issue.record("a hostile check file was accepted")
        } catch let error as Catalog.LoadError {
            #expect(error.file.hasSuffix("bomb.yaml"))
            #expect(error.detail.contains("alias") || error.detail.contains("anchor") || error.detail.contains("mapping key"), "\(error.detail)")
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func duplicateIdsInChecksDirNameBothFiles() throws {
        let scratch = ScratchRoot()
        scratch.write("extra/a.yaml", Self.check("local.same"))
        scratch.write("extra/sub/b.yaml", Self.check("local.same"))
        var catalog = try Catalog.builtIn()
        do {
            try catalog.merge(directory: scratch.path + "/extra")
            Issue.record("duplicate ids were accepted")
        } catch let error as Catalog.LoadError {
            #expect(error.description.contains("a.yaml") && error.description.contains("b.yaml"), "\(error)")
            #expect(error.description.contains("local.same"))
        }
    }

    @Test func checkFilesThatAreNotRegularOrTooLargeAreRefused() throws {
        let scratch = ScratchRoot()
        scratch.link("extra/zero.yaml", to: "/dev/zero")
        var catalog = try Catalog.builtIn()
        #expect(throws: Catalog.LoadError.self) { try catalog.merge(directory: scratch.path + "/extra") }
        let large = ScratchRoot()
        large.write("extra/big.yaml", Self.check("local.big") + "# " + String(repeating: "x", count: Catalog.maximumFileBytes) + "\n")
        #expect(throws: Catalog.LoadError.self) { try catalog.merge(directory: large.path + "/extra") }
    }

    @Test func overridingABuiltInIdStaysAllowed() throws {
        let scratch = ScratchRoot()
        scratch.write("extra/x.yaml", Self.check("selinux.mode"))
        var catalog = try Catalog.builtIn()
        try catalog.merge(directory: scratch.path + "/extra")
        #expect(catalog.check(id: "selinux.mode")?.title == "A local check")
    }

    @Test(arguments: ["weight: -5\n", "weight: 101\n", "weight: 9223372036854775807\n", "weight: 1e300\n"])
    func weightsOutsideTheRangeAreRefused(_ line: String) {
        #expect(throws: Catalog.LoadError.self) { try Catalog.decode(Self.check("local.w", extra: line), file: "w.yaml") }
    }

    @Test func weightsInsideTheRangeAreAccepted() throws {
        #expect(try Catalog.decode(Self.check("local.w", extra: "weight: 0\n"), file: "w.yaml").weight == 0)
        #expect(try Catalog.decode(Self.check("local.w", extra: "weight: 100\n"), file: "w.yaml").weight == 100)
    }

    @Test func nonFiniteRuleBoundsAreRefused() {
        let text = """
            id: local.nan
            title: t
            area: local
            severity: low
            rule: { fact: "sysctl:vm.swappiness", atLeast: .nan, pass: "ok", problem: "bad" }

            """
        #expect(throws: Catalog.LoadError.self) { try Catalog.decode(text, file: "nan.yaml") }
    }

    @Test func emptyCheckFileIsAClearError() {
        do {
            _ = try Catalog.decode("# nothing yet\n", file: "empty.yaml")
            Issue.record("an empty check file was accepted")
        } catch {
            #expect("\(error)".contains("empty.yaml"))
        }
    }

    /// Guests summing past Int.max used to trap in the memory and vCPU overcommit checks.
    @Test func overcommitTotalsSaturate() throws {
        let scratch = ScratchRoot()
        scratch.write("proc/meminfo", "MemTotal: 16777216 kB\nSwapTotal: 0 kB\n")
        scratch.write("proc/cpuinfo", "processor : 0\nflags : vmx\n")
        for index in 0..<600 {
            scratch.write("etc/libvirt/qemu/g\(index).xml",
                          "<domain type='kvm'><name>g\(index)</name><memory unit='EiB'>15</memory><vcpu>1048576</vcpu></domain>")
            // Without a daemon to ask, autostarted guests count as running.
            scratch.write("etc/libvirt/qemu/autostart/g\(index).xml", "")
        }
        let store = FactStore(root: scratch.root)
        let catalog = try Catalog.builtIn()
        for id in ["res.memory-overcommit", "res.vcpu-overcommit"] {
            let definition = try #require(catalog.check(id: id))
            let evaluator = try #require(Evaluators.registry[definition.evaluatorName])
            let context = EvaluationContext(facts: store, profile: .host, now: Date(timeIntervalSince1970: 1_795_000_000), check: definition)
            let observation = try evaluator.run(context)
            #expect(observation.status != .pass, "\(id): \(observation.summary ?? observation.condition ?? "")")
        }
    }
}
