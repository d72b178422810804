import DoctorCore
import HostFacts

/// kvm.nested: the nested parameter of kvm_intel / kvm_amd against the guests that are given vmx or svm. A
/// guest that sees vmx/svm while nested is off cannot run KVM inside; one that uses nested KVM is not
/// live-migratable wherever the kernels or QEMU cannot carry the nested state.
enum KVMNested: CheckEvaluator {
    static let id = "kvm.nested"

    enum Condition: String, CaseIterable {
        /// Off, and no guest is given vmx/svm.
        case offUnused = "off-unused"
        /// On, and no guest is given vmx/svm.
        case onUnused = "on-unused"
        /// Off while guests are defined with vmx/svm (host-passthrough or a required feature).
        case offRequested = "off-requested"
        /// On, and guests get vmx/svm: nested KVM works in them, live migration of them does not.
        case inUse = "in-use"
    }

    /// The hardware virtualization features a nested hypervisor needs.
    static let features = ["vmx", "svm"]

    /// How a guest definition hands vmx/svm to the guest, or nil when it does not. host-model copies the
    /// host's CPU model as KVM reports it, which holds vmx/svm only while nested is on.
    static func exposure(_ guest: GuestDefinition, nestedOn: Bool) -> String? {
        let refused = features.contains { ["disable", "forbid"].contains(guest.cpuFeatures[$0] ?? "") }
        if let feature = features.first(where: { ["require", "force"].contains(guest.cpuFeatures[$0] ?? "") }) {
            return "<feature policy='\(guest.cpuFeatures[feature] ?? "require")' name='\(feature)'/>"
        }
        if refused { return nil }
        switch guest.cpuMode {
        case "host-passthrough", "maximum": return "<cpu mode='\(guest.cpuMode ?? "")'>"
        case "host-model" where nestedOn: return "<cpu mode='host-model'>"
        default:
            if nestedOn, let feature = features.first(where: { guest.cpuFeatures[$0] == "optional" }) {
                return "<feature policy='optional' name='\(feature)'/>"
            }
            return nil
        }
    }

    static func isOn(_ value: String) -> Bool {
        ["y", "1"].contains(value.lowercased())
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let nested = try context.fact(Facts.nestedVirtualization)
        let parameters = nested.value.sorted { $0.key < $1.key }
        var evidence = parameters.map { Evidence(source: "/sys/module/\($0.key)/parameters/nested", value: $0.value) }
        let on = parameters.contains { isOn($0.value) }
        let setting = parameters.map { "\($0.key) nested=\($0.value)" }.joined(separator: ", ")
        // Guests of this host's KVM only: Xen and container definitions have no say in kvm_intel/kvm_amd.
        let guests = context.optionalFact(Facts.guestDefinitions)?.value.guests.filter {
            $0.format == "libvirt" && $0.hypervisor == "kvm"
        } ?? []
        var exposed: [(name: String, how: String)] = []
        for guest in guests.sorted(by: { $0.name < $1.name }) {
            if let how = exposure(guest, nestedOn: on) { exposed.append((guest.name, how)) }
        }
        for guest in exposed { evidence.append(Evidence(source: "guest \(guest.name)", value: guest.how)) }
        var variables = listVariables("guests", exposed.map(\.name))
        variables["setting"] = setting
        variables["guest"] = exposed.first?.name ?? "GUEST"
        switch (on, exposed.isEmpty) {
        case (false, true): return .pass(.offUnused, variables, evidence: evidence)
        case (true, true): return .pass(.onUnused, variables, evidence: evidence)
        case (false, false): return .warn(.offRequested, variables, evidence: evidence)
        case (true, false): return .warn(.inUse, variables, evidence: evidence)
        }
    }
}
