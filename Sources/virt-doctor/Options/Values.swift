import ArgumentParser
import Foundation
import HostFacts
import Reporting

extension ReportFormat: ExpressibleByArgument {}

/// Ranges of the numeric options. Numbers from the command line are checked before use: Swift stops the
/// process on an overflowing product or conversion, and a NaN or endless timeout would wait forever on a
/// hung daemon.
enum OptionLimits {
    /// --timeout and --libvirt-timeout: one hour is far beyond any answer worth waiting for.
    static let maximumSeconds = 3600
    /// --cert-warn-days: 100 years.
    static let maximumWarningDays = 36_500
    /// --since: ten years of logs.
    static let maximumSince: TimeInterval = 10 * 365 * 86_400
    /// --max-size: 64G; the bundle is assembled in memory.
    static let maximumSize = 64 << 30

    static func checkSeconds(_ value: Double, option: String) throws {
        guard value.isFinite, value > 0, value <= Double(maximumSeconds) else {
            throw ValidationError("\(option) must be a number of seconds more than 0 and at most \(maximumSeconds)")
        }
    }
}

/// `--now`: an RFC 3339 instant or a plain date.
func parseInstant(_ text: String) throws -> Date {
    let strategies: [Date.ISO8601FormatStyle] = [
        .iso8601,
        Date.ISO8601FormatStyle(includingFractionalSeconds: true),
        Date.ISO8601FormatStyle().year().month().day(),
    ]
    for strategy in strategies {
        if let date = try? Date(text, strategy: strategy) { return date }
    }
    throw ValidationError("--now expects an RFC 3339 instant such as 2026-11-23T00:00:00Z, or a date such as 2027-03-01")
}

/// Parses 48h, 7d, 30m, 3600 (seconds): a finite, non-negative duration of at most ten years, else nil.
func parseDuration(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    var number = Substring(text)
    var unit = 1.0
    if let last = text.last, let scale = units[last] {
        number = number.dropLast()
        unit = scale
    }
    // Double() also reads "nan", "inf" and hexadecimal forms; only plain decimals are durations.
    guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number) else { return nil }
    let seconds = value * unit
    guard seconds.isFinite, seconds >= 0, seconds <= OptionLimits.maximumSince else { return nil }
    return seconds
}

/// Parses 200M, 1G, 512K, or bytes: at least 1 byte and at most 64G, else nil.
func parseSize(_ text: String) -> Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    var number = Substring(text)
    var unit = 1
    if let last = text.uppercased().last, let scale = units[last] {
        number = number.dropLast()
        unit = scale
    }
    guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(number),
          let bytes = CheckedNumbers.product(value, unit), (1...OptionLimits.maximumSize).contains(bytes) else { return nil }
    return bytes
}

/// Writes to --output or standard output; colour only for a terminal without NO_COLOR.
struct OutputTarget {
    var path: String?

    var wantsColor: Bool {
        path == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    func write(_ text: String) throws {
        guard let path else {
            Print.text(text)
            return
        }
        // One writer for every file the tool produces: private from the start, never through a link,
        // never over a device or FIFO (see OutputFile).
        do {
            try OutputFile.write(text, to: path)
        } catch {
            throw ToolFailure(error.description)
        }
    }
}
