import DoctorCore
import HostFacts

/// iommu.enabled: PCI passthrough and SR-IOV need an active IOMMU (units and groups in sysfs).
enum IOMMUEnabled: CheckEvaluator {
    static let id = "iommu.enabled"

    enum Condition: String, CaseIterable {
        /// Units and groups exist; the sentence counts the units (`count`).
        case active
        case disabled
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state = try context.fact(Facts.iommu).value
        var evidence = [Evidence(source: "/sys/class/iommu", value: state.units.isEmpty ? "no IOMMU units" : state.units.joined(separator: ", ")),
                        Evidence(source: "/sys/kernel/iommu_groups", value: "\(state.groupCount) groups")]
        if !state.commandLine.isEmpty { evidence.append(Evidence(source: "/proc/cmdline", value: state.commandLine.joined(separator: " "))) }
        for line in state.kernelMessages.prefix(3) { evidence.append(Evidence(source: "kernel log", value: line)) }
        let groups = String(state.groupCount)
        if !state.units.isEmpty && state.groupCount > 0 {
            return .pass(.active, ["count": String(state.units.count), "groups": groups], evidence: evidence)
        }
        let vendor = context.optionalFact(Facts.cpuInfo)?.value.vendor ?? ""
        let parameter = vendor.contains("AMD") ? "amd_iommu=on iommu=pt" : "intel_iommu=on iommu=pt"
        return .warn(.disabled, ["parameter": parameter, "groups": groups], evidence: evidence)
    }
}
