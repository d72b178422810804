import DoctorCore
import HostFacts

/// migr.bandwidth: a live migration copies the guest's whole memory at least once, then what the guest
/// dirtied meanwhile. Memory over link speed is the shortest possible time; a busy guest on a slow link may
/// never converge. The link is the slower of the two hosts' fastest physical links (migration traffic goes
/// over the management or migration network, normally the fastest one).
enum MigrBandwidth: CheckEvaluator {
    static let id = "migr.bandwidth"

    enum Condition: String, CaseIterable {
        case fast
        case slow
        case verySlow = "very-slow"
        case unknown
    }

    /// Share of the line rate a migration stream achieves (TCP, QEMU's framing): a conservative 80 %.
    static let efficiency = 0.8
    /// The first copy of memory taking longer than this is worth planning for (a maintenance window, a
    /// dedicated migration network); ten times this and a busy guest is unlikely to converge at all.
    static let slowSeconds = 120.0
    static let verySlowSeconds = 1200.0

    /// Seconds to copy `memoryKiB` once over `megabits` per second at `efficiency`.
    static func seconds(memoryKiB: Int, megabits: Int) -> Double {
        guard megabits > 0 else { return .infinity }
        return Double(memoryKiB) * 1024 * 8 / (Double(megabits) * 1_000_000 * efficiency)
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let guest = try MigrationSides.guest(context)
        let destination = try context.destination()
        var variables = ["guest": guest.name, "memory": formatGiB(guest.memoryKiB), "destination": MigrationSides.name(destination)]
        var evidence = [Evidence(source: guest.source, value: "memory \(formatGiB(guest.memoryKiB)) GiB")]
        let sourceLink = (try? context.fact(Facts.linkSpeeds).value)?.fastest
        let destinationLink = (try? destination.get(Facts.linkSpeeds))?.fastest
        if let sourceLink { evidence.append(Evidence(source: "source /sys/class/net/\(sourceLink.name)/speed", value: "\(sourceLink.megabits) Mb/s")) }
        if let destinationLink { evidence.append(Evidence(source: "destination /sys/class/net/\(destinationLink.name)/speed", value: "\(destinationLink.megabits) Mb/s")) }
        // One side unknown: the other side's link still bounds the time from above.
        guard let megabits = [sourceLink?.megabits, destinationLink?.megabits].compactMap({ $0 }).min(), guest.memoryKiB > 0 else {
            if sourceLink == nil { _ = try context.fact(Facts.linkSpeeds) }
            return .skip(.unknown, variables, evidence: evidence)
        }
        let time = seconds(memoryKiB: guest.memoryKiB, megabits: megabits)
        variables["speed"] = formatSpeed(megabits)
        variables["time"] = formatDuration(time)
        variables["minimumSpeed"] = formatSpeed(Int((Double(guest.memoryKiB) * 1024 * 8 / (slowSeconds * 1_000_000 * efficiency)).rounded(.up)))
        if time >= verySlowSeconds { return .warn(.verySlow, variables, evidence: evidence) }
        if time >= slowSeconds { return .warn(.slow, variables, evidence: evidence) }
        return .pass(.fast, variables, evidence: evidence)
    }

    static func formatGiB(_ kib: Int) -> String {
        let gib = Double(kib) / 1_048_576
        return gib >= 10 || gib == gib.rounded() ? String(Int(gib.rounded())) : String(Double(Int(gib * 10)) / 10)
    }

    static func formatSpeed(_ megabits: Int) -> String {
        megabits >= 1000 && megabits % 1000 == 0 ? "\(megabits / 1000) Gb/s" : "\(megabits) Mb/s"
    }

    static func formatDuration(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded(.up))) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded(.up))) min" }
        return "\(Int((seconds / 3600).rounded(.up))) h"
    }
}
