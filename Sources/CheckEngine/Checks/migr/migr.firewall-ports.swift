import DoctorCore
import HostFacts

/// migr.firewall-ports: the destination must accept the connections a migration opens: libvirt's
/// transport (SSH for qemu+ssh, 16514 for qemu+tls, 16509 for plain TCP) and QEMU's migration stream, which
/// libvirt sends to a port of 49152–49215 on the destination.
enum MigrFirewallPorts: CheckEvaluator {
    static let id = "migr.firewall-ports"

    enum Condition: String, CaseIterable {
        case open
        case allowed
        case migrationRangeClosed = "migration-range-closed"
        case transportClosed = "transport-closed"
        case unknown
    }

    static let migrationRange = 49152...49215
    static let transports: [(port: Int, name: String)] = [(22, "SSH (qemu+ssh)"), (16514, "libvirt TLS (qemu+tls)"), (16509, "libvirt TCP")]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let destination = try context.destination()
        let firewall = try destination.sourced(Facts.firewall).get()
        let configuration = firewall.value
        var variables = ["destination": MigrationSides.name(destination), "range": "\(migrationRange.lowerBound)-\(migrationRange.upperBound)"]
        var evidence = [Evidence(source: "destination " + firewall.sources.joined(separator: ", "), value: describe(configuration))]
        guard configuration.filtersInput else { return .pass(.open, variables, evidence: evidence) }
        // firewalld's shipped zone may not be in the evidence (only changed zones live in /etc).
        if let firewalld = configuration.firewalld, firewalld.zoneFile == nil {
            variables["zone"] = firewalld.defaultZone
            return .skip(.unknown, variables, evidence: evidence)
        }
        let closedInRange = migrationRange.filter { !configuration.accepts(tcpPort: $0) }
        let openTransports = transports.filter { configuration.accepts(tcpPort: $0.port) }
        evidence.append(Evidence(source: "destination ports", value: "migration range: \(closedInRange.isEmpty ? "accepted" : "\(closedInRange.count) of 64 ports refused"); "
                                    + "transports accepted: \(openTransports.map { "\($0.port)" }.joined(separator: ", ").ifEmpty("none"))"))
        if openTransports.isEmpty { return .fail(.transportClosed, variables, evidence: evidence) }
        if !closedInRange.isEmpty { return .fail(.migrationRangeClosed, variables, evidence: evidence) }
        variables.merge(listVariables("transports", openTransports.map(\.name))) { $1 }
        return .pass(.allowed, variables, evidence: evidence)
    }

    static func describe(_ configuration: FirewallConfiguration) -> String {
        var parts: [String] = []
        if let firewalld = configuration.firewalld {
            parts.append("firewalld zone \(firewalld.defaultZone) (target \(firewalld.zoneTarget ?? "unknown"); services \((firewalld.services ?? []).joined(separator: " ").ifEmpty("none")))")
        }
        for ruleset in configuration.rulesets { parts.append("\(ruleset.file): input policy \(ruleset.inputPolicy ?? "none"), \(ruleset.inputRules) rules") }
        if let ufw = configuration.ufw { parts.append("ufw \(ufw.enabled ? "enabled" : "disabled")") }
        return parts.joined(separator: "; ").ifEmpty("no firewall configuration")
    }
}
