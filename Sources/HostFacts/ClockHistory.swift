import DoctorCore
import Foundation

/// What the audit log says about the clock's past: every record carries the time it was written
/// (`msg=audit(1795000000.123:4567)`), and the records are written in order. A record stamped earlier than
/// one written before it means the clock was set back; when the log's last record still lies behind the
/// newest stamp, the clock had not been put forward again when the log ends. This does not rely on the
/// clock of the machine that reads it, which is the clock in question.
///
///     type=SERVICE_STOP msg=audit(1794999000.112:9120): pid=1 uid=0 ... msg='unit=chronyd comm="systemd" ...'
///     type=SYSCALL msg=audit(1672574400.004:9121): arch=c000003e syscall=227 ... comm="timedatectl"
public struct ClockHistory: Codable, Sendable, Equatable {
    /// Records whose stamp could be read.
    public var records: Int
    /// The latest stamp seen anywhere in the log (seconds since 1970).
    public var newest: Int?
    /// The stamp of the log's last record.
    public var last: Int?
    /// The largest step back between consecutive records, in seconds (0 when the stamps never go back).
    public var largestStepBack: Int
    /// The stamp just before and just after that step.
    public var stepBackFrom: Int?
    public var stepBackTo: Int?
    /// Live hosts only: the latest modification time of a file directly under /var/log, and its path.
    /// (A copy's modification times are those of the copy, so they are not used.)
    public var newestLogWrite: Int?
    public var newestLogWritePath: String?
    public var source: String

    /// How far the last record lies behind the newest one: the clock's lag when the log ends.
    public var lagAtEnd: Int {
        guard let newest, let last else { return 0 }
        return max(0, newest - last)
    }

    /// Stamps outside 1990...2100 are junk, not times.
    static let plausibleSeconds = 631_152_000...4_102_444_800
    /// The most records looked at; a 4 MiB tail holds far fewer.
    static let maximumRecords = 200_000

    /// Reads the stamps of an audit log. Total: any text gives a history (possibly with no records).
    public static func parseAudit(_ text: String, source: String = "/var/log/audit/audit.log") -> ClockHistory {
        var history = ClockHistory(records: 0, newest: nil, last: nil, largestStepBack: 0, source: source)
        var previous: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard history.records < maximumRecords else { break }
            guard let marker = line.range(of: "audit(") else { continue }
            let digits = line[marker.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 12,
                  let seconds = CheckedNumbers.integer(digits, in: plausibleSeconds) else { continue }
            history.records += 1
            if let before = previous, before - seconds > history.largestStepBack {
                history.largestStepBack = before - seconds
                history.stepBackFrom = before
                history.stepBackTo = seconds
            }
            history.newest = max(history.newest ?? seconds, seconds)
            history.last = seconds
            previous = seconds
        }
        return history
    }

    static let auditLog = "/var/log/audit/audit.log"
    static let tailBytes = 4 << 20

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<ClockHistory> {
        var bytes = try root.readTail(auditLog, maxBytes: tailBytes)
        // A tail that starts inside a line: drop that partial line.
        if bytes.count >= tailBytes, let newline = bytes.firstIndex(of: 10) { bytes = Array(bytes[(newline + 1)...]) }
        var history = parseAudit(String(decoding: bytes, as: UTF8.self), source: auditLog)
        var sources = [auditLog]
        if root.isLive, let names = try? root.list("/var/log") {
            for name in names.prefix(10_000) {
                let path = "/var/log/" + name
                guard let date = root.modificationDate(path),
                      let seconds = CheckedNumbers.integer(date.timeIntervalSince1970), plausibleSeconds.contains(seconds) else { continue }
                if seconds > (history.newestLogWrite ?? Int.min) {
                    history.newestLogWrite = seconds
                    history.newestLogWritePath = path
                }
            }
            sources.append("/var/log (modification times)")
        }
        return Sourced(history, sources: sources)
    }
}

extension Facts {
    public static let clockHistory = FactKey<ClockHistory>("time.clock-history", "Audit log record times: the clock set back and not restored") { store throws(FactError) in
        try ClockHistory.read(store.root)
    }
}
