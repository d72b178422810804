import DoctorCore
import Foundation
import HostFacts

/// res.vcpu-overcommit: guests' vCPUs against the host's logical CPUs.
enum ResVCPUOvercommit: CheckEvaluator {
    static let id = "res.vcpu-overcommit"

    enum Condition: String, CaseIterable {
        case cpusUnknown = "cpus-unknown"
        /// Xen dom0 with more running vCPUs than CPUs.
        case xen
        /// `{guests}` (`count` of them) have more vCPUs than the host has CPUs.
        case oversized
        /// More than five running vCPUs per CPU.
        case ratio
        case fits
    }

    static func hostCPUs(_ context: EvaluationContext) -> (count: Int, source: String)? {
        if let snapshot = context.optionalFact(Facts.libvirt)?.value { return (snapshot.node.cpus, "libvirt nodeinfo") }
        if let cpu = context.optionalFact(Facts.cpuInfo)?.value, !cpu.processors.isEmpty { return (cpu.processors.count, "/proc/cpuinfo") }
        return nil
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let (all, source, _) = try LibvirtGuests.load(context)
        guard let (cpus, cpuSource) = hostCPUs(context), cpus > 0 else { return .skip(.cpusUnknown) }
        let running = all.filter(\.running)
        // Saturating: a total beyond Int.max is still "more than the host has".
        let total = CheckedNumbers.saturatingSum(running.map(\.vcpus))
        let ratio = Double(total) / Double(cpus)
        let ratioText = String(format: "%.1f", ratio)
        var evidence = [Evidence(source: cpuSource, value: "\(cpus) logical CPUs"),
                        Evidence(source: source, value: "\(running.count) running guests with \(total) vCPUs (ratio \(ratioText))")]
        let oversized = all.filter { $0.vcpus > cpus }
        for guest in oversized { evidence.append(Evidence(source: source, value: "\(guest.name): \(guest.vcpus) vCPUs")) }
        let values = ["vcpus": String(total), "cpus": String(cpus), "ratio": ratioText]
        let xen = context.optionalFact(Facts.xen)?.value.isDom0 == true
        if xen && total > cpus {
            return .fail(.xen, values, evidence: evidence)
        }
        if !oversized.isEmpty {
            let guests = listVariables("guests", oversized.map { "\($0.name) (\($0.vcpus))" })
            return .warn(.oversized, values.merging(guests) { $1 }, evidence: evidence)
        }
        if ratio > 5 {
            return .warn(.ratio, values, evidence: evidence)
        }
        return .pass(.fits, values, evidence: evidence)
    }
}
