import DoctorCore
import Foundation
import HostFacts

/// Device nodes and the IOMMU.
enum DeviceEvaluators {
    static let iommuEnabled: Evaluator = { context throws(FactError) in
        let state = try context.fact(Facts.iommu).value
        var evidence = [Evidence(source: "/sys/class/iommu", value: state.units.isEmpty ? "no IOMMU units" : state.units.joined(separator: ", ")),
                        Evidence(source: "/sys/kernel/iommu_groups", value: "\(state.groupCount) groups")]
        if !state.commandLine.isEmpty { evidence.append(Evidence(source: "/proc/cmdline", value: state.commandLine.joined(separator: " "))) }
        for line in state.kernelMessages.prefix(3) { evidence.append(Evidence(source: "kernel log", value: line)) }
        if !state.units.isEmpty && state.groupCount > 0 {
            return .pass("The IOMMU is active (\(state.units.count) unit\(state.units.count == 1 ? "" : "s"), \(state.groupCount) groups): PCI devices can be assigned to guests.", evidence: evidence)
        }
        let vendor = context.optionalFact(Facts.cpuInfo)?.value.vendor ?? ""
        let parameter = vendor.contains("AMD") ? "amd_iommu=on iommu=pt" : "intel_iommu=on iommu=pt"
        return Observation(.warn, "No IOMMU is active (no units, \(state.groupCount) groups): PCI passthrough and SR-IOV to guests are impossible. Only hosts that assign devices to guests need it.",
                           evidence: evidence, conditions: ["disabled"], variables: ["parameter": parameter])
    }
}
