import DoctorCore
import Foundation
import HostFacts

/// time.clock-rollback: a node whose clock was set back (to get past expired certificates) and not put
/// forward again. The audit log's own record times show it without trusting the clock being judged.
enum TimeClockRollback: CheckEvaluator {
    static let id = "time.clock-rollback"

    enum Condition: String, CaseIterable {
        /// More than a day behind: `days`, `newest`, `since`.
        case behindDays = "behind-days"
        /// Behind by more than the tolerance, less than a day: `hours`, `newest`.
        case behind
        /// The clock was set back and put forward again since: `days`, `at`.
        case restored
        /// Records stamped later than the clock, but a time service keeps the clock synchronised now: the
        /// clock ran ahead and was corrected: `hours`.
        case corrected
        /// No sign of a set-back clock, but no time service runs on the node.
        case serviceStopped = "service-stopped"
        /// No sign of a set-back clock, a time service runs but the kernel says the clock is not synchronised.
        case unsynchronized
        /// Nothing points at a clock set back.
        case consistent
        /// Neither the audit log nor the time services could be read.
        case noEvidence = "no-evidence"
    }

    /// Steps back smaller than this are ordinary corrections by a time service.
    static let tolerance = 600
    static let day = 86_400

    static func stamp(_ seconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
    }

    static func days(_ seconds: Int) -> String { String(format: "%.1f", Double(seconds) / Double(day)) }
    static func hours(_ seconds: Int) -> String { String(format: "%.1f", Double(seconds) / 3600) }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        var evidence: [Evidence] = []
        let history = context.optionalFact(Facts.clockHistory)?.value
        let sync = context.optionalFact(Facts.timeSync)?.value
        let now = CheckedNumbers.clampedInteger(context.now.timeIntervalSince1970)
        var behind = 0
        var newest: Int?
        if let history {
            if let latest = history.newest, let last = history.last {
                evidence.append(Evidence(source: history.source, value: "\(history.records) records; newest stamp \(stamp(latest)), last record \(stamp(last))"))
                newest = latest
                behind = max(behind, history.lagAtEnd, latest - now)
            } else {
                evidence.append(Evidence(source: history.source, value: "no record with a readable time"))
            }
            if history.largestStepBack > tolerance, let from = history.stepBackFrom, let to = history.stepBackTo {
                evidence.append(Evidence(source: history.source, value: "clock stepped back from \(stamp(from)) to \(stamp(to))"))
            }
            if let written = history.newestLogWrite, let path = history.newestLogWritePath, written - now > tolerance {
                evidence.append(Evidence(source: path, value: "modified \(stamp(written)), after the clock's current time \(stamp(now))"))
                if written - now > behind { behind = written - now; newest = written }
            }
        }
        if let sync {
            evidence.append(Evidence(source: sync.runningSource ?? "/proc/*/comm", value: sync.running.isEmpty ? "no time service running" : "running: " + sync.running.joined(separator: ", ")))
            if let synchronized = sync.kernelSynchronized {
                evidence.append(Evidence(source: sync.synchronizedSource ?? "kernel", value: synchronized ? "clock synchronised" : "clock not synchronised"))
            }
        }
        // A running time service with the kernel's clock synchronised is the reference: the earlier stamps came
        // from a clock that ran ahead (a wrong RTC at boot) and was stepped back by the service.
        let trusted = sync.map { !$0.running.isEmpty && $0.kernelSynchronized == true } ?? false
        if behind > tolerance, newest != nil, trusted {
            return .pass(.corrected, ["hours": hours(behind)], evidence: evidence)
        }
        if behind > tolerance, let newest {
            if behind > day {
                return .fail(.behindDays, ["days": days(behind), "newest": stamp(newest)], evidence: evidence)
            }
            return .warn(.behind, ["hours": hours(behind), "newest": stamp(newest)], evidence: evidence)
        }
        guard history != nil || sync != nil else {
            // Neither could be read: the time services' own error is the clearer answer.
            _ = try context.fact(Facts.timeSync)
            return .skip(.noEvidence)
        }
        let stopped = sync.map { $0.running.isEmpty && $0.processesUnknown != true } ?? false
        if stopped && context.profile == .ovirtNode {
            return .warn(.serviceStopped, evidence: evidence)
        }
        if sync?.running.isEmpty == false && sync?.kernelSynchronized == false {
            return .warn(.unsynchronized, listVariables("services", sync?.running ?? []), evidence: evidence)
        }
        if let history, history.largestStepBack > tolerance, let to = history.stepBackTo {
            return .pass(.restored, ["days": days(history.largestStepBack), "at": stamp(to)], evidence: evidence)
        }
        return .pass(.consistent, evidence: evidence)
    }
}
