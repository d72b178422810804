import DoctorCore
import Foundation
import HostFacts

/// res.swap-sizing: a KVM host that overcommits memory needs swap of half its RAM plus the overcommitted
/// part, or the OOM killer ends guests when they use what they were given.
enum ResSwapSizing: CheckEvaluator {
    static let id = "res.swap-sizing"

    enum Condition: String, CaseIterable {
        case xen
        case memoryUnknown = "memory-unknown"
        /// Guests fit in RAM: swap size does not decide their fate.
        case notOvercommitted = "not-overcommitted"
        /// Overcommitted, and swap reaches the recommended size.
        case enough
        /// Overcommitted, and swap is below the recommended size.
        case small
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        if context.optionalFact(Facts.xen)?.value.isDom0 == true { return .skip(.xen) }
        let (all, source, _) = try LibvirtGuests.load(context)
        let memory = try context.fact(Facts.memory).value
        let ram = memory.memTotalKiB
        guard ram > 0 else { return .skip(.memoryUnknown) }
        let swap = memory.swapTotalKiB
        let running = all.filter(\.running)
        let total = CheckedNumbers.saturatingSum(running.map(\.memoryKiB))
        // (0.5 x RAM) + (overcommit ratio x RAM), where the ratio is (guest memory - RAM) / RAM.
        let overcommitted = max(0, total - ram)
        let recommended = CheckedNumbers.saturatingAdd(ram / 2, overcommitted)
        let gib = ResMemoryOvercommit.gib
        let evidence = [Evidence(source: "/proc/meminfo", value: "RAM \(gib(ram)), swap \(gib(swap))"),
                        Evidence(source: source, value: "\(running.count) running guests with \(gib(total))"),
                        Evidence(source: "0.5 x RAM + (guest memory - RAM)", value: "recommended swap \(gib(recommended))")]
        let values = ["total": gib(total), "ram": gib(ram), "swap": gib(swap), "recommended": gib(recommended)]
        if total <= ram { return .pass(.notOvercommitted, values, evidence: evidence) }
        if swap >= recommended { return .pass(.enough, values, evidence: evidence) }
        return .warn(.small, values, evidence: evidence)
    }
}
