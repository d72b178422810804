/// JSON read as a token stream (it need not be valid): the value of a secret-looking key is masked, and
/// everything inside it when it is an object or array; other strings go through the inline scanner.
/// Formatting is kept byte for byte.
enum JSONScrubber {
    /// - extraSecretKeys: keys that are secrets in this context only (`data` of a qemu secret object).
    /// - maskNumbers: numbers and literals under secret keys become the string "(redacted)". Off for the
    ///   tool's own documents (facts.json, report.json), whose decoders expect a number or a boolean there.
    static func scrub(_ text: [UInt8], extraSecretKeys: Set<String> = [], maskNumbers: Bool = true) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var inheritedSecret: [Bool] = []   // one entry per open object or array
        var pending: SecretNames.Kind = .none
        var index = 0
        func insideSecret() -> Bool { inheritedSecret.last ?? false }
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < text.count, text[end] != UInt8(ascii: "\"") {
                    if text[end] == UInt8(ascii: "\\") { end += 1 }
                    if end < text.count, text[end].isLineEnd, text[end] != 0x0D { break }
                    end += 1
                }
                let contentEnd = min(end, text.count)
                let content = text[(index + 1)..<contentEnd]
                var look = contentEnd + 1
                while look < text.count, text[look].isWhitespace { look += 1 }
                let isKey = look < text.count && text[look] == UInt8(ascii: ":")
                if isKey {
                    pending = extraSecretKeys.contains(String(decoding: content, as: UTF8.self)) ? .secret : SecretNames.classify(content)
                    output += text[index..<min(contentEnd + 1, text.count)]
                } else {
                    let kind: SecretNames.Kind = insideSecret() ? .secret : pending
                    output.append(UInt8(ascii: "\""))
                    if SecretNames.mustMask(kind, value: content) {
                        output += Redaction.mask
                    } else {
                        output += TextScrubbers.maskInlineSettings(Array(content))
                    }
                    if contentEnd < text.count { output.append(text[contentEnd]) }
                    pending = .none
                }
                index = min(contentEnd + 1, text.count)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                inheritedSecret.append(insideSecret() || pending == .secret)
                pending = .none
                output.append(byte)
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !inheritedSecret.isEmpty { inheritedSecret.removeLast() }
                pending = .none
                output.append(byte)
                index += 1
            case UInt8(ascii: ","):
                pending = .none
                output.append(byte)
                index += 1
            default:
                let isScalarStart = byte == UInt8(ascii: "-") || byte.isASCIIAlphanumeric
                guard isScalarStart else {
                    output.append(byte)
                    index += 1
                    continue
                }
                var end = index
                while end < text.count, text[end].isASCIIAlphanumeric || text[end] == UInt8(ascii: "-") || text[end] == UInt8(ascii: ".")
                        || text[end] == UInt8(ascii: "+") { end += 1 }
                let token = text[index..<end]
                let secret = insideSecret() || pending == .secret
                if maskNumbers, secret, !token.elementsEqual(Array("null".utf8)) {
                    output += Array("\"(redacted)\"".utf8)
                } else {
                    output += token
                }
                pending = .none
                index = end
            }
        }
        return output
    }
}
