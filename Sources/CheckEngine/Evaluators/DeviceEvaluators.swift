import DoctorCore
import Foundation
import HostFacts

/// Device nodes and the IOMMU.
enum DeviceEvaluators {
    static func describe(_ node: DeviceNode) -> String {
        "\(node.kind.rawValue) \(node.major.map(String.init) ?? "?"):\(node.minor.map(String.init) ?? "?"), mode \(node.mode), group \(node.groupName ?? String(node.group))"
    }

    static func node(_ path: String, module: String, absentSummary: String, context: EvaluationContext) throws(FactError) -> Observation {
        let devices = try context.fact(Facts.virtualizationDevices).value
        let modules = context.optionalFact(Facts.kernelModules)?.value
        guard let node = devices.nodes[path] else {
            var evidence = [Evidence(source: path, value: "missing")]
            if let modules { evidence.append(Evidence(source: "kernel modules", value: modules.isPresent(module) ? "\(module) loaded" : "\(module) not loaded")) }
            return Observation(.warn, absentSummary, evidence: evidence, conditions: ["missing"], variables: ["module": module, "device": path])
        }
        let evidence = [Evidence(source: path, value: describe(node))]
        guard node.kind == .charDevice else {
            return Observation(.warn, "\(path) exists but is a \(node.kind.rawValue), not a character device.", evidence: evidence, conditions: ["missing"],
                               variables: ["module": module, "device": path])
        }
        return .pass("\(path) is present (\(describe(node))).", evidence: evidence)
    }

    static let vhostNet: Evaluator = { context throws(FactError) in
        try node("/dev/vhost-net", module: "vhost_net",
                 absentSummary: "/dev/vhost-net is missing: virtio network traffic is then copied through QEMU in user space, several times slower and costlier in host CPU than the in-kernel vhost path.",
                 context: context)
    }

    static let tun: Evaluator = { context throws(FactError) in
        try node("/dev/net/tun", module: "tun",
                 absentSummary: "/dev/net/tun is missing: libvirt cannot create tap devices, so guests on bridges and NAT networks do not start.",
                 context: context)
    }

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
