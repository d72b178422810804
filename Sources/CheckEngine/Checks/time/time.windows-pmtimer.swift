import DoctorCore
import HostFacts

/// time.windows-pmtimer: Windows guests keep time from a timer that does not follow the host's TSC: the
/// ACPI PM timer for Windows XP/2003 (with /usepmtimer in boot.ini), the Hyper-V reference clock for later
/// releases. Judged from the guests' libvirt definitions on the host.
enum TimeWindowsPMTimer: CheckEvaluator {
    static let id = "time.windows-pmtimer"

    enum Condition: String, CaseIterable {
        case noWindows = "no-windows"
        /// XP/2003 guests whose definition removes the PM timer: `guests`, `count`.
        case pmtimerRemoved = "pmtimer-removed"
        /// Later Windows guests without the Hyper-V clock: `guests`, `count`.
        case noHypervclock = "no-hypervclock"
        /// Every Windows guest has its timer: `count`.
        case good
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let clocks = try context.fact(Facts.domainClocks).value
        let windows = clocks.guests.filter(\.isWindows)
        var evidence: [Evidence] = []
        for (path, reason) in clocks.unreadable.sorted(by: { $0.key < $1.key }).prefix(8) {
            evidence.append(Evidence(source: path, value: "unreadable: \(reason)"))
        }
        guard !windows.isEmpty else { return .skip(.noWindows, evidence: evidence) }
        var removed: [String] = []
        var noHyperv: [String] = []
        for guest in windows {
            let timers = guest.timers.map { timer in
                timer.name + (timer.present.map { $0 ? "=yes" : "=no" } ?? "") + (timer.tickpolicy.map { " (\($0))" } ?? "")
            }
            evidence.append(Evidence(source: guest.file,
                                     value: "\(guest.name): \(guest.osID ?? (guest.isLegacyWindows ? "Windows XP/2003 by name" : "Windows"))"
                                        + ", clock offset \(guest.clockOffset ?? "utc")"
                                        + ", timers: " + (timers.isEmpty ? "none" : timers.joined(separator: ", "))))
            if guest.isLegacyWindows {
                if guest.timer("pmtimer")?.present == false { removed.append(guest.name) }
            } else if guest.timer("hypervclock")?.present != true {
                noHyperv.append(guest.name)
            }
        }
        if !removed.isEmpty { return .warn(.pmtimerRemoved, listVariables("guests", removed), evidence: evidence) }
        if !noHyperv.isEmpty { return .warn(.noHypervclock, listVariables("guests", noHyperv), evidence: evidence) }
        return .pass(.good, ["count": String(windows.count)], evidence: evidence)
    }
}
