import DoctorCore
import HostFacts

/// selinux.xend-disable: SELinux protection switched off for the virtualization daemons only: the old
/// xend_disable_t boolean on Xen hosts, or (today) a permissive domain made with `semanage permissive -a`.
enum SELinuxXendDisable: CheckEvaluator {
    static let id = "selinux.xend-disable"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        case disabled
        /// Neither the boolean nor a permissive virtualization domain.
        case confined
        /// xend_disable_t (or xend_disable_trans) is on.
        case xendUnconfined = "xend-unconfined"
        /// `{domains}` are permissive domains.
        case permissiveDomain = "permissive-domain"
    }

    static let virtualizationDomains: Set<String> = ["xend_t", "virtd_t", "svirt_t", "svirt_tcg_t", "virtqemud_t", "xenstored_t", "xenconsoled_t"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: SELinuxState
        do throws(FactError) {
            state = try context.fact(Facts.selinux).value
        } catch .absent {
            return .skip(.notInstalled)
        }
        guard state.runtimeMode != "disabled" else { return .skip(.disabled) }
        let config = try context.fact(Facts.storageConfiguration).value
        var evidence: [Evidence] = []
        for name in ["xend_disable_t", "xend_disable_trans"] {
            if let value = config.selinuxBooleans[name] {
                evidence.append(Evidence(source: "/sys/fs/selinux/booleans/\(name)", value: value ? "on" : "off"))
            }
        }
        let permissive = config.permissiveDomains.filter { virtualizationDomains.contains($0) }.sorted()
        if !config.permissiveDomains.isEmpty {
            evidence.append(Evidence(source: "permissive modules", value: config.permissiveDomains.sorted().joined(separator: ", ")))
        }
        if let name = ["xend_disable_t", "xend_disable_trans"].first(where: { config.selinuxBooleans[$0] == true }) {
            return .warn(.xendUnconfined, ["boolean": name], evidence: evidence)
        }
        if !permissive.isEmpty {
            return .warn(.permissiveDomain, ["count": String(permissive.count), "domains": permissive.joined(separator: ", "),
                                             "domain": permissive[0]], evidence: evidence)
        }
        if evidence.isEmpty { evidence.append(Evidence(source: "/sys/fs/selinux/booleans", value: "no xend_disable_t boolean; no permissive virtualization domain")) }
        return .pass(.confined, evidence: evidence)
    }
}
