import DoctorCore

/// Shared sanity checks every parser runs first, so junk in /proc becomes a clear error, not a wrong answer.
enum TextChecks {
    /// Rejects empty input and input that is binary rather than text (NUL bytes, or mostly replacement
    /// characters left by invalid UTF-8).
    static func requireText(_ text: String, source: String) throws(FactError) {
        if text.allSatisfy(\.isWhitespace) {
            throw .unparsable(source: source, detail: "the file is empty")
        }
        var scalars = 0, suspicious = 0
        for scalar in text.unicodeScalars {
            scalars += 1
            if scalar == "\u{0}" { throw .unparsable(source: source, detail: "binary data (NUL bytes) where text was expected") }
            if scalar == "\u{FFFD}" || (scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r") {
                suspicious += 1
            }
        }
        if suspicious * 20 > scalars {
            throw .unparsable(source: source, detail: "binary data where text was expected")
        }
    }

    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    /// Splits `key: value` or `key = value` at the first separator.
    static func splitKeyValue<S: StringProtocol>(_ line: S, separator: Character) -> (String, String)? {
        guard let index = line.firstIndex(of: separator) else { return nil }
        return (trimmed(line[..<index]), trimmed(line[line.index(after: index)...]))
    }

    /// Removes one layer of matching single or double quotes.
    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" else {
            return value
        }
        return String(value.dropFirst().dropLast())
    }
}
