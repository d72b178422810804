import DoctorCore
import HostFacts

/// Knowledge about KVM that checks of several areas use (kvm.*, hv.kernel-type, net.tun).
enum KVMSupport {
    /// Vendor modules that give /dev/kvm its engine. kvm_pvm runs KVM without hardware VT (PVM, used to host
    /// guests inside cloud VMs); kvm_hv/kvm_pr on POWER; arm64 and s390 have KVM in the core module.
    static let vendorModules = ["kvm_intel", "kvm_amd", "kvm_pvm", "kvm_hv", "kvm_pr"]
}

/// A device node a kernel module provides (/dev/vhost-net, /dev/net/tun): missing, present but not a
/// character device, or present. The checks that use it supply their own sentences.
enum ModuleDeviceNode {
    case missing(evidence: [Evidence])
    case notCharDevice(kind: String, evidence: [Evidence])
    case present(description: String, evidence: [Evidence])

    static func describe(_ node: DeviceNode) -> String {
        "\(node.kind.rawValue) \(node.major.map(String.init) ?? "?"):\(node.minor.map(String.init) ?? "?"), mode \(node.mode), group \(node.groupName ?? String(node.group))"
    }

    static func inspect(_ path: String, module: String, context: EvaluationContext) throws(FactError) -> ModuleDeviceNode {
        let devices = try context.fact(Facts.virtualizationDevices).value
        let modules = context.optionalFact(Facts.kernelModules)?.value
        guard let node = devices.nodes[path] else {
            var evidence = [Evidence(source: path, value: "missing")]
            if let modules { evidence.append(Evidence(source: "kernel modules", value: modules.isPresent(module) ? "\(module) loaded" : "\(module) not loaded")) }
            return .missing(evidence: evidence)
        }
        let evidence = [Evidence(source: path, value: describe(node))]
        guard node.kind == .charDevice else {
            return .notCharDevice(kind: node.kind.rawValue, evidence: evidence)
        }
        return .present(description: describe(node), evidence: evidence)
    }
}
