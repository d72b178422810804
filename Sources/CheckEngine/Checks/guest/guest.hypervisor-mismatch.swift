import DoctorCore
import HostFacts

/// guest.hypervisor-mismatch: guests defined for the hypervisor this host does not run (Xen guests on a
/// KVM host, KVM guests on a Xen dom0). There is no running a guest on the other kind of hypervisor.
enum GuestHypervisorMismatch: CheckEvaluator {
    static let id = "guest.hypervisor-mismatch"

    enum Condition: String, CaseIterable {
        /// Neither KVM nor Xen dom0 runs: nothing to compare with.
        case noHypervisor = "no-hypervisor"
        case noGuests = "no-guests"
        case matchKVM = "match-kvm"
        case matchXen = "match-xen"
        case xenGuestsOnKVM = "xen-guests-on-kvm"
        case kvmGuestsOnXen = "kvm-guests-on-xen"
    }

    /// Needs the Xen hypervisor: a Xen domain, or any paravirtualized definition.
    static func needsXen(_ guest: GuestDefinition) -> Bool { guest.hypervisor == "xen" || guest.paravirtualized }
    /// Needs /dev/kvm: libvirt's kvm domain type (plain "qemu" is emulation and runs anywhere, slowly).
    static func needsKVM(_ guest: GuestDefinition) -> Bool { guest.hypervisor == "kvm" && !guest.paravirtualized }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let classified = HVSupport.classify(context)
        var evidence = classified.evidence
        guard classified.kind == .kvm || classified.kind == .xenDom0 else {
            return .skip(.noHypervisor, evidence: evidence)
        }
        let definitions = try context.fact(Facts.guestDefinitions)
        let inventory = definitions.value
        for guest in inventory.guests {
            var value = "type \(guest.hypervisor.isEmpty ? "(none)" : guest.hypervisor)"
            if let osType = guest.osType { value += ", os type \(osType)" }
            if let bootloader = guest.bootloader { value += ", bootloader \(bootloader)" }
            evidence.append(Evidence(source: guest.file, value: "\(guest.name): \(value)"))
        }
        evidence += GuestDefinitionSupport.unreadableEvidence(inventory)
        guard !inventory.guests.isEmpty else {
            return .pass(.noGuests, ["directories": definitions.sources.joined(separator: ", ")], evidence: evidence)
        }
        if classified.kind == .kvm {
            let wrong = inventory.guests.filter(needsXen)
            if wrong.isEmpty { return .pass(.matchKVM, listVariables("guests", inventory.guests.map(\.name)), evidence: evidence) }
            var variables = listVariables("guests", wrong.map(GuestDefinitionSupport.describe))
            variables["guest"] = wrong[0].name
            return .fail(.xenGuestsOnKVM, variables, evidence: evidence)
        }
        let wrong = inventory.guests.filter(needsKVM)
        if wrong.isEmpty { return .pass(.matchXen, listVariables("guests", inventory.guests.map(\.name)), evidence: evidence) }
        var variables = listVariables("guests", wrong.map(GuestDefinitionSupport.describe))
        variables["guest"] = wrong[0].name
        return .fail(.kvmGuestsOnXen, variables, evidence: evidence)
    }
}
