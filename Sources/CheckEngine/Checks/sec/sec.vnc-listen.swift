import DoctorCore
import HostFacts

/// sec.vnc-listen: a VNC or SPICE console reachable from the network without TLS or a password.
enum SecVNCListen: CheckEvaluator {
    static let id = "sec.vnc-listen"

    enum Condition: String, CaseIterable {
        case noConsole = "no-console"
        case protected
        /// `{consoles}` lists the open ones, each written with the `console` fragment.
        case exposed
        case console
    }

    static func isLoopback(_ address: String?) -> Bool {
        guard let address, !address.isEmpty else { return true }
        return address.hasPrefix("127.") || address == "::1" || address == "localhost" || address.hasPrefix("/")  // unix socket
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let (guests, source, _) = try LibvirtGuests.load(context)
        let settings = context.optionalFact(Facts.qemuConfiguration)?.value ?? [:]
        guard guests.contains(where: { !$0.graphics.isEmpty }) else { return .skip(.noConsole) }
        var evidence: [Evidence] = []
        var exposed: [String] = []
        for guest in guests {
            for graphics in guest.graphics where graphics.type == "vnc" || graphics.type == "spice" {
                // Without a listen address QEMU uses qemu.conf's, and libvirt's default is 127.0.0.1.
                let listen = graphics.listen ?? settings["\(graphics.type)_listen"] ?? "127.0.0.1"
                let tls = settings["\(graphics.type)_tls"] == "1"
                let password = graphics.passwordSet || settings["\(graphics.type)_password"] == "(set)"
                evidence.append(Evidence(source: "\(source): \(guest.name)", value: "\(graphics.type) on \(listen), TLS \(tls ? "on" : "off"), password \(password ? "set" : "none")"))
                if !isLoopback(listen) && !tls && !password {
                    exposed.append(context.fragment(Condition.console, ["guest": guest.name, "type": graphics.type, "address": listen]))
                }
            }
        }
        if exposed.isEmpty {
            return .pass(.protected, evidence: evidence)
        }
        return .warn(.exposed, ["consoles": exposed.joined(separator: ", ")], evidence: evidence)
    }
}
