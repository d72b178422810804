import DoctorCore
import HostFacts

enum StorageEvaluators {
    static let loopDevices: Evaluator = { context throws(FactError) in
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
                return Observation(.fail, "All \(limit) loop devices allowed by max_loop are in use; the next file-backed guest or image mount will fail with \"cannot find an unused loop device\".",
                                   evidence: evidence, conditions: ["exhausted"], variables: ["count": String(max(64, CheckedNumbers.saturatingMultiply(limit, 2)))])
            }
            return .pass("Loop devices are created on demand (/dev/loop-control)\(busy.isEmpty ? "" : "; \(busy.count) in use"), so the old 8-device limit does not apply.",
                         evidence: evidence)
        }
        let limit = loop.configuredMaxLoop ?? loop.maxLoop ?? loop.devices.count
        let free = max(0, CheckedNumbers.saturatingAdd(limit, -busy.count))
        let needed = loop.loopBackedGuestDisks.count
        let variables = ["count": String(max(64, (needed + busy.count) * 2))]
        if free == 0 && needed > 0 {
            return Observation(.fail, "Every loop device (\(limit)) is in use and \(needed) file-backed guest disks are defined: guests that are not running yet will fail to start.",
                               evidence: evidence, conditions: ["exhausted"], variables: variables)
        }
        if needed > free {
            return Observation(.fail, "\(needed) file-backed guest disks need loop devices but only \(free) of \(limit) are free.",
                               evidence: evidence, conditions: ["exhausted"], variables: variables)
        }
        if free < 2 {
            return Observation(.warn, "Only \(free) of \(limit) loop devices are free and the kernel cannot create more on demand.",
                               evidence: evidence, conditions: ["low"], variables: variables)
        }
        return .pass("\(free) of \(limit) loop devices are free, enough for the \(needed) file-backed guest disks defined.", evidence: evidence)
    }
}
