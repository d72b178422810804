import DoctorCore
import HostFacts

/// net.networkmanager-bridge: NetworkManager running while ifcfg bridge files leave it in charge
/// (no NM_CONTROLLED=no). Old NetworkManager cannot manage bridges; since RHEL 7 it can.
enum NetNetworkManagerBridge: CheckEvaluator {
    static let id = "net.networkmanager-bridge"

    enum Condition: String, CaseIterable {
        case noIfcfg = "no-ifcfg"
        case noBridges = "no-bridges"
        case notRunning = "not-running"
        case excluded
        /// NetworkManager too old for bridges would take the interfaces.
        case legacyManaged = "legacy-managed"
        /// Modern NetworkManager manages the bridge through its ifcfg-rh plugin: fine, informational.
        case modernManaged = "modern-managed"
    }

    /// RHEL and its rebuilds up to 6, Fedora up to 16: NetworkManager there has no bridge support.
    static func isLegacy(_ release: OSRelease?) -> Bool {
        guard let release, let version = release.versionID,
              let major = Int(version.split(separator: ".").first ?? "") else { return false }
        let family = ([release.id ?? ""] + release.idLike).map { $0.lowercased() }
        if release.id?.lowercased() == "fedora" { return major <= 16 }
        if family.contains(where: { ["rhel", "centos", "ol", "scientific", "redhat"].contains($0) }) { return major <= 6 }
        return false
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        guard let config = context.optionalFact(Facts.netConfigFiles)?.value, !config.ifcfg.isEmpty else { return .skip(.noIfcfg) }
        let bridgeNames = Set(config.ifcfg.filter(\.looksLikeBridge).map(\.interfaceName))
        let involved = config.ifcfg.filter { $0.looksLikeBridge || $0.bridge != nil }
        guard !involved.isEmpty else { return .pass(.noBridges) }
        var evidence = involved.map { Evidence(source: $0.file, value: "NM_CONTROLLED=\($0.values["NM_CONTROLLED"] ?? "(not set)")") }
        let processes = context.optionalFact(Facts.processes)?.value.names
        let units = context.optionalFact(Facts.serviceUnits)?.value
        let running = processes?.contains("NetworkManager") == true || units?.isActive("NetworkManager.service") == true
        evidence.append(Evidence(source: processes != nil ? "/proc/*/comm" : "systemctl list-units", value: running ? "NetworkManager running" : "NetworkManager not running"))
        guard running else { return .pass(.notRunning, evidence: evidence) }
        let managed = involved.filter { !$0.notManagedByNetworkManager }
        guard !managed.isEmpty else { return .pass(.excluded, evidence: evidence) }
        let release = context.optionalFact(Facts.osRelease)?.value
        if let release { evidence.append(Evidence(source: "/etc/os-release", value: release.prettyName ?? release.versionID ?? "?")) }
        let names = managed.map { String($0.file.split(separator: "/").last ?? "") }.joined(separator: ", ")
        let variables = ["files": names, "bridges": bridgeNames.sorted().joined(separator: ", ")]
        if isLegacy(release) { return .warn(.legacyManaged, variables, evidence: evidence) }
        return .pass(.modernManaged, variables, evidence: evidence)
    }
}
