import DoctorCore
import Foundation
import HostFacts
import Localization

/// Which checks run, for whom, and as of when.
public struct RunOptions: Sendable {
    public var profile: Profile
    public var now: Date
    /// Check ids or areas (`cpu`, `net.ip-forward`); empty means all.
    public var only: [String]
    public var skip: [String]
    /// Longest time one check may take before it is reported as an error and the run moves on.
    public var checkTimeout: Double
    /// Certificates expiring within this many days are in their renewal window (oVirt's is 60).
    public var certificateWarningDays: Int
    /// The words the engine adds itself (the information-only note, the root step), in the report's language.
    public var strings: Strings

    public init(profile: Profile, now: Date, only: [String] = [], skip: [String] = [], checkTimeout: Double = 20,
                certificateWarningDays: Int = 60, strings: Strings = .english) {
        self.profile = profile
        self.now = now
        self.only = only
        self.skip = skip
        self.checkTimeout = checkTimeout
        self.certificateWarningDays = certificateWarningDays
        self.strings = strings
    }
}

/// Runs checks against a fact store and turns each judgement into a finding. One broken or hung check
/// becomes an error finding; the run always goes on.
public struct Runner: Sendable {
    public let catalog: Catalog
    /// Evaluators by name; the built-in registry unless a caller (a test, an embedding tool) adds its own.
    public let evaluators: [String: RegisteredEvaluator]

    public init(catalog: Catalog, evaluators: [String: RegisteredEvaluator] = Evaluators.registry) {
        self.catalog = catalog
        self.evaluators = evaluators
    }

    /// The checks this run will execute, in catalog order.
    public func selected(_ options: RunOptions) -> [CheckDefinition] {
        catalog.checks.filter { check in
            check.profiles.contains(options.profile)
                && (options.only.isEmpty || options.only.contains { Runner.matches(check, $0) })
                && !options.skip.contains { Runner.matches(check, $0) }
        }
    }

    /// `cpu` selects every check of area cpu (and ids starting with `cpu.`); `net.ip-forward` one check.
    static func matches(_ check: CheckDefinition, _ selector: String) -> Bool {
        check.id == selector || check.area == selector || check.id.hasPrefix(selector + ".")
    }

    public func run(_ store: FactStore, options: RunOptions) -> [Finding] {
        let checks = selected(options)
        // Asked once, and only when some check is tied to one hypervisor.
        let running = checks.contains { $0.hypervisor != nil } ? Runner.runningHypervisor(store) : nil
        let findings = checks.map { check in
            if let wanted = check.hypervisor, let running, wanted != running {
                return notForThisHypervisor(check, wanted: wanted, running: running, options: options)
            }
            return run(check, store: store, options: options)
        }
        return Runner.attributeCauses(findings, checks: checks)
    }

    /// `xen` on a Xen dom0, `kvm` everywhere else a hypervisor host can be (KVM is Linux's own).
    static func runningHypervisor(_ store: FactStore) -> String {
        (try? store.get(Facts.xen))?.isDom0 == true ? "xen" : "kvm"
    }

    func notForThisHypervisor(_ check: CheckDefinition, wanted: String, running: String, options: RunOptions) -> Finding {
        let names = ["kvm": "KVM", "xen": "Xen"]
        let summary = options.strings("runner_other_hypervisor", ["wanted": names[wanted] ?? wanted, "running": names[running] ?? running])
        return Finding(id: check.id, area: check.area, title: check.title, severity: check.severity(in: options.profile), status: .skip,
                       summary: summary, references: check.references, weight: 0)
    }

    /// Marks each problem whose prerequisite check has a problem of its own as that problem's consequence,
    /// following chains to the first cause (VT off in the firmware -> no kvm_intel -> no /dev/kvm).
    static func attributeCauses(_ findings: [Finding], checks: [CheckDefinition]) -> [Finding] {
        let problems: Set<Status> = [.fail, .warn, .error]
        var byID: [String: Int] = [:]
        for (index, finding) in findings.enumerated() { byID[finding.id] = index }
        var result = findings
        // Catalog order is not dependency order: resolve each finding on its own, guarding against cycles.
        func rootCause(_ index: Int, _ visiting: inout Set<Int>) -> String? {
            guard visiting.insert(index).inserted, index < checks.count else { return nil }
            for required in checks[index].requires {
                guard let other = byID[required], other != index, [.fail, .warn].contains(findings[other].status) else { continue }
                return rootCause(other, &visiting) ?? findings[other].id
            }
            return nil
        }
        for index in result.indices where problems.contains(result[index].status) && !checks[index].requires.isEmpty {
            var visiting = Set<Int>()
            if let cause = rootCause(index, &visiting) {
                result[index].cause = cause
                result[index].weight = 0
            }
        }
        return result
    }

