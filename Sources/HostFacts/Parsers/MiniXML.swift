import DoctorCore

/// A small, strict-enough XML reader for libvirt's own files (network, domain and status XML).
/// libvirt writes plain XML without namespaces or DTDs; this keeps the binary free of libxml2, and bad
/// input ends as an `unparsable` fact naming the byte offset, never a crash.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    public var text: String

    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// Every descendant with that name, depth first.
    public func descendants(_ name: String) -> [XMLElement] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }

    public static func parse(_ text: String, source: String) throws(FactError) -> XMLElement {
        try TextChecks.requireText(text, source: source)
        var parser = Parser(bytes: Array(text.utf8), source: source)
        return try parser.document()
    }
}

private struct Parser {
    let bytes: [UInt8]
    let source: String
    var position = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    func fail(_ detail: String) -> FactError {
        .unparsable(source: source, detail: "\(detail) at byte \(position)")
    }

    mutating func document() throws(FactError) -> XMLElement {
        try skipMisc()
        guard peek() == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element(depth: 0)
        try skipMisc()
        guard position >= bytes.count else { throw fail("content after the root element") }
        return root
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        return position + pattern.count <= bytes.count && Array(bytes[position..<position + pattern.count]) == pattern
    }

    mutating func skip(past terminator: String) throws(FactError) {
        while position < bytes.count {
            if starts(with: terminator) { position += terminator.utf8.count; return }
            position += 1
        }
        throw fail("unterminated '\(terminator)' construct")
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    /// Whitespace, comments, processing instructions and a DOCTYPE between elements.
    mutating func skipMisc() throws(FactError) {
        while true {
            skipWhitespace()
            if starts(with: "<?") { try skip(past: "?>") }
            else if starts(with: "<!--") { try skip(past: "-->") }
            else if starts(with: "<!DOCTYPE") { try skip(past: ">") }
            else { return }
        }
    }

    mutating func name() throws(FactError) -> String {
        let start = position
        while let byte = peek(), byte != 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D,
              byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/"), byte != UInt8(ascii: "=") {
            position += 1
        }
        guard position > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func element(depth: Int) throws(FactError) -> XMLElement {
        guard depth < 64 else { throw fail("elements nested deeper than 64") }
        position += 1  // "<"
        let elementName = try name()
        var attributes: [String: String] = [:]
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw fail("unterminated <\(elementName)> tag") }
            if byte == UInt8(ascii: "/") {
                guard peek(1) == UInt8(ascii: ">") else { throw fail("expected '/>'") }
                position += 2
                return XMLElement(name: elementName, attributes: attributes, children: [], text: "")
            }
            if byte == UInt8(ascii: ">") { position += 1; break }
            let attribute = try name()
            skipWhitespace()
            guard peek() == UInt8(ascii: "=") else { throw fail("attribute '\(attribute)' without a value") }
            position += 1
            skipWhitespace()
            guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
                throw fail("attribute '\(attribute)' value is not quoted")
            }
            position += 1
            let start = position
            while let next = peek(), next != quote { position += 1 }
            guard peek() == quote else { throw fail("unterminated attribute value") }
            attributes[attribute] = decodeEntities(String(decoding: bytes[start..<position], as: UTF8.self))
            position += 1
        }
        var children: [XMLElement] = []
        var text = ""
        while true {
            guard position < bytes.count else { throw fail("<\(elementName)> is never closed") }
            if starts(with: "</") {
                position += 2
                let closing = try name()
                guard closing == elementName else { throw fail("</\(closing)> closes <\(elementName)>") }
                skipWhitespace()
                guard peek() == UInt8(ascii: ">") else { throw fail("expected '>'") }
                position += 1
                return XMLElement(name: elementName, attributes: attributes, children: children,
                                  text: TextChecks.trimmed(decodeEntities(text)))
            }
            if starts(with: "<!--") { try skip(past: "-->"); continue }
            if starts(with: "<![CDATA[") {
                position += 9
                let start = position
                try skip(past: "]]>")
                text += String(decoding: bytes[start..<(position - 3)], as: UTF8.self)
                continue
            }
            if starts(with: "<?") { try skip(past: "?>"); continue }
            if peek() == UInt8(ascii: "<") {
                children.append(try element(depth: depth + 1))
                continue
            }
            let start = position
            while let byte = peek(), byte != UInt8(ascii: "<") { position += 1 }
            text += String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }

    func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                result += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "lt": result += "<"
            case "gt": result += ">"
            case "amp": result += "&"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                if entity.hasPrefix("#x"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                    result.unicodeScalars.append(scalar)
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += "&" + entity + ";"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
