import DoctorCore
import HostFacts

/// guest.virt-type: what this system runs on (virt-what's answer), and on a hypervisor host whether its
/// guests would be nested.
enum GuestVirtType: CheckEvaluator {
    static let id = "guest.virt-type"

    enum Condition: String, CaseIterable {
        /// `{system}` joins the description fragments below (or is the bare-metal one); `{identifiers}` is
        /// virt-what's output or the no-identifiers fragment.
        case identified
        /// As `identified`, with `{count}` evidence files that could not be read.
        case identifiedIncomplete = "identified-incomplete"
        /// A hypervisor host that is itself a virtual machine.
        case nested
        case nestedIncomplete = "nested-incomplete"
        /// Fragments of `{system}`, in this order, joined with commas.
        case guest
        /// A guest whose hypervisor has no name.
        case unnamedGuest = "unnamed-guest"
        /// Fragments for `{mode}` of the two above.
        case paravirtualized
        case fullVirtualization = "full-virtualization"
        case container
        case hypervisorHost = "hypervisor-host"
        /// A confidential guest: `{technology}` as people write it, `{identifiers}` virt-what-cvm's lines.
        case confidential
        /// `{system}` when none of the above applies.
        case bareMetal = "bare-metal"
        case physicalCloud = "physical-cloud"
        /// `{identifiers}` when virt-what would print nothing.
        case noIdentifiers = "no-identifiers"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        // A root without CPU, DMI, /proc or /sys evidence (a copied /etc) cannot tell bare metal from a guest.
        if report.withoutEvidence == true {
            throw context.root.liveOnly("what the machine runs on (/proc/cpuinfo, DMI, /sys/hypervisor, lscpu)")
        }
        var evidence = report.conclusions.map { Evidence(source: $0.source, value: $0.value, note: "-> \($0.identifier)") }
        evidence += report.reasoning.map { Evidence(source: "vendor and type", value: $0) }
        evidence += report.limitations.map { Evidence(source: "not readable", value: $0) }
        if let systemd = report.systemdDetectVirt { evidence.append(Evidence(source: "systemd-detect-virt", value: systemd)) }
        if let cvm = report.confidentialIdentifiers { evidence.append(Evidence(source: "virt-what-cvm", value: cvm.joined(separator: ", "))) }
        let variables = [
            "system": describe(report, context),
            "identifiers": report.identifiers.isEmpty ? context.fragment(Condition.noIdentifiers) : report.identifiers.joined(separator: ", "),
            "count": String(report.limitations.count),
        ]
        // Unreadable evidence can hide a container or a hypervisor: the sentence says the answer may be incomplete.
        let incomplete = !report.limitations.isEmpty
        if context.profile == .guest || !report.virtualMachine {
            return .pass(incomplete ? .identifiedIncomplete : .identified, variables, evidence: evidence)
        }
        // A hypervisor host that is itself a guest: every guest it runs is nested.
        return .warn(incomplete ? .nestedIncomplete : .nested, variables, evidence: evidence)
    }

    /// What the system is, as the check file's fragments in the reader's language.
    static func describe(_ report: VirtualizationReport, _ context: EvaluationContext) -> String {
        var parts: [String] = []
        if report.virtualMachine {
            let mode = context.fragment(report.virtualizationType == "para" ? Condition.paravirtualized : Condition.fullVirtualization)
            if let hypervisor = report.hypervisorName {
                parts.append(context.fragment(Condition.guest, ["hypervisor": hypervisor, "mode": mode]))
            } else {
                parts.append(context.fragment(Condition.unnamedGuest, ["mode": mode]))
            }
        }
        if let technology = report.confidentialName {
            parts.append(context.fragment(Condition.confidential, [
                "technology": technology, "identifiers": (report.confidentialIdentifiers ?? []).joined(separator: ", "),
            ]))
        }
        if let container = report.container { parts.append(context.fragment(Condition.container, ["container": container])) }
        if let host = report.hypervisorHost { parts.append(context.fragment(Condition.hypervisorHost, ["host": host])) }
        // A cloud's physical instance (AWS .metal) runs no hypervisor, yet virt-what names the cloud: it is
        // described as such, never as "bare metal" next to a virt-what answer.
        if parts.isEmpty, let cloud = report.cloudName, !report.identifiers.isEmpty {
            parts.append(context.fragment(Condition.physicalCloud, ["cloud": cloud]))
        }
        return parts.isEmpty ? context.fragment(Condition.bareMetal) : parts.joined(separator: ", ")
    }
}
