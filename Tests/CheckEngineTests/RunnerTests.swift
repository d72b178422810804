@testable import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Testing
import TestSupport

@Suite struct RuleMatcherTests {
    func store(_ files: [String: String]) -> (ScratchRoot, FactStore) {
        let scratch = ScratchRoot()
        for (path, text) in files { scratch.write(path, text) }
        return (scratch, FactStore(root: scratch.root))
    }

    func observe(_ rule: Rule, _ store: FactStore) -> Observation {
        let check = CheckDefinition(id: "t.t", title: "t", area: "t", profiles: [.host], severity: .init(.high), rule: rule)
        return RuleMatcher.evaluate(rule, context: EvaluationContext(facts: store, profile: .host, now: Date(), check: check))
    }

    @Test func comparesScalarsListsAndNumbers() {
        let (scratch, store) = store(["proc/sys/vm/swappiness": "60\n", "proc/cpuinfo": "processor : 0\nflags : fpu lm\n"])
        _ = scratch
        #expect(observe(Rule(Comparison(fact: "sysctl:vm.swappiness", equals: "60"), pass: "ok {value}", problem: "bad"), store)
            == .pass("ok 60", evidence: [Evidence(source: "/proc/sys/vm/swappiness", value: "60")]))
        #expect(observe(Rule(Comparison(fact: "sysctl:vm.swappiness", atMost: 10), otherwise: .warn, pass: "p", problem: "high {value}"), store).status == .warn)
        #expect(observe(Rule(Comparison(fact: "cpu.info", path: "flagsOnAllCPUs", contains: "lm"), pass: "p", problem: "q"), store).status == .pass)
        #expect(observe(Rule(Comparison(fact: "cpu.info", path: "flagsOnAllCPUs", contains: "vmx"), pass: "p", problem: "q"), store).status == .fail)
    }

    @Test func guardsAbsenceAndErrors() {
        let (scratch, store) = store(["proc/cpuinfo": "\u{0}\u{0}junk"])
        _ = scratch
        let guarded = Rule(Comparison(fact: "sysctl:vm.swappiness", equals: "1"),
                           onlyIf: [RuleGuard(Comparison(fact: "sysctl:vm.swappiness", equals: "1"), reason: "only when one")],
                           pass: "p", problem: "q")
        #expect(observe(guarded, store).status == .skip, "absent guard fact -> skip")
        #expect(observe(Rule(Comparison(fact: "cpu.info", path: "family", equals: "x86"), pass: "p", problem: "q"), store).status == .error)
        #expect(observe(Rule(Comparison(fact: "no.such", equals: "x"), pass: "p", problem: "q"), store).status == .error)
        #expect(observe(Rule(Comparison(fact: "sysctl:vm.nothing", equals: "1"), pass: "p", problem: "q", whenAbsent: .fail), store).status == .fail)
    }
}

@Suite struct RunnerTests {
    let catalog = try! Catalog.builtIn()

    @Test func selectionByAreaAndIdAndProfile() {
        let runner = Runner(catalog: catalog)
        let cpu = runner.selected(RunOptions(profile: .host, now: Date(), only: ["cpu"]))
        #expect(!cpu.isEmpty && cpu.allSatisfy { $0.area == "cpu" })
        let one = runner.selected(RunOptions(profile: .host, now: Date(), only: ["net.ip-forward"]))
        #expect(one.map(\.id) == ["net.ip-forward"])
        let skipped = runner.selected(RunOptions(profile: .host, now: Date(), skip: ["selinux", "cpu.virt-flags"]))
        #expect(!skipped.contains { $0.area == "selinux" || $0.id == "cpu.virt-flags" })
        let guest = runner.selected(RunOptions(profile: .guest, now: Date()))
        #expect(!guest.contains { $0.id == "net.bridge-nf" }, "host-only checks do not run in a guest")
    }

