import Foundation
import HostFacts

/// Scrubbers that work on any text, byte by byte. Only ASCII bytes are ever cut at, so valid UTF-8 stays
/// valid. Each returns its input unchanged when there is nothing to do.
enum TextScrubbers {
    // MARK: Key material by content

    /// Whether the text is a PuTTY key file (or holds one): its public half cannot be separated safely.
    static func containsPuTTYKey(_ text: [UInt8]) -> Bool {
        text.firstRange(of: Array("PuTTY-User-Key-File-".utf8)) != nil
    }

    /// Removes every `-----BEGIN ... PRIVATE ...-----` block up to its END line, wherever it starts (indented,
    /// inside a JSON string with `\n` escapes, after a prefix): RSA, EC, DSA, PKCS#8 (plain and ENCRYPTED),
    /// OPENSSH, PGP PRIVATE KEY BLOCK, SSH2 ENCRYPTED PRIVATE KEY. A block without an END removes everything after
    /// it: a truncated key is still a key.
    static func removePEMPrivateKeys(_ text: [UInt8]) -> [UInt8] {
        let begin = Array("BEGIN ".utf8)
        var output: [UInt8] = []
        var position = 0
        var searchFrom = 0
        while let found = text[searchFrom...].firstRange(of: begin) {
            var dashStart = found.lowerBound
            while dashStart > position, text[dashStart - 1] == 0x20 || text[dashStart - 1] == UInt8(ascii: "-") { dashStart -= 1 }
            let dashes = text[dashStart..<found.lowerBound].filter { $0 == UInt8(ascii: "-") }.count
            let label = labelAfter(text, found.upperBound)
            guard dashes >= 3, label.contains("PRIVATE") else {
                searchFrom = found.upperBound
                continue
            }
            output += text[position..<dashStart]
            output += Redaction.keyRemoved
            position = endOfBlock(text, from: found.upperBound) ?? text.count
            searchFrom = position
            if position >= text.count { break }
        }
        if position == 0 { return text }
        output += text[min(position, text.count)...]
        return output
    }

    private static func labelAfter(_ text: [UInt8], _ start: Int) -> String {
        var end = start
        while end < text.count, end - start < 64, text[end] != UInt8(ascii: "-"), !text[end].isLineEnd { end += 1 }
        return String(decoding: text[start..<end], as: UTF8.self)
    }

    /// Just past the dashes closing the `END ... PRIVATE ...` line that ends the block starting at `start`.
    private static func endOfBlock(_ text: [UInt8], from start: Int) -> Int? {
        let end = Array("END ".utf8)
        var searchFrom = start
        while let found = text[searchFrom...].firstRange(of: end) {
            let label = labelAfter(text, found.upperBound)
            let before = found.lowerBound > 0 ? text[found.lowerBound - 1] : 0
            if label.contains("PRIVATE"), before == UInt8(ascii: "-") || before == 0x20 {
                var index = found.upperBound + label.utf8.count
                while index < text.count, text[index] == UInt8(ascii: "-") || text[index] == 0x20 { index += 1 }
                return index
            }
            searchFrom = found.upperBound
        }
        return nil
    }

