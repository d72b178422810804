import CheckEngine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The known-error scan of collected logs, linear in their size: lines are found with memchr, only the
/// first `maximumLineBytes` of a line are matched (a log of NULs is one huge line), lower-casing happens per
/// line into a fixed buffer (never a copy of the whole file), and the scan stops for good at `maximumMatches`.
struct LogScan {
    /// Real log lines are under 1 KiB; a known message sits near a line's start.
    static let maximumLineBytes = 4096
    static let maximumMatches = 500
    /// How much of a matched line the report quotes.
    static let quotedBytes = 400

    private(set) var matches: [LogMatch] = []
    private var longLines = 0
    private var stopped = false
    private var buffer = [UInt8](repeating: 0, count: maximumLineBytes)

    /// The catalog's known messages, their texts as bytes, and for each the messages that contain it (a
    /// longer, more specific message wins).
    private let known: [KnownMessage]
    private let fragments: [[UInt8]]
    private let containedIn: [[Int]]

    init(messages: [KnownMessage]) {
        known = messages
        fragments = messages.map { Array($0.text.utf8) }
        containedIn = messages.indices.map { index in
            messages.indices.filter { other in
                other != index && messages[other].text != messages[index].text && messages[other].text.contains(messages[index].text)
            }
        }
    }

    var notes: [String] {
        var notes: [String] = []
        if stopped {
            notes.append("The log scan stopped at \(Self.maximumMatches) known-error matches; later lines were not scanned.")
        }
        if longLines > 0 {
            notes.append("\(longLines) log line(s) longer than \(Self.maximumLineBytes) bytes were matched on their first \(Self.maximumLineBytes) bytes only.")
        }
        return notes
    }

    /// Scans one file; false once the match limit is reached (the caller stops).
    mutating func scan(_ bytes: [UInt8], file: String) -> Bool {
        guard !stopped else { return false }
        bytes.withUnsafeBufferPointer { text in
            guard let base = text.baseAddress else { return }
            var start = 0
            while start < text.count, !stopped {
                let rest = text.count - start
                let end: Int
                if let newline = memchr(base + start, 0x0A, rest) {
                    end = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                } else {
                    end = text.count
                }
                scanLine(UnsafeBufferPointer(rebasing: text[start..<end]), file: file)
                start = end + 1
            }
        }
        return !stopped
    }

    /// Whether `needle` occurs in `text`: memchr to each candidate first byte, then memcmp. The fragments
    /// do not repeat their first byte early, so this stays linear in practice; lines are bounded anyway.
    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= text.count, let base = text.baseAddress, let needleBase = needle.baseAddress else { return false }
        let lastStart = text.count - needle.count
        var start = 0
        while start <= lastStart {
            guard let found = memchr(base + start, Int32(first), lastStart - start + 1) else { return false }
            let position = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, needleBase, needle.count) == 0 { return true }
            start = position + 1
        }
        return false
    }

    private mutating func scanLine(_ line: UnsafeBufferPointer<UInt8>, file: String) {
        guard !line.isEmpty else { return }
        let considered = min(line.count, Self.maximumLineBytes)
        if line.count > Self.maximumLineBytes { longLines += 1 }
        var found: [Int] = []
        buffer.withUnsafeMutableBufferPointer { lower in
            for index in 0..<considered {
                let byte = line[index]
                lower[index] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            }
            for (index, fragment) in fragments.enumerated() {
                let hit = fragment.withUnsafeBufferPointer { needle in
                    Self.contains(UnsafeBufferPointer(rebasing: lower[0..<considered]), needle)
                }
                if hit { found.append(index) }
            }
        }
        guard !found.isEmpty else { return }
        let kept = found.filter { index in !containedIn[index].contains { found.contains($0) } }
        for index in kept {
            // "permission denied" alone is everywhere; only a line naming a path says which file was refused.
            if known[index].onlyWithPath, !line.prefix(considered).contains(0x2F) { continue }
            var quoted = Array(line.prefix(Self.quotedBytes))
            if quoted.last == 0x0D { quoted.removeLast() }
            let message = known[index]
            matches.append(LogMatch(file: file, line: String(decoding: quoted, as: UTF8.self), cause: message.cause, checks: message.checks))
            if matches.count >= Self.maximumMatches {
                stopped = true
                return
            }
        }
    }
}
