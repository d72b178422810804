import DoctorCore
import HostFacts

/// net.xen-network-script: xend building its own bridge (network-bridge) while the host also has bridges
/// defined by the distribution's network configuration or by libvirt.
enum NetXenNetworkScript: CheckEvaluator {
    static let id = "net.xen-network-script"

    enum Condition: String, CaseIterable {
        case noXend = "no-xend"
        case disabled
        case xenBridgeOnly = "xen-bridge-only"
        case conflict
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let xend: Sourced<XendNetworkScript>
        do throws(FactError) {
            xend = try context.fact(Facts.xendNetworkScript)
        } catch .absent {
            return .skip(.noXend)
        }
        let setting = xend.value
        var evidence = [Evidence(source: setting.file + (setting.line.map { ":\($0)" } ?? ""), value: setting.script.map { "(network-script \($0))" } ?? "no (network-script) line")]
        guard setting.buildsBridge else {
            return .pass(.disabled, ["script": setting.script ?? "none"], evidence: evidence)
        }
        var others = context.optionalFact(Facts.netConfigFiles)?.value.definedBridges ?? []
        others.formUnion(NetGuests.networks(context).filter { $0.mode == "bridge" }.compactMap { $0.bridge })
        // xend's own bridges are called xenbr<N> (older releases renamed the NIC to peth<N> and used eth<N>).
        others = others.filter { !$0.hasPrefix("xenbr") }
        guard !others.isEmpty else { return .pass(.xenBridgeOnly, evidence: evidence) }
        evidence.append(Evidence(source: "/etc/sysconfig/network-scripts, libvirt networks", value: others.sorted().joined(separator: ", ")))
        return .warn(.conflict, ["bridges": others.sorted().joined(separator: ", "), "script": setting.script ?? ""], evidence: evidence)
    }
}