    @Test func severityCapsTheStatus() {
        let check = CheckDefinition(id: "t.t", title: "t", area: "t", profiles: [.host, .guest],
                                    severity: SeverityByProfile(.critical, overrides: [.guest: .info, .ovirtNode: .low]),
                                    evaluator: "selinux.mode", remediation: [RemediationTemplate(title: "fix {thing}", commands: ["do {thing}"], when: ["broken"]),
                                                                             RemediationTemplate(title: "other", when: ["elsewise"])])
        let runner = Runner(catalog: Catalog(checks: [check]))
        let problem = Observation(.fail, "broken", conditions: ["broken"], variables: ["thing": "it"])
        let host = runner.finding(check, problem, options: RunOptions(profile: .host, now: Date()))
        #expect(host.status == .fail && host.weight == 10)
        #expect(host.remediation == [RemediationStep(title: "fix it", commands: ["do it"])])
        let node = runner.finding(check, problem, options: RunOptions(profile: .ovirtNode, now: Date()))
        #expect(node.status == .warn)
        let guest = runner.finding(check, problem, options: RunOptions(profile: .guest, now: Date()))
        #expect(guest.status == .pass && guest.weight == 0 && guest.summary.contains("information only"))
        let skip = runner.finding(check, Observation(.skip, "n/a"), options: RunOptions(profile: .host, now: Date()))
        #expect(skip.weight == 0 && skip.remediation.isEmpty)
    }

    @Test func aHungCheckBecomesAnErrorAndTheRunGoesOn() throws {
        let scratch = ScratchRoot()
        let hanging = CheckDefinition(id: "t.hang", title: "hang", area: "t", profiles: [.host], severity: .init(.high), evaluator: "test.hang")
        let quick = CheckDefinition(id: "t.quick", title: "quick", area: "t", profiles: [.host], severity: .init(.high),
                                    rule: Rule(Comparison(fact: "sysctl:vm.other", equals: "1"), pass: "p", problem: "q"))
        let started = Date()
        let findings = Runner(catalog: Catalog(checks: [hanging, quick]), evaluators: ["test.hang": RegisteredEvaluator(HangingEvaluator.self)])
            .run(FactStore(root: scratch.root), options: RunOptions(profile: .host, now: Date(), checkTimeout: 0.5))
        #expect(findings.map(\.status) == [.error, .skip])
        #expect(findings[0].summary.contains("did not answer within 0.5 s"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aFifoWhereAFileBelongsDoesNotBlock() throws {
        let scratch = ScratchRoot()
        try FileManager.default.createDirectory(atPath: scratch.path + "/proc/sys/vm", withIntermediateDirectories: true)
        #expect(mkfifo(scratch.path + "/proc/sys/vm/swappiness", 0o600) == 0)
        #expect(throws: FactError.io(source: "/proc/sys/vm/swappiness", detail: "is a fifo, not a file")) {
            try scratch.root.readText("/proc/sys/vm/swappiness")
        }
    }

    @Test func autoProfileFollowsTheMachine() throws {
        func detect(_ root: String) throws -> Profile {
            ProfileDetector.detect(FactStore(root: try HostRoot(directory: Paths.fixtureRoot(root)))).profile
        }
        #expect(try detect("kvm-intel-host-ready") == .host)
        #expect(try detect("kvm-guest-no-nested") == .guest)
        #expect(try detect("pvm-nested-kvm") == .host)
        let scratch = ScratchRoot()
        scratch.write("etc/vdsm/vdsm.conf", "[vars]\n")
        #expect(ProfileDetector.detect(FactStore(root: scratch.root)).profile == .ovirtNode)
    }
}

@Suite struct ImageLabelScaleTests {
    /// A directory with more images than the limit is inspected up to the limit, quickly, and the finding
    /// says how many were left out.
    @Test func hugeImageDirectoriesAreBounded() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
        scratch.write("sys/fs/selinux/enforce", "1")
        let directory = scratch.path + "/var/lib/libvirt/images"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for index in 0..<20_500 {
            _ = FileManager.default.createFile(atPath: "\(directory)/guest\(index).qcow2", contents: nil)
        }
        let catalog = try Catalog.builtIn()
        let check = try #require(catalog.check(id: "selinux.image-label"))
        let started = Date()
        let finding = Runner(catalog: catalog).run(check, store: FactStore(root: scratch.root), options: RunOptions(profile: .host, now: Date()))
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(finding.status == .fail, "unlabelled images under enforcing")
        let counts = finding.evidence.last?.value ?? ""
        #expect(counts.contains("not inspected"), "\(counts)")
    }
}

/// Stands for a hung daemon or NFS mount: the evaluator does not come back for a long time.
private enum HangingEvaluator: CheckEvaluator {
    static let id = "test.hang"

    enum Condition: String, CaseIterable {
        case never
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        Thread.sleep(forTimeInterval: 30)
        return .pass(.never)
    }
}
