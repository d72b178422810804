import DoctorCore
import HostFacts

/// cert.inventory-complete: every certificate host deployment gives an oVirt node is there: VDSM (with its key
/// and the engine CA), SPICE, VNC, the libvirt client, libvirt-migrate, OVN where OVN is set up, and the
/// vmconsole host certificate where the serial console is installed.
enum CertInventoryComplete: CheckEvaluator {
    static let id = "cert.inventory-complete"

    enum Condition: String, CaseIterable {
        case notNode = "not-node"
        /// Everything expected is present; `{components}` lists what was found.
        case complete
        /// Only components whose absence degrades a feature are missing: `{missing}`.
        case incomplete
        /// A component VDSM or libvirt cannot work without is missing: `{missing}`, of which `{essential}` are needed.
        case broken
        /// Evidence that does not hold the PKI files (a sos report, whose vdsm plugin leaves keys out).
        case notCaptured = "not-captured"
        // Fragments: the name of each component, in the sentences' language.
        case componentVDSM = "component-vdsm"
        case componentVDSMKey = "component-vdsm-key"
        case componentEngineCA = "component-engine-ca"
        case componentSPICE = "component-spice"
        case componentVNC = "component-vnc"
        case componentLibvirtClient = "component-libvirt-client"
        case componentLibvirtMigrate = "component-libvirt-migrate"
        case componentLibvirtMigrateClient = "component-libvirt-migrate-client"
        case componentOVN = "component-ovn"
        case componentVmconsole = "component-vmconsole"
    }

    /// A component's name in the report's language.
    static func name(_ context: EvaluationContext, _ component: String) -> String {
        Condition(rawValue: "component-" + component).map { context.fragment($0) } ?? component
    }

    /// What VDSM, libvirt and the engine's connection cannot do without.
    static let essential: Set<String> = ["vdsm", "vdsm-key", "engine-ca", "spice", "libvirt-client"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let pki = try context.fact(Facts.nodePKIFiles).value
        let anyPresent = pki.files.contains { $0.state == "present" }
        guard pki.vdsmInstalled || anyPresent else { return .skip(.notNode) }
        var evidence: [Evidence] = []
        var missing: [NodePKIFile] = []
        var uncaptured: [NodePKIFile] = []
        for file in pki.files {
            let label = name(context, file.component)
            switch (file.state, file.expected) {
            case ("present", _):
                evidence.append(Evidence(source: file.path, value: "\(label): present"))
            case (_, false):
                let why = file.component == "ovn" ? "OVN is not set up on this node" : "ovirt-vmconsole-host is not installed"
                evidence.append(Evidence(source: file.path, value: "\(label): \(file.state), not expected", note: why))
            case ("not captured", true):
                evidence.append(Evidence(source: file.path, value: "\(label): not captured by this evidence"))
                uncaptured.append(file)
            default:
                evidence.append(Evidence(source: file.path, value: "\(label): \(file.state)"))
                missing.append(file)
            }
        }
        // Judge what the evidence holds; only when it holds none of the expected files is there nothing to say.
        if missing.isEmpty && !uncaptured.isEmpty && !anyPresent {
            return .skip(.notCaptured, listVariables("files", uncaptured.map(\.path)), evidence: evidence)
        }
        if missing.isEmpty {
            let found = pki.files.filter { $0.state == "present" }.map { name(context, $0.component) }
            return .pass(.complete, listVariables("components", found), evidence: evidence)
        }
        var values = listVariables("missing", missing.map { "\(name(context, $0.component)) (\($0.path)\($0.state == "absent" ? "" : ", \($0.state)"))" })
        values["path"] = missing[0].path
        let needed = missing.filter { essential.contains($0.component) }
        if !needed.isEmpty {
            values["essential"] = needed.map { name(context, $0.component) }.joined(separator: ", ")
            return .fail(.broken, values, evidence: evidence)
        }
        return .warn(.incomplete, values, evidence: evidence)
    }
}
