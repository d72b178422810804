import DoctorCore
import HostFacts

/// migr.ssh-access: `virsh migrate ... qemu+ssh://DEST/system` runs as root on the source and logs in to
/// the destination without a prompt: it needs a key pair on the source, that key in the destination's
/// authorized_keys, and the destination's host key known on the source (a prompt fails the migration).
enum MigrSSHAccess: CheckEvaluator {
    static let id = "migr.ssh-access"

    enum Condition: String, CaseIterable {
        case ready
        case readyHashedKnownHosts = "ready-hashed-known-hosts"
        case noKey = "no-key"
        case notAuthorized = "not-authorized"
        case hostKeyUnknown = "host-key-unknown"
        case unknown
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let destination = try context.destination()
        let destinationName = MigrationSides.name(destination)
        var variables = ["destination": destinationName]
        let source = try context.fact(Facts.migrationSSHKeys).value
        var evidence = [Evidence(source: "source /root/.ssh", value: source.publicKeys.map { "\($0.file) (\($0.type))" }.joined(separator: ", ").ifEmpty("no key pair"))]
        guard !source.publicKeys.isEmpty else {
            if !source.privateKeysWithoutPublic.isEmpty {
                evidence.append(Evidence(source: "source /root/.ssh", value: "private keys without a .pub: \(source.privateKeysWithoutPublic.joined(separator: ", "))"))
                return .skip(.unknown, variables, evidence: evidence)
            }
            return .fail(.noKey, variables, evidence: evidence)
        }
        let remote: MigrationSSHKeys
        do {
            remote = try destination.sourced(Facts.migrationSSHKeys).get().value
        } catch {
            return .skip(.unknown, variables, evidence: evidence + [Evidence(source: "destination /root/.ssh", value: "\(error)")])
        }
        let authorized = source.publicKeys.filter { remote.authorizedBlobs.contains($0.blob) }
        evidence.append(Evidence(source: "destination /root/.ssh/authorized_keys", value: "\(remote.authorizedBlobs.count) keys; "
                                    + (authorized.isEmpty ? "none of the source's" : "holds \(authorized.map(\.file).joined(separator: ", "))")))
        if authorized.isEmpty { return .fail(.notAuthorized, variables, evidence: evidence) }
        // The names virsh may use for the destination: its host name, short and qualified.
        let names = Set([destinationName.lowercased(), String(destinationName.lowercased().split(separator: ".").first ?? "")]).subtracting([""])
        let known = source.knownHosts.contains { names.contains($0) || names.contains(String($0.split(separator: ".").first ?? "")) }
        evidence.append(Evidence(source: "source /root/.ssh/known_hosts", value: "\(source.knownHosts.count) names in clear, \(source.hashedKnownHosts) hashed"))
        if known { return .pass(.ready, variables, evidence: evidence) }
        if source.hashedKnownHosts > 0 { return .pass(.readyHashedKnownHosts, variables, evidence: evidence) }
        return .warn(.hostKeyUnknown, variables, evidence: evidence)
    }
}
