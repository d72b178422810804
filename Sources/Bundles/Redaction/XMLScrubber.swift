/// XML (libvirt domain, network and secret definitions, oVirt files) read as a token stream, so every
/// attribute quoting and spacing is understood (`passwd = 'x'`, `passwd="a'b"`), and the file's other bytes
/// are left exactly as they were for the checks that parse it.
///
/// Masked: values of secret-looking attributes; the text of secret-looking elements (`<secret>`, `<password>`);
/// the `value` of an element whose `name` says it is a secret (`<qemu:env name='DB_PASSWORD' value='...'/>`);
/// secret settings inside attribute values and text (`<qemu:arg value='-spice password=...'/>`); and all of
/// that inside comments, where a setting may have been commented out.
enum XMLScrubber {
    static func scrub(_ text: [UInt8], depth: Int = 0) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var secretElements: [Bool] = []
        var index = 0
        func starts(_ literal: String, at position: Int) -> Bool { text[position...].starts(with: Array(literal.utf8)) }
        func find(_ literal: String, from position: Int) -> Int? { text[position...].firstRange(of: Array(literal.utf8))?.lowerBound }

        while index < text.count {
            guard text[index] == UInt8(ascii: "<") else {
                var end = index
                while end < text.count, text[end] != UInt8(ascii: "<") { end += 1 }
                output += scrubText(text[index..<end], secret: secretElements.last ?? false)
                index = end
                continue
            }
            if starts("<!--", at: index) {
                let end = find("-->", from: index + 4) ?? text.count
                output += Array("<!--".utf8)
                // A commented-out element or setting is scrubbed as if it were live.
                let inner = Array(text[(index + 4)..<end])
                output += depth < 4 ? scrub(inner, depth: depth + 1) : TextScrubbers.maskInlineSettings(inner)
                if end < text.count { output += Array("-->".utf8) }
                index = min(end + 3, text.count)
            } else if starts("<![CDATA[", at: index) {
                let end = find("]]>", from: index + 9) ?? text.count
                output += Array("<![CDATA[".utf8)
                output += scrubText(text[(index + 9)..<end], secret: secretElements.last ?? false)
                if end < text.count { output += Array("]]>".utf8) }
                index = min(end + 3, text.count)
            } else if starts("<?", at: index) || starts("<!", at: index) {
                let end = find(">", from: index) ?? (text.count - 1)
                output += TextScrubbers.maskInlineSettings(Array(text[index...end]))
                index = end + 1
            } else if starts("</", at: index) {
                let end = find(">", from: index) ?? (text.count - 1)
                output += text[index...end]
                if !secretElements.isEmpty { secretElements.removeLast() }
                index = end + 1
            } else {
                let (tag, end, selfClosing, secret) = scrubStartTag(text, from: index)
                output += tag
                if !selfClosing { secretElements.append(secret) }
                index = end
            }
        }
        return output
    }

    private static func scrubText(_ text: ArraySlice<UInt8>, secret: Bool) -> [UInt8] {
        guard secret else { return TextScrubbers.maskInlineSettings(Array(text)) }
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return Array(text)
        }
        return Array(text[..<first]) + Redaction.mask + Array(text[(last + 1)...])
    }

    private struct Attribute {
        var name: ArraySlice<UInt8>
        var valueRange: Range<Int>?
    }

    /// One start tag `<name attr='v' ...>` from `start`: its scrubbed bytes, where it ends, whether it closes
    /// itself, and whether its text is a secret.
    private static func scrubStartTag(_ text: [UInt8], from start: Int) -> ([UInt8], Int, Bool, Bool) {
        var cursor = start + 1
        while cursor < text.count, !text[cursor].isWhitespace, text[cursor] != UInt8(ascii: ">"), text[cursor] != UInt8(ascii: "/") { cursor += 1 }
        let name = text[(start + 1)..<cursor]
        let localName = name.split(separator: UInt8(ascii: ":")).last ?? name[...]
        var attributes: [Attribute] = []
        var selfClosing = false
        var end = text.count
        while cursor < text.count {
            while cursor < text.count, text[cursor].isWhitespace { cursor += 1 }
            guard cursor < text.count else { break }
            if text[cursor] == UInt8(ascii: ">") { end = cursor + 1; break }
            if text[cursor] == UInt8(ascii: "/") {
                if cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: ">") { selfClosing = true; end = cursor + 2; break }
                cursor += 1
                continue
            }
            let nameStart = cursor
            while cursor < text.count, !text[cursor].isWhitespace, text[cursor] != UInt8(ascii: "="), text[cursor] != UInt8(ascii: ">"),
                  text[cursor] != UInt8(ascii: "/") { cursor += 1 }
            var attribute = Attribute(name: text[nameStart..<cursor], valueRange: nil)
            var look = cursor
            while look < text.count, text[look].isWhitespace { look += 1 }
            if look < text.count, text[look] == UInt8(ascii: "=") {
                look += 1
                while look < text.count, text[look].isWhitespace { look += 1 }
                if look < text.count, text[look] == UInt8(ascii: "'") || text[look] == UInt8(ascii: "\"") {
                    let quote = text[look]
                    var close = look + 1
                    while close < text.count, text[close] != quote { close += 1 }
                    attribute.valueRange = (look + 1)..<close
                    cursor = min(close + 1, text.count)
                } else {
                    var close = look
                    while close < text.count, !text[close].isWhitespace, text[close] != UInt8(ascii: ">") { close += 1 }
                    attribute.valueRange = look..<close
                    cursor = close
                }
            }
            if cursor == nameStart { cursor += 1 }
            attributes.append(attribute)
        }
        // <qemu:env name='PASSWORD' value='...'/>, <entry key='token'>...</entry>: the name is in an attribute.
        let namedSecret = attributes.contains { attribute in
            guard ["name", "key", "id"].contains(String(decoding: attribute.name, as: UTF8.self).lowercased()),
                  let range = attribute.valueRange else { return false }
            return SecretNames.classify(text[range]) == .secret
        }
        var output: [UInt8] = []
        var position = start
        for attribute in attributes {
            guard let range = attribute.valueRange else { continue }
            output += text[position..<range.lowerBound]
            let value = text[range]
            let kind = SecretNames.classify(attribute.name)
            let isValueOfNamedSecret = namedSecret && String(decoding: attribute.name, as: UTF8.self).lowercased() == "value"
            if SecretNames.mustMask(kind, value: value) || (isValueOfNamedSecret && !value.isEmpty) {
                output += Redaction.mask
            } else {
                output += TextScrubbers.maskInlineSettings(Array(value))
            }
            position = range.upperBound
        }
        output += text[position..<min(end, text.count)]
        let secretElement = SecretNames.classify(localName) == .secret || namedSecret
        return (output, min(end, text.count), selfClosing, secretElement)
    }
}
