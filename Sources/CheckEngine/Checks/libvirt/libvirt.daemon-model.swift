import DoctorCore
import HostFacts

/// libvirt.daemon-model: the monolithic libvirtd and the modular daemons (virtqemud and its siblings) are
/// two ways to run libvirt; a host must use one. Both enabled means two daemons managing the same QEMU
/// guests; the sockets of one with the service of the other means clients reach a daemon that is not the
/// one configured (or none at all, when the socket's service is disabled).
enum LibvirtDaemonModel: CheckEvaluator {
    static let id = "libvirt.daemon-model"

    enum Condition: String, CaseIterable {
        case monolithic
        case modular
        case neither
        case bothServices = "both-services"
        case mixed
    }

    /// The monolithic daemon's units.
    static let monolithicUnits = ["libvirtd.service", "libvirtd.socket", "libvirtd-ro.socket", "libvirtd-admin.socket",
                                  "libvirtd-tcp.socket", "libvirtd-tls.socket"]
    /// The modular daemons' units (https://libvirt.org/daemons.html): one daemon per driver, virtproxyd for
    /// clients of the old socket paths.
    static let modularDaemons = ["virtqemud", "virtproxyd", "virtnetworkd", "virtstoraged", "virtnodedevd", "virtsecretd",
                                 "virtinterfaced", "virtnwfilterd", "virtxend", "virtlxcd", "virtchd"]
    static var modularUnits: [String] {
        modularDaemons.flatMap { daemon in
            ["\(daemon).service", "\(daemon).socket", "\(daemon)-ro.socket", "\(daemon)-admin.socket"]
                + (daemon == "virtproxyd" ? ["virtproxyd-tcp.socket", "virtproxyd-tls.socket"] : [])
        }
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let enabled = try context.fact(Facts.enabledServices)
        let units = context.optionalFact(Facts.serviceUnits)
        // Enabled at boot, or active now where a unit list (a sos report) says so.
        func on(_ unit: String) -> Bool {
            enabled.value.isEnabled(unit) || units?.value.isActive(unit) == true
        }
        let monolithic = monolithicUnits.filter(on)
        let modular = modularUnits.filter(on)
        var evidence = [Evidence(source: enabled.sources.joined(separator: ", "),
                                 value: "monolithic: \(monolithic.isEmpty ? "none" : monolithic.joined(separator: ", ")); modular: \(modular.isEmpty ? "none" : modular.joined(separator: ", "))")]
        if let units {
            let active = (monolithicUnits + modularUnits).filter { units.value.isActive($0) }
            evidence.append(Evidence(source: units.sources.joined(separator: ", "), value: active.isEmpty ? "no libvirt unit active" : "active: \(active.joined(separator: ", "))"))
        }
        let variables = ["monolithic": monolithic.joined(separator: ", "), "modular": modular.joined(separator: ", ")]
        let libvirtdService = on("libvirtd.service")
        if libvirtdService && on("virtqemud.service") {
            return .fail(.bothServices, variables, evidence: evidence)
        }
        if !monolithic.isEmpty && !modular.isEmpty { return .warn(.mixed, variables, evidence: evidence) }
        if !monolithic.isEmpty { return .pass(.monolithic, variables, evidence: evidence) }
        if !modular.isEmpty {
            // The services say which daemons run; their sockets are in the evidence.
            let services = modular.filter { $0.hasSuffix(".service") }
            return .pass(.modular, ["modular": (services.isEmpty ? modular : services).joined(separator: ", ")], evidence: evidence)
        }
        return .pass(.neither, variables, evidence: evidence)
    }
}
