import DoctorCore
import HostFacts

// issue 12: remote — shared by remote.tls-pki and remote.tcp-plain.

/// Why a libvirt network listener (TLS or plain TCP) counts as switched on, from whatever the root holds:
/// a socket in the LISTEN state, an enabled or active socket unit, or libvirtd.conf with --listen.
enum RemoteListeners {
    struct State {
        var settings: LibvirtDaemonSettings?
        var listeners: TCPListeners?
        var enabled: EnabledServices?
        var units: ServiceUnits?

        init(_ context: EvaluationContext) {
            settings = context.optionalFact(Facts.libvirtDaemonSettings)?.value
            listeners = context.optionalFact(Facts.tcpListeners)?.value
            enabled = context.optionalFact(Facts.enabledServices)?.value
            units = context.optionalFact(Facts.serviceUnits)?.value
        }

        var knowsNothing: Bool { settings == nil && listeners == nil && enabled == nil && units == nil }

        /// `tls` or `tcp`: the reasons the listener is on (empty: off), its port, and the addresses it listens on.
        func listener(_ kind: String, defaultPort: Int) -> (reasons: [String], evidence: [Evidence], port: Int, addresses: [String]) {
            var reasons: [String] = []
            var evidence: [Evidence] = []
            let port = settings?.value("\(kind)_port").flatMap { Int($0.value) }.flatMap { (1...65535).contains($0) ? $0 : nil } ?? defaultPort
            var addresses: [String] = []
            if let listeners {
                let bound = listeners.listening(on: port)
                addresses = bound.map(\.address)
                if !bound.isEmpty {
                    reasons.append("TCP \(port) is listening on \(addresses.joined(separator: ", "))")
                    evidence.append(Evidence(source: "/proc/net/tcp", value: "LISTEN on port \(port): \(addresses.joined(separator: ", "))"))
                } else {
                    evidence.append(Evidence(source: "/proc/net/tcp", value: "nothing listens on port \(port)"))
                }
            }
            for unit in ["libvirtd-\(kind).socket", "virtproxyd-\(kind).socket"] {
                if let link = enabled?.enabledAt(unit) {
                    reasons.append("\(unit) is enabled")
                    evidence.append(Evidence(source: link, value: "\(unit) enabled"))
                } else if units?.isActive(unit) == true {
                    reasons.append("\(unit) is active")
                    evidence.append(Evidence(source: "systemctl list-units", value: "\(unit) active"))
                }
            }
            if let (value, file) = settings?.value("listen_\(kind)") {
                evidence.append(Evidence(source: file, value: "listen_\(kind) = \(value)"))
                if value == "1" {
                    reasons.append("listen_\(kind) = 1 in \(file)")
                }
            } else if kind == "tls", let file = settings?.listenArgumentIn {
                // listen_tls defaults to 1: --listen alone opens the TLS port.
                reasons.append("libvirtd runs with --listen (\(file)) and listen_tls defaults to 1")
                evidence.append(Evidence(source: file, value: "--listen"))
            }
            return (reasons, evidence, port, addresses)
        }
    }
}
