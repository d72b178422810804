import DoctorCore
import HostFacts

/// migr.hostname-resolution: libvirt tells the source the destination's host name for the migration
/// stream (unless --migrateuri gives an address), and TLS checks names against certificates. Each host's
/// name must resolve on the other to an address that reaches it, never to a loopback address.
enum MigrHostnameResolution: CheckEvaluator {
    static let id = "migr.hostname-resolution"

    enum Condition: String, CaseIterable {
        case resolves
        case loopback
        case viaDNS = "via-dns"
        case unknown
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let destination = try context.destination()
        let sides = [(context.facts, destination), (destination, context.facts)]
        var evidence: [Evidence] = [], loopback: [String] = [], viaDNS: [String] = [], unknown: [String] = [], resolved: [String] = []
        for (resolver, target) in sides {
            let targetName = MigrationSides.name(target), resolverName = MigrationSides.name(resolver)
            guard let hosts = try? resolver.get(Facts.hostsFile) else { unknown.append("\(targetName) on \(resolverName)"); continue }
            // The name libvirt uses is the target's own host name; its short form is how people type it.
            let names = [targetName, String(targetName.split(separator: ".").first ?? "")].filter { !$0.isEmpty }
            let addresses = names.flatMap { hosts.entries(naming: $0).map(\.address) }
            if addresses.isEmpty {
                viaDNS.append("\(targetName) on \(resolverName)")
                evidence.append(Evidence(source: "\(resolverName):/etc/hosts", value: "no entry for \(targetName)"))
            } else if let first = addresses.first, IPAddress.isLoopback(first) {
                loopback.append("\(targetName) → \(first) on \(resolverName)")
                evidence.append(Evidence(source: "\(resolverName):/etc/hosts", value: "\(targetName) \(first)"))
            } else {
                resolved.append("\(targetName) on \(resolverName)")
                evidence.append(Evidence(source: "\(resolverName):/etc/hosts", value: "\(targetName) \(addresses[0])"))
            }
            // A host that maps its own name to 127.0.1.1 tells libvirt a loopback address to connect to.
            let own = names.flatMap { (try? target.get(Facts.hostsFile))?.entries(naming: $0).map(\.address) ?? [] }
            if let first = own.first, IPAddress.isLoopback(first) {
                loopback.append("\(targetName) → \(first) on \(targetName) itself")
                evidence.append(Evidence(source: "\(targetName):/etc/hosts", value: "\(targetName) \(first)"))
            }
        }
        if !loopback.isEmpty { return .fail(.loopback, listVariables("names", loopback), evidence: evidence) }
        if !viaDNS.isEmpty { return .skip(.viaDNS, listVariables("names", viaDNS), evidence: evidence) }
        if !unknown.isEmpty { return .skip(.unknown, listVariables("names", unknown), evidence: evidence) }
        return .pass(.resolves, listVariables("names", resolved), evidence: evidence)
    }
}
