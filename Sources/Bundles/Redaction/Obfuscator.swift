#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces host names and IP addresses with stable placeholders on whole words only: masking a host
/// named "vm" must leave "kvm" alone. The map stays outside the bundle, with the person who made it.
///
/// IPv4 addresses become 192.0.2.N and IPv6 addresses 2001:db8::N (the documentation ranges, which no real
/// host uses). Kept as they are: loopback, the unspecified address, netmasks and broadcast, and IPv6
/// multicast (ff00::/8): they are protocol constants, the same on every host, and the checks and the reader
/// need them. IPv6 link-local addresses (fe80::/10) ARE replaced: they are usually built from the network
/// card's MAC address, so they identify the machine as surely as a routable address.
final class Obfuscator {
    private(set) var map: [String: String] = [:]
    private var names: [String]
    private var counters = ["host": 0, "ip": 0, "ip6": 0]
    static let keep: Set<String> = ["127.0.0.1", "0.0.0.0", "255.255.255.255", "255.255.255.0", "255.255.0.0", "255.0.0.0"]

    /// `hostNames` in order of importance: the first one gets host-1.
    init(hostNames: [String]) {
        var seen: Set<String> = []
        let usable = hostNames.map { $0.lowercased() }.filter { $0.count >= 2 && !$0.hasPrefix("localhost") && !$0.hasPrefix("ip6-") && seen.insert($0).inserted }
        names = usable.sorted { $0.utf8.count > $1.utf8.count }   // longest first: the FQDN before its short form
        for name in usable { placeholder(for: name, kind: "host") }
    }

    var primaryHostPlaceholder: String { names.isEmpty ? "host" : "host-1" }

    @discardableResult
    private func placeholder(for value: String, kind: String) -> String {
        if let existing = map[value] { return existing }
        counters[kind, default: 0] += 1
        let number = counters[kind]!
        let replacement = switch kind {
        case "host": "host-\(number)"
        case "ip6": "2001:db8::" + String(number, radix: 16)
        default: "192.0.2.\(number)"   // TEST-NET-1
        }
        map[value] = replacement
        return replacement
    }

    func apply(_ text: String) -> String {
        String(decoding: apply(Array(text.utf8)), as: UTF8.self)
    }

    func apply(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for name in names { result = replaceWholeWord(name, in: result, with: map[name]!) }
        result = replaceIPv6(result)
        return replaceIPv4(result)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func lowered(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }

    /// Host names compare without regard to case (DNS does the same).
    private func replaceWholeWord(_ word: String, in text: [UInt8], with replacement: String) -> [UInt8] {
        let needle = Array(word.utf8)
        guard let first = needle.first, text.count >= needle.count else { return text }
        var output: [UInt8] = []
        var position = 0
        var index = 0
        while index + needle.count <= text.count {
            if Self.lowered(text[index]) == first,
               zip(text[index..<(index + needle.count)], needle).allSatisfy({ Self.lowered($0) == $1 }),
               index == 0 || !Self.isWordByte(text[index - 1]),
               index + needle.count == text.count || !Self.isWordByte(text[index + needle.count]) {
                output += text[position..<index]
                output += Array(replacement.utf8)
                index += needle.count
                position = index
            } else {
                index += 1
            }
        }
        if position == 0 { return text }
        output += text[position...]
        return output
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
    }

    /// The canonical text of an IPv6 address, or nil when `candidate` is not one.
    static func canonicalIPv6(_ candidate: String) -> String? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, candidate, &address) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func replaceIPv6(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            guard Self.isHex(byte) || byte == UInt8(ascii: ":") else { index += 1; continue }
            var end = index
            var colons = 0
            while end < text.count, Self.isHex(text[end]) || text[end] == UInt8(ascii: ":") || text[end] == UInt8(ascii: ".") {
                if text[end] == UInt8(ascii: ":") { colons += 1 }
                end += 1
            }
            let startsWord = index == 0 || !(text[index - 1].isASCIIAlphanumeric || text[index - 1] == UInt8(ascii: "_"))
            let endsWord = end == text.count || !(text[end].isASCIIAlphanumeric || text[end] == UInt8(ascii: "_"))
            var candidateEnd = end
            // A sentence may end right after an address ("... on fe80::1.", "addr fe80::1: up").
            while candidateEnd > index, text[candidateEnd - 1] == UInt8(ascii: ".") || text[candidateEnd - 1] == UInt8(ascii: ":"),
                  !(candidateEnd >= index + 2 && text[candidateEnd - 1] == UInt8(ascii: ":") && text[candidateEnd - 2] == UInt8(ascii: ":")) {
                candidateEnd -= 1
            }
            if startsWord, endsWord, colons >= 2, candidateEnd - index <= 45,
               let canonical = Self.canonicalIPv6(String(decoding: text[index..<candidateEnd], as: UTF8.self)),
               !Self.keepsIPv6(canonical) {
                output += text[position..<index]
                output += Array(placeholder(for: canonical, kind: "ip6").utf8)
                position = candidateEnd
            }
            index = end
        }
        if position == 0 { return text }
        output += text[position...]
        return output
    }

    static func keepsIPv6(_ canonical: String) -> Bool {
        canonical == "::" || canonical == "::1" || canonical.hasPrefix("ff") || canonical.hasPrefix("2001:db8:")
    }

    private func replaceIPv4(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        var index = 0
        while index < text.count {
            guard text[index] >= 48 && text[index] <= 57 else { index += 1; continue }
            var end = index
            while end < text.count, (text[end] >= 48 && text[end] <= 57) || text[end] == UInt8(ascii: ".") { end += 1 }
            var candidateEnd = end
            while candidateEnd > index, text[candidateEnd - 1] == UInt8(ascii: ".") { candidateEnd -= 1 }
            let startsWord = index == 0 || text[index - 1] != UInt8(ascii: ".")
            let parts = text[index..<candidateEnd].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            let valid = startsWord && parts.count == 4 && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && (Int(String(decoding: part, as: UTF8.self)) ?? 256) < 256
            }
            if valid {
                let address = String(decoding: text[index..<candidateEnd], as: UTF8.self)
                if !Self.keep.contains(address) {
                    output += text[position..<index]
                    output += Array(placeholder(for: address, kind: "ip").utf8)
                    position = candidateEnd
                }
            }
            index = end
        }
        if position == 0 { return text }
        output += text[position...]
        return output
    }
}
