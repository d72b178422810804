import DoctorCore

/// An error message some software prints, what causes it, and the checks that explain it. The catalog holds
/// them in each check's `messages:`; a message several checks list is one entry naming all of them, so
/// `explain "<pasted error>"` and the log scan of `analyze` cover --checks-dir checks too.
public struct KnownMessage: Sendable, Equatable {
    /// Lower-case fragment matched against log lines or pasted text.
    public var text: String
    public var cause: String
    public var checks: [String]
    /// Match only where the line also names a file ("permission denied" alone is everywhere).
    public var onlyWithPath: Bool
}

extension Catalog {
    /// Every message of every check, in catalog order. A message several checks list names them most severe
    /// first (the likeliest explanation leads), and its cause is that check's.
    public var knownMessages: [KnownMessage] {
        let ranked = checks.enumerated().sorted { left, right in
            let a = left.element.severity.defaultSeverity, b = right.element.severity.defaultSeverity
            return a != b ? a > b : left.offset < right.offset
        }.map(\.element)
        let position = Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($1.id, $0) })
        var messages: [KnownMessage] = []
        var index: [String: Int] = [:]
        for check in checks {
            for message in check.messages {
                let text = message.text.lowercased()
                if let position = index[text] {
                    if !messages[position].checks.contains(check.id) { messages[position].checks.append(check.id) }
                } else {
                    index[text] = messages.count
                    messages.append(KnownMessage(text: text, cause: message.cause, checks: [check.id], onlyWithPath: message.onlyWithPath ?? false))
                }
            }
        }
        for index in messages.indices {
            messages[index].checks.sort { position[$0, default: .max] < position[$1, default: .max] }
            if let lead = messages[index].checks.first, let check = check(id: lead),
               let own = check.messages.first(where: { $0.text.lowercased() == messages[index].text }) {
                messages[index].cause = own.cause
            }
        }
        return messages
    }

    /// The most specific known messages in a text (a longer message beats a shorter one it contains).
    public func knownMessages(in text: String) -> [KnownMessage] {
        let lower = text.lowercased()
        let found = knownMessages.filter { lower.contains($0.text) && (!$0.onlyWithPath || lower.contains("/")) }
        return found.filter { candidate in !found.contains { $0.text != candidate.text && $0.text.contains(candidate.text) } }
    }
}
