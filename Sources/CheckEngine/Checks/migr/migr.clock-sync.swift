import Foundation
import DoctorCore
import HostFacts

/// migr.clock-sync: a guest reads the host's clock (kvmclock, the TSC). Moved to a host whose clock is
/// off, the guest's time jumps by the difference: log order breaks, Kerberos and TLS fail, databases
/// complain. Both hosts should be kept in time by a synchronised time service.
enum MigrClockSync: CheckEvaluator {
    static let id = "migr.clock-sync"

    enum Condition: String, CaseIterable {
        case synchronized
        case unsynchronized
        case collectedApart = "collected-apart"
        case unknown
    }

    /// Evidence collected more than a day apart describes two moments, not one cluster.
    static let apartSeconds = 86_400.0

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let destination = try context.destination()
        let hosts = [("source", context.facts), ("destination", destination)]
        var evidence: [Evidence] = []
        var unsynchronized: [String] = [], unknown: [String] = []
        for (role, store) in hosts {
            let name = MigrationSides.name(store)
            guard let sync = try? store.get(Facts.timeSync) else { unknown.append(name); continue }
            let state: Bool? = sync.kernelSynchronized ?? (sync.processesUnknown == true ? nil : !sync.running.isEmpty)
            evidence.append(Evidence(source: "\(role) \(name)", value: "time service \(sync.running.joined(separator: ", ").ifEmpty("none running")); kernel "
                                        + (sync.kernelSynchronized.map { $0 ? "synchronised" : "not synchronised" } ?? "state unknown")))
            switch state {
            case true?: break
            case false?: unsynchronized.append(name)
            case nil: unknown.append(name)
            }
        }
        if !unsynchronized.isEmpty { return .fail(.unsynchronized, listVariables("hosts", unsynchronized), evidence: evidence) }
        if !unknown.isEmpty { return .skip(.unknown, listVariables("hosts", unknown), evidence: evidence) }
        if let first = context.facts.root.evidence.collectedAt, let second = destination.root.evidence.collectedAt {
            let apart = abs(first.timeIntervalSince(second))
            evidence.append(Evidence(source: "collection times", value: "\(Int(apart)) s apart"))
            if apart > apartSeconds { return .warn(.collectedApart, ["days": String(Int(apart / 86_400))], evidence: evidence) }
        }
        return .pass(.synchronized, [:], evidence: evidence)
    }
}
