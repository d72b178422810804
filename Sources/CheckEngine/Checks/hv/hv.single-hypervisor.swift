import DoctorCore
import HostFacts

/// hv.single-hypervisor: one hypervisor runs at a time, so guests defined for the other one cannot start
/// until the host boots into it.
enum HVSingleHypervisor: CheckEvaluator {
    static let id = "hv.single-hypervisor"

    enum Condition: String, CaseIterable {
        /// This system is itself a Xen guest.
        case xenGuest = "xen-guest"
        /// Xen runs; KVM guests are defined: `guests`, `count`.
        case kvmGuestsOnXen = "kvm-guests-on-xen"
        /// KVM (or a plain kernel) runs; Xen guests are defined: `guests`, `count`.
        case xenGuestsOnKVM = "xen-guests-on-kvm"
        /// Every defined guest is for the running hypervisor: `hypervisor`, `count`.
        case consistent
        case noGuests = "no-guests"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let (kind, classifyEvidence) = HVSupport.classify(context)
        if kind == .xenGuest { return .skip(.xenGuest, evidence: classifyEvidence) }
        let inventory = context.optionalFact(Facts.libvirtDomains)?.value
        // xm/xl configurations in /etc/xen, as guests.definitions reads them (with /etc/xen/auto's links).
        let definitions = context.optionalFact(Facts.guestDefinitions)?.value
        let xenFiles = definitions?.guests.filter { $0.format == "xen-config" }
        if inventory == nil && xenFiles == nil {
            // Neither libvirt's nor xm's definitions could be read: libvirt's reason is the answer.
            _ = try context.fact(Facts.libvirtDomains)
        }
        var evidence = classifyEvidence
        let autostart = Set(inventory?.autostart ?? [])
        func label(_ name: String, _ started: Bool) -> String { started ? "\(name) (autostart)" : name }
        var kvmGuests: [String] = []
        var xenGuests: [String] = []
        for domain in inventory?.domains ?? [] {
            evidence.append(Evidence(source: domain.file, value: "<domain type='\(domain.type)'> \(label(domain.name, autostart.contains(domain.name)))"))
            if domain.type == "kvm" { kvmGuests.append(label(domain.name, autostart.contains(domain.name))) }
            if domain.type == "xen" { xenGuests.append(label(domain.name, autostart.contains(domain.name))) }
        }
        let xenAutostart = Set(definitions?.autostart ?? [])
        for guest in xenFiles ?? [] {
            let started = xenAutostart.contains(guest.name)
            evidence.append(Evidence(source: guest.file, value: "xm/xl guest \(label(guest.name, started)) (\(guest.osType == "hvm" ? "hvm" : "pv"))"))
            if !xenGuests.contains(where: { $0.hasPrefix(guest.name) }) { xenGuests.append(label(guest.name, started)) }
        }
        if kind == .xenDom0 {
            if !kvmGuests.isEmpty { return .warn(.kvmGuestsOnXen, listVariables("guests", kvmGuests), evidence: evidence) }
            if xenGuests.isEmpty { return .pass(.noGuests, ["hypervisor": "Xen"], evidence: evidence) }
            return .pass(.consistent, ["hypervisor": "Xen", "count": String(xenGuests.count)], evidence: evidence)
        }
        if !xenGuests.isEmpty { return .warn(.xenGuestsOnKVM, listVariables("guests", xenGuests), evidence: evidence) }
        if kvmGuests.isEmpty { return .pass(.noGuests, ["hypervisor": "Linux/KVM"], evidence: evidence) }
        return .pass(.consistent, ["hypervisor": "Linux/KVM", "count": String(kvmGuests.count)], evidence: evidence)
    }
}
