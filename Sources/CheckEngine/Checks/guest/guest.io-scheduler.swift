import DoctorCore
import HostFacts

/// guest.io-scheduler: virtual disks should pass requests straight on (none, mq-deadline); the host
/// schedules them already.
enum GuestIOScheduler: CheckEvaluator {
    static let id = "guest.io-scheduler"

    enum Condition: String, CaseIterable {
        case notAVM = "not-a-vm"
        case noScheduler = "no-scheduler"
        /// Disks use a scheduler that reorders requests: `{disks}` are they, `{scheduler}` the first one's.
        case heavy
        case lightweight
    }

    static let lightweightSchedulers: Set<String> = ["none", "noop", "mq-deadline", "deadline", "kyber"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine else { return .skip(.notAVM) }
        let devices = try context.fact(Facts.guestDevices).value
        let withScheduler = devices.disks.compactMap { disk in disk.scheduler.map { (name: disk.name, scheduler: $0) } }
        guard !withScheduler.isEmpty else { return .skip(.noScheduler) }
        let evidence = withScheduler.map { Evidence(source: "/sys/block/\($0.name)/queue/scheduler", value: $0.scheduler) }
        let heavy = withScheduler.filter { !lightweightSchedulers.contains($0.scheduler) }
        if let first = heavy.first {
            // {disk} is the disk the remediation command switches.
            var variables = listVariables("disks", heavy.map(\.name))
            variables["scheduler"] = first.scheduler
            variables["disk"] = first.name
            return .warn(.heavy, variables, evidence: evidence)
        }
        return .pass(.lightweight, ["schedulers": Set(withScheduler.map(\.scheduler)).sorted().joined(separator: ", ")], evidence: evidence)
    }
}
