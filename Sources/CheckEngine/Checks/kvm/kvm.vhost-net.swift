import DoctorCore
import HostFacts

/// kvm.vhost-net: without /dev/vhost-net virtio network traffic goes through QEMU in user space.
enum KVMVhostNet: CheckEvaluator {
    static let id = "kvm.vhost-net"

    enum Condition: String, CaseIterable {
        case present
        case missing
        /// The path exists but is not a character device (a stray file or directory).
        case notADevice = "not-a-device"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let variables = ["module": "vhost_net", "device": "/dev/vhost-net"]
        switch try ModuleDeviceNode.inspect("/dev/vhost-net", module: "vhost_net", context: context) {
        case .missing(let evidence):
            return .warn(.missing, variables, evidence: evidence)
        case .notCharDevice(let kind, let evidence):
            return .warn(.notADevice, variables.merging(["kind": kind]) { $1 }, evidence: evidence)
        case .present(let description, let evidence):
            return .pass(.present, ["node": description], evidence: evidence)
        }
    }
}
