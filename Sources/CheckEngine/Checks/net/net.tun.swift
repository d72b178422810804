import DoctorCore
import HostFacts

/// net.tun: libvirt creates the tap devices of bridged and NAT guests through /dev/net/tun.
enum NetTun: CheckEvaluator {
    static let id = "net.tun"

    enum Condition: String, CaseIterable {
        case present
        case missing
        /// The path exists but is not a character device (a stray file or directory).
        case notADevice = "not-a-device"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let variables = ["module": "tun", "device": "/dev/net/tun"]
        switch try ModuleDeviceNode.inspect("/dev/net/tun", module: "tun", context: context) {
        case .missing(let evidence):
            return .warn(.missing, variables, evidence: evidence)
        case .notCharDevice(let kind, let evidence):
            return .warn(.notADevice, variables.merging(["kind": kind]) { $1 }, evidence: evidence)
        case .present(let description, let evidence):
            return .pass(.present, ["node": description], evidence: evidence)
        }
    }
}
