import DoctorCore
import HostFacts

/// migr.same-version: QEMU and libvirt accept an incoming guest from the same or an older version; the
/// other way round the destination may not know the guest's machine type or device state. Different
/// hypervisors (Xen and KVM) cannot exchange running guests at all.
enum MigrSameVersion: CheckEvaluator {
    static let id = "migr.same-version"

    enum Condition: String, CaseIterable {
        case same
        case destinationNewer = "destination-newer"
        case destinationOlder = "destination-older"
        case osDiffers = "os-differs"
        case differentHypervisors = "different-hypervisors"
        case unknown
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let destination = try context.destination()
        let source = context.facts
        var evidence: [Evidence] = []
        let hypervisors = (Runner.runningHypervisor(source), Runner.runningHypervisor(destination))
        let names = ["kvm": "KVM", "xen": "Xen"]
        if hypervisors.0 != hypervisors.1 {
            evidence.append(Evidence(source: "hypervisor (a Xen dom0 has /proc/xen/capabilities with control_d)",
                                     value: "source \(names[hypervisors.0] ?? hypervisors.0); destination \(names[hypervisors.1] ?? hypervisors.1)"))
            return .fail(.differentHypervisors, ["source": names[hypervisors.0] ?? hypervisors.0, "destination": names[hypervisors.1] ?? hypervisors.1],
                         evidence: evidence)
        }
        var older: [String] = [], newer: [String] = [], compared: [String] = [], missing: [String] = []
        for component in ["QEMU", "libvirt", "VDSM"] {
            let left = MigrationSides.version(of: component, in: source), right = MigrationSides.version(of: component, in: destination)
            switch (left, right) {
            case let (left?, right?):
                evidence.append(Evidence(source: component, value: "source \(left.value) (\(left.source)); destination \(right.value) (\(right.source))"))
                compared.append(component)
                let order = MigrationSides.order(source: left, destination: right)
                if order < 0 { older.append("\(component) \(right.value) < \(left.value)") }
                if order > 0 { newer.append(component) }
            case (nil, nil):
                if component != "VDSM" { missing.append(component) }
            case let (one?, nil), let (nil, one?):
                // VDSM on one side only is an oVirt host beside a plain one: worth a line, not a verdict.
                evidence.append(Evidence(source: component, value: "\(one.value) on one side only (\(one.source))"))
                if component != "VDSM" { missing.append(component) }
            }
        }
        let osSource = (try? source.get(Facts.osRelease))?.prettyName, osDestination = (try? destination.get(Facts.osRelease))?.prettyName
        if let osSource, let osDestination { evidence.append(Evidence(source: "/etc/os-release", value: "source \(osSource); destination \(osDestination)")) }
        if let kernels = try? (source.get(Facts.kernelRelease), destination.get(Facts.kernelRelease)) {
            evidence.append(Evidence(source: "kernel release", value: "source \(kernels.0); destination \(kernels.1)"))
        }
        if !older.isEmpty {
            return .fail(.destinationOlder, listVariables("components", older), evidence: evidence)
        }
        if compared.isEmpty {
            return .skip(.unknown, listVariables("components", missing), evidence: evidence)
        }
        if let osSource, let osDestination, osSource != osDestination {
            return .warn(.osDiffers, ["source": osSource, "destination": osDestination], evidence: evidence)
        }
        return newer.isEmpty ? .pass(.same, listVariables("components", compared), evidence: evidence)
            : .pass(.destinationNewer, listVariables("components", newer), evidence: evidence)
    }
}
