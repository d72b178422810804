import DoctorCore
import Foundation
import HostFacts

/// xen.xend-config: settings of /etc/xen/xend-config.sxp that expose the host (the unauthenticated HTTP
/// management server, an unrestricted relocation server) or fill the disk (DEBUG logging).
enum XenXendConfig: CheckEvaluator {
    static let id = "xen.xend-config"

    enum Condition: String, CaseIterable {
        case notXenHost = "not-xen-host"
        case noConfig = "no-config"
        case safe
        case debugLogging = "debug-logging"
        case exposed
        // Fragments of {problems}.
        case httpServer = "http-server"
        case httpServerBound = "http-server-bound"
        case relocationOpen = "relocation-open"
    }

    static let tags = ["debug"]

    static func trimmedValue(_ value: String?) -> String {
        (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func enabled(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["yes", "1", "true", "on"].contains(value.lowercased())
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let classified = HVSupport.classify(context)
        guard classified.kind == .xenDom0 else { return .skip(.notXenHost, evidence: classified.evidence) }
        let state: XendState
        do throws(FactError) {
            state = try context.fact(Facts.xend).value
        } catch .absent {
            return .skip(.noConfig)
        }
        guard let file = state.configFile else { return .skip(.noConfig) }
        let settings = state.settings
        let interesting = ["xend-http-server", "xend-port", "xend-address", "xend-unix-server", "xend-relocation-server",
                           "xend-relocation-port", "xend-relocation-address", "xend-relocation-hosts-allow", "loglevel", "logfile",
                           "network-script", "dom0-min-mem", "dom0-cpus", "enable-dump", "vnc-tls", "vnc-x509-verify"]
        var evidence = interesting.compactMap { key in settings[key].map { Evidence(source: file, value: "(\(key) \($0))") } }
        let logfile = settings["logfile"] ?? "/var/log/xend.log"
        evidence.append(Evidence(source: file, value: "xend log: \(logfile)", note: "collect it with the bundle when xend misbehaves"))
        var fragments: [(Condition, String)] = []
        if enabled(settings["xend-http-server"]) {
            let port = settings["xend-port"] ?? "8000"
            if let address = settings["xend-address"].flatMap({ trimmedValue($0).isEmpty ? nil : $0 }) {
                fragments.append((.httpServerBound, context.fragment(Condition.httpServerBound, ["port": port, "address": address])))
            } else {
                fragments.append((.httpServer, context.fragment(Condition.httpServer, ["port": port])))
            }
        }
        if enabled(settings["xend-relocation-server"]) {
            let allowed = trimmedValue(settings["xend-relocation-hosts-allow"])
            let address = trimmedValue(settings["xend-relocation-address"])
            if allowed.isEmpty && address.isEmpty {
                fragments.append((.relocationOpen, context.fragment(Condition.relocationOpen, ["port": settings["xend-relocation-port"] ?? "8002"])))
            }
        }
        let level = (settings["loglevel"] ?? "DEBUG").uppercased()
        if !fragments.isEmpty {
            return .warn(.exposed, ["problems": fragments.map(\.1).joined(separator: "; "), "logfile": logfile], evidence: evidence,
                         tags: fragments.map(\.0.rawValue) + (level == "DEBUG" ? ["debug"] : []))
        }
        if level == "DEBUG" {
            return .pass(.debugLogging, ["logfile": logfile], evidence: evidence)
        }
        return .pass(.safe, ["level": level], evidence: evidence)
    }
}

