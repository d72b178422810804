import DoctorCore
import HostFacts

/// remote.tcp-plain: libvirt's unencrypted TCP listener (16509), worst without authentication.
enum RemoteTCPPlain: CheckEvaluator {
    static let id = "remote.tcp-plain"

    enum Condition: String, CaseIterable {
        case noConfiguration = "no-configuration"
        case off
        case loopbackOnly = "loopback-only"
        case openNoAuth = "open-no-auth"
        case open
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state = RemoteListeners.State(context)
        guard !state.knowsNothing else { return .skip(.noConfiguration) }
        let tcp = state.listener("tcp", defaultPort: 16509)
        var evidence = tcp.evidence
        guard !tcp.reasons.isEmpty else { return .pass(.off, ["port": String(tcp.port)], evidence: evidence) }
        // libvirt's default for auth_tcp is sasl; "none" lets anyone who reaches the port manage every guest.
        let auth = state.settings?.value("auth_tcp")
        if let auth { evidence.append(Evidence(source: auth.file, value: "auth_tcp = \"\(auth.value)\"")) }
        let listenAddress = state.settings?.value("listen_addr")?.value
        let variables = ["reasons": tcp.reasons.joined(separator: "; "), "port": String(tcp.port), "auth": auth?.value ?? "sasl"]
        // Bound to loopback only (by the socket table, or by listen_addr when the table is not there).
        let addresses = tcp.addresses.isEmpty ? listenAddress.map { [$0] } ?? [] : tcp.addresses
        if !addresses.isEmpty, addresses.allSatisfy({ $0.hasPrefix("127.") || $0 == "::1" || $0 == "localhost" }) {
            return .pass(.loopbackOnly, variables.merging(["addresses": addresses.joined(separator: ", ")]) { $1 }, evidence: evidence)
        }
        if auth?.value == "none" {
            return .fail(.openNoAuth, variables, evidence: evidence)
        }
        return .warn(.open, variables, evidence: evidence)
    }
}
