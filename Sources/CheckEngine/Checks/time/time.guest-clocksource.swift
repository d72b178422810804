import DoctorCore
import HostFacts

/// time.guest-clocksource: a guest should keep time with the paravirtual clock its hypervisor offers
/// (or an invariant TSC, which is as good).
enum TimeGuestClocksource: CheckEvaluator {
    static let id = "time.guest-clocksource"

    /// Where the hypervisor is not named, the sentence says "the hypervisor": those are their own conditions.
    enum Condition: String, CaseIterable {
        case notAVM = "not-a-vm"
        case paravirtual
        case paravirtualUnnamed = "paravirtual-unnamed"
        case invariantTSC = "invariant-tsc"
        /// Another clock is in use and a paravirtual one is available: `{better}` names it.
        case switchClock = "switch"
        case switchClockUnnamed = "switch-unnamed"
        /// Another clock is in use and the kernel offers no paravirtual one.
        case noPVClock = "no-pv-clock"
        case noPVClockUnnamed = "no-pv-clock-unnamed"
    }

    static let paravirtualClocks: Set<String> = ["kvm-clock", "xen", "hyperv_clocksource_tsc_page", "hyperv_clocksource_msr", "arch_sys_counter", "timebase", "tod", "riscv_clocksource"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine else { return .skip(.notAVM) }
        let source = try context.fact(Facts.clocksource).value
        var variables = ["current": source.current]
        if let name = report.hypervisorName { variables["hypervisor"] = name }
        let named = report.hypervisorName != nil
        var evidence = [Evidence(source: "/sys/devices/system/clocksource/clocksource0/current_clocksource", value: source.current),
                        Evidence(source: "/sys/devices/system/clocksource/clocksource0/available_clocksource", value: source.available.joined(separator: " "))]
        if paravirtualClocks.contains(source.current) {
            return .pass(named ? .paravirtual : .paravirtualUnnamed, variables, evidence: evidence)
        }
        if source.current == "tsc" {
            // A stable, invariant TSC is fine (VMware recommends it); an unstable one is what the watchdog catches.
            let cpu = context.optionalFact(Facts.cpuInfo)?.value
            let invariant = cpu.map { $0.hasEverywhere("constant_tsc") && $0.hasEverywhere("nonstop_tsc") } ?? false
            let unstable = context.optionalFact(Facts.kernelLog)?.value.contains("tsc unstable") ?? []
            if let line = unstable.first { evidence.append(Evidence(source: "kernel log", value: line)) }
            if invariant && unstable.isEmpty {
                return .pass(.invariantTSC, variables, evidence: evidence)
            }
        }
        let better = source.available.first(where: paravirtualClocks.contains)
        // The remediation commands switch to {clocksource}; kvm-clock is what they name when none is offered.
        variables["clocksource"] = better ?? "kvm-clock"
        if better != nil {
            return .warn(named ? .switchClock : .switchClockUnnamed, variables, evidence: evidence)
        }
        return .warn(named ? .noPVClock : .noPVClockUnnamed, variables, evidence: evidence)
    }
}
