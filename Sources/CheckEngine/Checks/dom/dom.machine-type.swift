import DoctorCore
import HostFacts

/// dom.machine-type: guests defined with a machine type (pc-i440fx-2.9, rhel6.6.0) that the installed QEMU
/// deprecated or no longer provides. libvirt's capabilities, when it can be asked (live, or a sos report's
/// `virsh capabilities`), list the types this QEMU offers and mark the deprecated ones; otherwise the
/// built-in table of QEMU's removals (MachineTypes) judges against the installed QEMU version.
enum DomMachineType: CheckEvaluator {
    static let id = "dom.machine-type"

    enum Condition: String, CaseIterable {
        case noGuests = "no-guests"
        case current
        case deprecated
        case removed
        case oldTypes = "old-types"
        // Fragments: one guest's entry in {guests}, and why its type is deprecated or gone.
        case guestEntry = "guest-entry"
        // Fragments of {qemu} when its version is not known.
        case qemuOfRHEL = "qemu-of-rhel"
        case qemuUnknown = "qemu-unknown"
        case whyLibvirtDeprecated = "why-libvirt-deprecated"
        case whyLibvirtMissing = "why-libvirt-missing"
        case whyRemovedIn = "why-removed-in"
        case whyPolicyRemoved = "why-policy-removed"
        case whyPolicyDeprecated = "why-policy-deprecated"
        case whyDeprecatedSince = "why-deprecated-since"
        case whyRHEL6Dropped = "why-rhel6-dropped"
        case whyRHEL6Deprecated = "why-rhel6-deprecated"
        case whyRHELI440fxDropped = "why-rhel-i440fx-dropped"
        case whyRHELI440fxDeprecated = "why-rhel-i440fx-deprecated"
        case whyUpstreamOnRHEL = "why-upstream-on-rhel"
        case whyRHELTypeElsewhere = "why-rhel-type-elsewhere"
    }

    /// "web01 (pc-i440fx-2.3: removed in QEMU 9.0)", in the reader's language.
    static func entry(_ context: EvaluationContext, _ guest: String, _ machine: String, _ why: String) -> String {
        context.fragment(Condition.guestEntry, ["guest": guest, "machine": machine, "why": why])
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.guestDefinitions)
        var evidence = GuestDefinitionSupport.unreadableEvidence(inventory.value)
        let guests = inventory.value.guests.filter { $0.format == "libvirt" && ($0.hypervisor == "kvm" || $0.hypervisor == "qemu") }
            .compactMap { guest in guest.machine.map { (guest.name, $0.filter { !$0.isWhitespace }) } }.filter { !$0.1.isEmpty }
        guard !guests.isEmpty else { return .pass(.noGuests, evidence: evidence) }
        evidence.append(Evidence(source: inventory.sources.joined(separator: ", "),
                                 value: guests.prefix(20).map { "\($0.0): \($0.1)" }.joined(separator: ", ")))

        // The QEMU build: libvirt's hypervisor version, the package list, and for Red Hat's builds the release.
        let snapshot = context.optionalFact(Facts.libvirt)
        let packaged = context.optionalFact(Facts.packages).flatMap { MachineTypes.installedQEMU($0.value) }
        var build = packaged?.build
        var qemuSource = packaged?.package
        if let snapshot, snapshot.value.driver.uppercased() == "QEMU", let live = MachineTypes.QEMUBuild.parse(snapshot.value.hypervisorVersion),
           live.major > 0 {
            build = MachineTypes.QEMUBuild(major: live.major, minor: live.minor, rhel: packaged?.build.rhel)
            qemuSource = "libvirt \(snapshot.value.uri): QEMU \(snapshot.value.hypervisorVersion)"
        }
        // Without a package list, a RHEL-like system (RHEL, CentOS Stream, AlmaLinux, Rocky) runs Red Hat's QEMU.
        var rhelFromOS: Int?
        if packaged == nil, let os = context.optionalFact(Facts.osRelease)?.value, os.id != "fedora",
           os.id == "rhel" || os.idLike.contains("rhel"),
           let major = os.versionID.flatMap({ CheckedNumbers.integer($0.prefix { $0.isNumber }, in: 1...99) }) {
            rhelFromOS = major
            if var known = build, known.rhel == nil { known.rhel = major; build = known }
            evidence.append(Evidence(source: "os.release", value: "\(os.prettyName ?? os.id ?? "RHEL-like") \(os.versionID ?? ""): Red Hat's QEMU build"))
        }
        if let qemuSource { evidence.append(Evidence(source: "QEMU", value: qemuSource)) }

