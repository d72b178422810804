import DoctorCore
import Foundation
import HostFacts

/// res.memory-overcommit: running guests' memory against the host's RAM and swap.
enum ResMemoryOvercommit: CheckEvaluator {
    static let id = "res.memory-overcommit"

    enum Condition: String, CaseIterable {
        case memoryUnknown = "memory-unknown"
        case beyondSwap = "beyond-swap"
        case beyondRAM = "beyond-ram"
        case fits
    }

    /// "9.0 GiB": a quantity with its unit symbol, the same in every language.
    static func gib(_ kib: Int) -> String { String(format: "%.1f GiB", Double(kib) / 1_048_576) }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let (all, source, _) = try LibvirtGuests.load(context)
        let memory = context.optionalFact(Facts.memory)?.value
        let hostKiB = context.optionalFact(Facts.libvirt)?.value.node.memoryKiB ?? memory?.memTotalKiB
        guard let hostKiB, hostKiB > 0 else { return .skip(.memoryUnknown) }
        let swapKiB = memory?.swapTotalKiB ?? 0
        let running = all.filter(\.running)
        let total = CheckedNumbers.saturatingSum(running.map(\.memoryKiB))
        let ramAndSwap = CheckedNumbers.saturatingAdd(hostKiB, swapKiB)
        let evidence = [Evidence(source: memory == nil ? "libvirt nodeinfo" : "/proc/meminfo", value: "RAM \(gib(hostKiB)), swap \(gib(swapKiB))"),
                        Evidence(source: source, value: "\(running.count) running guests with \(gib(total))")]
        let values = ["total": gib(total), "ram": gib(hostKiB), "ramAndSwap": gib(ramAndSwap)]
        if total > ramAndSwap {
            return .fail(.beyondSwap, values, evidence: evidence)
        }
        if total > hostKiB {
            return .warn(.beyondRAM, values, evidence: evidence)
        }
        return .pass(.fits, values, evidence: evidence)
    }
}