    /// `migrate`: the migration profile's checks over a source and a destination. A check with
    /// `scope: guest` runs once per guest (each finding names it); the others once for the pair.
    public func runPair(source: FactStore, destination: FactStore, guests: [String], options: RunOptions) -> [Finding] {
        let running = Runner.runningHypervisor(source)
        var findings: [Finding] = []
        for check in selected(options) {
            if let wanted = check.hypervisor, wanted != running {
                findings.append(notForThisHypervisor(check, wanted: wanted, running: running, options: options))
            } else if !check.perGuest {
                findings.append(run(check, store: source, options: options, peer: destination))
            } else if guests.isEmpty {
                findings.append(finding(check, .skip(options.strings("runner_no_guests_to_migrate")), options: options))
            } else {
                for guest in guests {
                    var finding = run(check, store: source, options: options, peer: destination, guest: guest)
                    finding.guest = guest
                    findings.append(finding)
                }
            }
        }
        return findings
    }

    public func run(_ check: CheckDefinition, store: FactStore, options: RunOptions, peer: FactStore? = nil, guest: String? = nil) -> Finding {
        let context = EvaluationContext(facts: store, profile: options.profile, now: options.now, check: check,
                                        certificateWarningDays: options.certificateWarningDays, language: options.strings.language,
                                        peer: peer, guest: guest)
        let observation: Observation
        do {
            let evaluators = self.evaluators
            observation = try withDeadline(seconds: options.checkTimeout, what: "check \(check.id)") { () -> Observation in
                Runner.observe(check, context: context, evaluators: evaluators)
            }
        } catch {
            observation = Observation(failure: error)
        }
        return finding(check, observation, options: options)
    }

    static func observe(_ check: CheckDefinition, context: EvaluationContext, evaluators: [String: RegisteredEvaluator]) -> Observation {
        if let rule = check.rule { return RuleMatcher.evaluate(rule, context: context) }
        guard let evaluator = evaluators[check.evaluatorName] else {
            return Observation(.error, "evaluator '\(check.evaluatorName)' is not registered in this build")
        }
        do throws(FactError) {
            return try evaluator.run(context)
        } catch {
            return Observation(failure: error)
        }
    }

    func finding(_ check: CheckDefinition, _ observation: Observation, options: RunOptions) -> Finding {
        let profile = options.profile
        let severity = check.severity(in: profile)
        let status = severity.cap(observation.status)
        var summary = Runner.summary(check, observation, strings: options.strings)
        if status != observation.status, severity == .info {
            summary += " " + options.strings("runner_information_only", ["profile": profile.rawValue])
        }
        let conditions = observation.remediationConditions
        var remediation: [RemediationStep] = []
        if observation.status == .warn || observation.status == .fail {
            remediation = check.remediation
                .filter { step in step.when.map { !Set($0).isDisjoint(with: conditions) } ?? true }
                .map { Runner.fill($0, observation.variables) }
        } else if observation.status == .error {
            // An error can still have a known way out (an unreadable file to restore): only steps meant for it.
            remediation = check.remediation
                .filter { step in step.when.map { !Set($0).isDisjoint(with: conditions) } ?? false }
                .map { Runner.fill($0, observation.variables) }
        }
        if conditions.contains("needs-root") {
            remediation.append(RemediationStep(
                title: options.strings("runner_run_as_root"),
                commands: ["sudo virt-doctor check --only \(check.id)"],
                notes: check.needsRoot))
        }
        let weight = (status == .skip || status == .error) ? 0 : check.weight(in: profile)
        return Finding(
            id: check.id, area: check.area, title: check.title, severity: severity, status: status, summary: summary,
            evidence: observation.evidence, remediation: remediation, references: check.references, weight: weight)
    }

    /// The sentence for an observation: the check file's words for its condition, or the engine's own words.
    static func summary(_ check: CheckDefinition, _ observation: Observation, strings: Strings) -> String {
        if let summary = observation.summary { return summary }
        if let failure = observation.failure { return failure.describe(strings) }
        guard let condition = observation.condition else { return "" }
        guard let phrase = check.summaries[condition] else {
            // The conformance test keeps this from happening in the built-in catalog; a --checks-dir override
            // that drops a summary still gets a readable line.
            return "\(check.id): \(condition)"
        }
        return phrase.render(observation.variables, language: strings.language)
    }

    static func fill(_ template: RemediationTemplate, _ variables: [String: String]) -> RemediationStep {
        func substitute(_ text: String) -> String { Phrase.fill(text, variables) }
        return RemediationStep(title: substitute(template.title), commands: template.commands.map(substitute),
                               notes: template.notes.map(substitute))
    }
}