        // libvirt's own list, where it has versioned types of the family in question.
        let offered = snapshot?.value.machineTypes ?? []
        var deprecated: [String] = [], removed: [String] = [], old: [String] = []
        for (name, machine) in guests {
            if let listed = offered.first(where: { $0.name == machine }) {
                if listed.deprecated { deprecated.append(entry(context, name, machine, context.fragment(Condition.whyLibvirtDeprecated))) }
                continue
            }
            if let family = family(of: machine), offered.contains(where: { self.family(of: $0.name) == family }) {
                removed.append(entry(context, name, machine, context.fragment(Condition.whyLibvirtMissing)))
                continue
            }
            let verdict: MachineTypes.Verdict
            if let build {
                verdict = MachineTypes.judge(machine, qemu: build)
            } else if let rhel = rhelFromOS, let judged = MachineTypes.judge(machine, rhel: rhel) {
                verdict = judged
            } else {
                if MachineTypes.removedEverywhere(machine) { old.append("\(name) (\(machine))") }
                continue
            }
            switch verdict {
            case .current: break
            case .deprecated(let why, let values): deprecated.append(entry(context, name, machine, context.fragment(why, values)))
            case .removed(let why, let values): removed.append(entry(context, name, machine, context.fragment(why, values)))
            }
        }
        if !offered.isEmpty, let snapshot {
            evidence.append(Evidence(source: "libvirt capabilities (\(snapshot.sources.joined(separator: ", ")))",
                                     value: "\(offered.count) machine types, deprecated: \(offered.filter(\.deprecated).map(\.name).prefix(12).joined(separator: ", "))"))
        }
        var variables = ["qemu": build.map { "QEMU \($0.version)" + ($0.rhel.map { " (RHEL \($0))" } ?? "") }
                         ?? rhelFromOS.map { context.fragment(Condition.qemuOfRHEL, ["rhel": String($0)]) }
                         ?? context.fragment(Condition.qemuUnknown)]
        if !removed.isEmpty {
            variables.merge(listVariables("guests", removed)) { $1 }
            if !deprecated.isEmpty { evidence.append(Evidence(source: "machine types", value: "also deprecated: \(deprecated.joined(separator: "; "))")) }
            return .fail(.removed, variables, evidence: evidence)
        }
        if !deprecated.isEmpty {
            variables.merge(listVariables("guests", deprecated)) { $1 }
            return .warn(.deprecated, variables, evidence: evidence)
        }
        if !old.isEmpty {
            variables.merge(listVariables("guests", old)) { $1 }
            return .warn(.oldTypes, variables, evidence: evidence)
        }
        variables.merge(listVariables("machines", Array(Set(guests.map { $0.1 })).sorted())) { $1 }
        return .pass(.current, variables, evidence: evidence)
    }

    /// The versioned family of a machine type (`pc-i440fx-`, `pc-q35-`, `pc-q35-rhel`, `rhel`), nil for aliases.
    static func family(of machine: String) -> String? {
        if let rhel = MachineTypes.rhelVersion(machine) { return "rhel-" + rhel.kind }
        guard MachineTypes.upstreamVersion(machine) != nil else { return nil }
        for prefix in ["pc-i440fx-", "pc-q35-", "pc-", "virt-", "pseries-", "s390-ccw-virtio-"] where machine.hasPrefix(prefix) { return prefix }
        return nil
    }
}
