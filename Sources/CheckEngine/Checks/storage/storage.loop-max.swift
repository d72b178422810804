import DoctorCore
import HostFacts

/// storage.loop-max: file-backed guest disks and image mounts each take a loop device; on kernels without
/// /dev/loop-control the number is fixed by max_loop.
enum StorageLoopMax: CheckEvaluator {
    static let id = "storage.loop-max"

    /// `count` is not a plural selector here: it is the max_loop value the remediation suggests.
    enum Condition: String, CaseIterable {
        /// Devices are created on demand, but an explicit max_loop is reached.
        case onDemandExhausted = "on-demand-exhausted"
        /// Created on demand; `-in-use` names how many are busy.
        case onDemand = "on-demand"
        case onDemandInUse = "on-demand-in-use"
        /// A fixed set, all busy, and guests with file-backed disks still to start.
        case allInUse = "all-in-use"
        /// A fixed set with fewer free devices than file-backed guest disks.
        case tooFewFree = "too-few-free"
        case low
        case enough
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let loop = try context.fact(Facts.loopDevices).value
        let busy = loop.inUse
        var evidence = [Evidence(source: "/sys/block/loop*", value: "\(loop.devices.count) loop devices, \(busy.count) in use")]
        for device in busy.prefix(20) {
            evidence.append(Evidence(source: "/sys/block/\(device.name)/loop/backing_file", value: device.backingFile ?? ""))
        }
        if let maxLoop = loop.maxLoop {
            evidence.append(Evidence(source: "/sys/module/loop/parameters/max_loop", value: String(maxLoop)))
        }
        if let configured = loop.configuredMaxLoop, let file = loop.configuredIn {
            evidence.append(Evidence(source: file, value: "max_loop=\(configured)"))
        }
        if !loop.loopBackedGuestDisks.isEmpty {
            evidence.append(Evidence(source: "guest definitions", value: "\(loop.loopBackedGuestDisks.count) file-backed guest disks need a loop device",
                                     note: loop.loopBackedGuestDisks.prefix(5).joined(separator: "; ")))
        }
        if loop.onDemand {
            evidence.append(Evidence(source: "/dev/loop-control", value: "present"))
            // max_loop still caps on-demand creation when it was set explicitly on newer kernels.
            if let limit = loop.configuredMaxLoop ?? loop.maxLoop, limit > 0, busy.count >= limit {
                return .fail(.onDemandExhausted, ["limit": String(limit), "count": String(max(64, CheckedNumbers.saturatingMultiply(limit, 2)))],
                             evidence: evidence)
            }
            return busy.isEmpty
                ? .pass(.onDemand, evidence: evidence)
                : .pass(.onDemandInUse, ["busy": String(busy.count)], evidence: evidence)
        }
        let limit = loop.configuredMaxLoop ?? loop.maxLoop ?? loop.devices.count
        let free = max(0, CheckedNumbers.saturatingAdd(limit, -busy.count))
        let needed = loop.loopBackedGuestDisks.count
        let variables = ["count": String(max(64, (needed + busy.count) * 2)),
                         "limit": String(limit), "free": String(free), "needed": String(needed)]
        if free == 0 && needed > 0 {
            return .fail(.allInUse, variables, evidence: evidence)
        }
        if needed > free {
            return .fail(.tooFewFree, variables, evidence: evidence)
        }
        if free < 2 {
            return .warn(.low, variables, evidence: evidence)
        }
        return .pass(.enough, variables, evidence: evidence)
    }
}