    /// Long base64 runs that decode to a DER private key (a key pasted without its PEM lines).
    static func removeBase64PrivateKeys(_ text: [UInt8]) -> [UInt8] {
        func isBase64(_ byte: UInt8) -> Bool { byte.isASCIIAlphanumeric || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") }
        var output: [UInt8] = []
        var position = 0
        var index = 0
        while index < text.count {
            guard isBase64(text[index]) else { index += 1; continue }
            var end = index
            while end < text.count, isBase64(text[end]) { end += 1 }
            // Padding only at the end: in `blob=MIIE...` the `=` ends the name, not a run.
            var padding = 0
            while end < text.count, padding < 2, text[end] == UInt8(ascii: "=") { end += 1; padding += 1 }
            if end - index >= 60, end - index <= 1 << 16,
               let decoded = Data(base64Encoded: Data(text[index..<end])), KeyMaterial.isPrivateKeyDER(Array(decoded)) {
                output += text[position..<index]
                output += Redaction.keyRemoved
                position = end
            }
            index = end
        }
        if position == 0 { return text }
        output += text[position...]
        return output
    }

    // MARK: Credentials in URIs and qemu option lists

    /// `scheme://user:password@host` becomes `scheme://user:(redacted)@host`, in any text (also with the
    /// slashes JSON-escaped as `:\/\/`).
    static func maskURICredentials(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        var index = 0
        let separators = [Array("://".utf8), Array(#":\/\/"#.utf8)]
        while index < text.count {
            guard text[index] == UInt8(ascii: ":"), let separator = separators.first(where: { text[index...].starts(with: $0) }) else {
                index += 1
                continue
            }
            let authorityStart = index + separator.count
            var authorityEnd = authorityStart
            while authorityEnd < text.count {
                let byte = text[authorityEnd]
                if byte.isWhitespace || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
                    || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                    || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "`") { break }
                authorityEnd += 1
            }
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")),
               let colon = text[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at,
               !text[(colon + 1)..<at].elementsEqual(Redaction.mask) {
                output += text[position...colon]
                output += Redaction.mask
                position = at
            }
            index = max(authorityEnd, index + 1)
        }
        if position == 0 { return text }
        output += text[position...]
        return output
    }

    /// qemu's `-object secret,id=sec0,data=...` (in a command line, a log, or a `<qemu:arg>`): the data is the
    /// secret itself. And the JSON form `{"qom-type":"secret",...,"data":"..."}` on one line.
    static func maskQemuSecretObjects(_ text: [UInt8]) -> [UInt8] {
        var result = text
        let marker = Array("secret,".utf8)
        let data = Array("data=".utf8)
        var searchFrom = 0
        while let found = result[searchFrom...].firstRange(of: marker) {
            var end = found.upperBound
            while end < result.count, !result[end].isWhitespace, result[end] != UInt8(ascii: "'"), result[end] != UInt8(ascii: "\""),
                  result[end] != UInt8(ascii: "<"), result[end] != UInt8(ascii: "\\") { end += 1 }
            var cursor = found.upperBound
            var replaced: [UInt8] = Array(result[found.lowerBound..<found.upperBound])
            // Walk the comma-separated options; only data= values change.
            while cursor < end {
                var itemEnd = cursor
                while itemEnd < end, result[itemEnd] != UInt8(ascii: ",") { itemEnd += 1 }
                let item = result[cursor..<itemEnd]
                if item.starts(with: data), item.count > data.count {
                    replaced += data + Redaction.mask
                } else {
                    replaced += item
                }
                if itemEnd < end { replaced.append(UInt8(ascii: ",")) }
                cursor = itemEnd + 1
            }
            result.replaceSubrange(found.lowerBound..<end, with: replaced)
            searchFrom = found.lowerBound + replaced.count
            if searchFrom >= result.count { break }
        }
        return maskQOMSecretData(result)
    }

    private static func maskQOMSecretData(_ text: [UInt8]) -> [UInt8] {
        guard text.firstRange(of: Array("qom-type".utf8)) != nil else { return text }
        var lines: [[UInt8]] = []
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if line.firstRange(of: Array("qom-type".utf8)) != nil, line.firstRange(of: Array("\"secret\"".utf8)) != nil {
                lines.append(JSONScrubber.scrub(Array(line), extraSecretKeys: ["data"], maskNumbers: true))
            } else {
                lines.append(Array(line))
            }
        }
        return Array(lines.joined(separator: [0x0A]))
    }

    // MARK: name=value anywhere in free text

    private static let quoteSequences: [[UInt8]] = ["\\\"", "\\'", "&quot;", "&#34;", "&#39;", "&apos;", "\"", "'"].map { Array($0.utf8) }

    static func isNameByte(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// Masks the value of every secret-looking `name=value`, `name: value`, `name = "value"`, `"name": "value"`
    /// and `--name value` in free text (log lines, XML text, JSON strings, the tail of configuration lines).
    static func maskInlineSettings(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            let startsName = (byte.isASCIILetter || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-"))
                && (index == 0 || !isNameByte(text[index - 1]))
            guard startsName else {
                output.append(byte)
                index += 1
                continue
            }
            var nameEnd = index
            while nameEnd < text.count, isNameByte(text[nameEnd]) { nameEnd += 1 }
            let kind = SecretNames.classify(text[index..<nameEnd])
            if case .none = kind {
                output += text[index..<nameEnd]
                index = nameEnd
                continue
            }
            let isFlag = byte == UInt8(ascii: "-")
            if let value = valueAfterName(text, nameEnd, allowSpaceSeparator: isFlag),
               SecretNames.mustMask(kind, value: text[value.innerStart..<value.innerEnd]) {
                output += text[index..<value.innerStart]
                output += Redaction.mask
                index = value.innerEnd
            } else {
                output += text[index..<nameEnd]
                index = nameEnd
            }
        }
        return output
    }

    struct ValueRange {
        var innerStart: Int
        var innerEnd: Int
    }

    /// The value after a name: a separator (`=`, `:`, or for `--flag` a space), then a quoted or bare value.
    static func valueAfterName(_ text: [UInt8], _ nameEnd: Int, allowSpaceSeparator: Bool) -> ValueRange? {
        var cursor = nameEnd
        // A name inside quotes: "password": ... or \"password\": ...
        if cursor < text.count, text[cursor] == UInt8(ascii: "\"") || text[cursor] == UInt8(ascii: "'") { cursor += 1 }
        else if cursor + 1 < text.count, text[cursor] == UInt8(ascii: "\\"), text[cursor + 1] == UInt8(ascii: "\"") { cursor += 2 }
        let afterName = cursor
        while cursor < text.count, text[cursor].isHorizontalSpace { cursor += 1 }
        guard cursor < text.count else { return nil }
        if text[cursor] == UInt8(ascii: "=") {
            cursor += 1
        } else if text[cursor] == UInt8(ascii: ":") {
            // `name://` is a URI scheme and `name::` a C++ or IPv6 token, not a setting.
            if cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: "/") || text[cursor + 1] == UInt8(ascii: ":") { return nil }
            cursor += 1
        } else if allowSpaceSeparator, cursor > afterName {
            // `--password value`
        } else {
            return nil
        }
        while cursor < text.count, text[cursor].isHorizontalSpace { cursor += 1 }
        guard cursor < text.count else { return nil }
        for quote in quoteSequences where text[cursor...].starts(with: quote) {
            let innerStart = cursor + quote.count
            var end = innerStart
            while end < text.count, !text[end].isLineEnd {
                if text[end...].starts(with: quote) {
                    // A plain quote preceded by a backslash is escaped, not the end.
                    if quote.count == 1, end > innerStart, text[end - 1] == UInt8(ascii: "\\") { end += 1; continue }
                    return ValueRange(innerStart: innerStart, innerEnd: end)
                }
                end += 1
            }
            return ValueRange(innerStart: innerStart, innerEnd: end)
        }
        var end = cursor
        while end < text.count {
            let byte = text[end]
            if byte.isWhitespace || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "&")
                || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { break }
            end += 1
        }
        return ValueRange(innerStart: cursor, innerEnd: end)
    }

    // MARK: Configuration lines

    /// key=value, INI, shell, YAML, engine-setup answer files (`OVESETUP_DB/password=str:...`), environment
    /// blocks (NUL-separated) and logs. A secret-looking key loses its whole value, to the end of the line,
    /// also when the setting is commented out; YAML block scalars (`key: |`) lose their indented lines.
    /// Other lines go through the inline scanner.
    static func scrubLines(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var lineStart = 0
        var blockIndent: Int?   // inside a secret YAML block scalar: lines indented deeper than this are masked
        while lineStart <= text.count {
            var lineEnd = lineStart
            while lineEnd < text.count, text[lineEnd] != 0x0A, text[lineEnd] != 0 { lineEnd += 1 }
            let line = Array(text[lineStart..<lineEnd])
            var indent = 0
            while indent < line.count, line[indent].isHorizontalSpace { indent += 1 }
            if let block = blockIndent {
                if indent > block || indent == line.count || line[indent] == 0x0D {
                    output += line[..<indent]
                    if indent < line.count, line[indent] != 0x0D { output += Redaction.mask }
                } else {
                    blockIndent = nil
                }
            }
            if blockIndent == nil {
                let (scrubbed, opensBlock) = scrubLine(line)
                output += scrubbed
                if opensBlock { blockIndent = indent }
            }
            if lineEnd < text.count { output.append(text[lineEnd]) }
            lineStart = lineEnd + 1
        }
        return output
    }

    static func scrubLine(_ line: [UInt8]) -> ([UInt8], Bool) {
        var cursor = 0
        var commented = false
        // Indentation, comment markers (a commented-out password is still a password), `export`, a YAML dash.
        while true {
            let before = cursor
            while cursor < line.count, line[cursor].isHorizontalSpace { cursor += 1 }
            while cursor < line.count, line[cursor] == UInt8(ascii: "#") || line[cursor] == UInt8(ascii: ";") || line[cursor] == UInt8(ascii: "!") {
                cursor += 1
                commented = true
            }
            if line[cursor...].starts(with: Array("//".utf8)) { cursor += 2; commented = true }
            if line[cursor...].starts(with: Array("export ".utf8)) { cursor += 7 }
            if line[cursor...].starts(with: Array("- ".utf8)) { cursor += 2 }
            if cursor == before { break }
        }
        if cursor < line.count, line[cursor] == UInt8(ascii: "\"") || line[cursor] == UInt8(ascii: "'") { cursor += 1 }
        let nameStart = cursor
        while cursor < line.count, isNameByte(line[cursor]) || line[cursor] == UInt8(ascii: "/") || line[cursor] == UInt8(ascii: "[")
                || line[cursor] == UInt8(ascii: "]") || line[cursor] == UInt8(ascii: "@") { cursor += 1 }
        let nameEnd = cursor
        guard nameEnd > nameStart else { return (maskInlineSettings(line), false) }
        let kind = SecretNames.classify(line[nameStart..<nameEnd])
        if case .none = kind { return (maskInlineSettings(line), false) }
        if cursor < line.count, line[cursor] == UInt8(ascii: "\"") || line[cursor] == UInt8(ascii: "'") { cursor += 1 }
        var separator = cursor
        while separator < line.count, line[separator].isHorizontalSpace { separator += 1 }
        var valueStart: Int
        if separator < line.count, line[separator] == UInt8(ascii: "=") || line[separator] == UInt8(ascii: ":") {
            if line[separator...].starts(with: Array("://".utf8)) { return (maskInlineSettings(line), false) }
            valueStart = separator + 1
        } else if case .secret = kind, !commented, separator > cursor, separator < line.count {
            // `password_pbkdf2 root grub.pbkdf2...` (GRUB) and other `name value` forms; not in comments, where
            // this is prose ("# storepass must be at least 6 characters") and a commented setting has its `=`.
            valueStart = separator
        } else {
            return (maskInlineSettings(line), false)
        }
        while valueStart < line.count, line[valueStart].isHorizontalSpace { valueStart += 1 }
        var valueEnd = line.count
        while valueEnd > valueStart, line[valueEnd - 1].isWhitespace { valueEnd -= 1 }
        var value = line[valueStart..<valueEnd]
        if ["|", ">", "|-", ">-", "|+", ">+"].contains(String(decoding: value, as: UTF8.self)) {
            return (line, true)
        }
        // Keep the quotes (and an engine-setup type prefix) so the file still parses the same way.
        var prefix: [UInt8] = []
        for type in ["str:", "none:"] where value.starts(with: Array(type.utf8)) {
            prefix = Array(type.utf8)
            value = value.dropFirst(type.utf8.count)
        }
        var quote: UInt8?
        if let first = value.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            quote = first
            value = value.dropFirst()
            if let last = value.last, last == first { value = value.dropLast() }
        }
        guard SecretNames.mustMask(kind, value: value) else { return (line, false) }
        var result = Array(line[..<valueStart]) + prefix
        // A bare value becomes a quoted one: "(redacted)" holds characters some formats do not allow bare.
        let quoteByte = quote ?? UInt8(ascii: "\"")
        result += [quoteByte] + Redaction.mask + [quoteByte]
        result += line[valueEnd...]
        return (result, false)
    }
}

extension SecretNames.Kind: Equatable {}
