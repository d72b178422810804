import DoctorCore
import Foundation

/// /etc/hosts as the resolver's "files" source reads it: an address, then a canonical name and aliases,
/// `#` to the end of the line a comment.
///
///     127.0.0.1   localhost
///     127.0.1.1   kvm-a.example.test kvm-a
///     192.0.2.11  kvm-a.example.test kvm-a
public struct HostsFile: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// The address in canonical form (`192.0.2.11`, `2001:db8::11`).
        public var address: String
        public var names: [String]
        public var line: Int
    }

    public var entries: [Entry]
    /// Lines that are not `address name...` (a bad address, no name), by line number.
    public var malformedLines: [Int]

    /// More entries than any hosts file holds; a hostile file stops being read there.
    static let maximumEntries = 100_000

    public static func parse(_ text: String) -> HostsFile {
        var file = HostsFile(entries: [], malformedLines: [])
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard file.entries.count < maximumEntries else { break }
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first else { continue }
            guard fields.count > 1, let address = IPAddress.canonical(String(first)) else {
                file.malformedLines.append(index + 1)
                continue
            }
            file.entries.append(Entry(address: address, names: fields.dropFirst().map(String.init), line: index + 1))
        }
        return file
    }

    /// The entries that give `name` (case-insensitively, as canonical name or alias), in file order.
    public func entries(naming name: String) -> [Entry] {
        let wanted = name.lowercased()
        return entries.filter { $0.names.contains { $0.lowercased() == wanted } }
    }
}

/// The addresses configured on this host's interfaces (IPv4 and IPv6), from /proc/net/fib_trie and
/// /proc/net/if_inet6, or from a sos report's `ip address` output.
public struct LocalAddresses: Codable, Sendable, Equatable {
    /// Canonical addresses, sorted, loopback included.
    public var addresses: [String]

    public func contains(_ address: String) -> Bool {
        guard let canonical = IPAddress.canonical(address) else { return false }
        return addresses.contains(canonical)
    }

    /// IPv4 addresses of the local routing table: a `|-- a.b.c.d` leaf followed by `/32 host LOCAL`.
    public static func parseFibTrie(_ text: String) -> [String] {
        var found = Set<String>()
        var leaf: String?
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("|-- ") {
                leaf = IPAddress.canonical(String(line.dropFirst(4)))
            } else if line.hasPrefix("/32 host LOCAL"), let address = leaf {
                found.insert(address)
            } else if line.hasPrefix("+-- ") || line.hasSuffix(":") {
                leaf = nil
            }
            if found.count >= 65_536 { break }
        }
        return found.sorted()
    }

    /// /proc/net/if_inet6: `20010db8000000000000000000000011 02 40 00 80 eth0` (32 hex digits, then index,
    /// prefix length, scope, flags and name).
    public static func parseIfInet6(_ text: String) -> [String] {
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            guard let hex = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first, hex.count == 32,
                  hex.allSatisfy(\.isHexDigit) else { continue }
            var groups: [Substring] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 4)
                groups.append(hex[index..<next])
                index = next
            }
            if let address = IPAddress.canonical(groups.joined(separator: ":")) { found.insert(address) }
            if found.count >= 65_536 { break }
        }
        return found.sorted()
    }

    /// `ip address` (and `ip -d address`, `ip -o address`) output: the words after `inet` and `inet6`.
    public static func parseIPAddress(_ text: String) -> [String] {
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            for (index, word) in words.enumerated() where (word == "inet" || word == "inet6") && index + 1 < words.count {
                let value = words[index + 1].split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
                if let address = IPAddress.canonical(value) { found.insert(address) }
            }
            if found.count >= 65_536 { break }
        }
        return found.sorted()
    }

    static let fibTrie = "/proc/net/fib_trie"
    static let ifInet6 = "/proc/net/if_inet6"
    /// sos report outputs, newest layout first.
    static let sosOutputs = ["/sos_commands/networking/ip_-d_address", "/sos_commands/networking/ip_address",
                             "/sos_commands/networking/ip_-o_addr", "/sos_commands/networking/ip_addr"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<LocalAddresses> {
        let limit = 16 << 20
        var failure: FactError?
        do throws(FactError) {
            let text = try root.readText(fibTrie, limit: limit)
            var addresses = Set(parseFibTrie(text))
            var sources = [fibTrie]
            if let inet6 = try? root.readTextIfPresent(ifInet6, limit: limit) {
                addresses.formUnion(parseIfInet6(inet6))
                sources.append(ifInet6)
            }
            guard !addresses.isEmpty else { throw .unparsable(source: fibTrie, detail: "no local address (expected '|-- a.b.c.d' leaves followed by '/32 host LOCAL')") }
            return Sourced(LocalAddresses(addresses: addresses.sorted()), sources: sources)
        } catch {
            failure = error
        }
        for path in sosOutputs {
            guard let text = try? root.readTextIfPresent(path, limit: limit) else { continue }
            let addresses = parseIPAddress(text)
            guard !addresses.isEmpty else { throw .unparsable(source: path, detail: "no 'inet' or 'inet6' address") }
            return Sourced(LocalAddresses(addresses: addresses), sources: [path])
        }
        throw failure ?? .absent(fibTrie)
    }
}

/// Textual IP addresses in one canonical form, so `2001:DB8:0::11` in /etc/hosts matches `2001:db8::11`.
public enum IPAddress {
    /// The canonical text of an IPv4 or IPv6 address (a zone `%eth0` is dropped); nil when it is neither.
    public static func canonical(_ text: String) -> String? {
        let bare = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !bare.isEmpty, bare.utf8.count <= 64 else { return nil }
        if bare.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, bare, &address) == 1 else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return String(cString: buffer)
        }
        var address = in_addr()
        guard inet_pton(AF_INET, bare, &address) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(cString: buffer)
    }

    /// 127.0.0.0/8 and ::1 (and ::ffff:127.x, the mapped form).
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }

    public static func isIPv6(_ address: String) -> Bool { address.contains(":") }
}

extension Facts {
    public static let hostsFile = FactKey<HostsFile>("net.hosts", "Addresses and names in /etc/hosts") { store throws(FactError) in
        let text = try store.root.readText("/etc/hosts", limit: 8 << 20)
        return Sourced(HostsFile.parse(text), sources: ["/etc/hosts"])
    }

    public static let localAddresses = FactKey<LocalAddresses>("net.local-addresses", "IPv4 and IPv6 addresses configured on this host (/proc/net/fib_trie, /proc/net/if_inet6, or a sos report's ip address)") { store throws(FactError) in
        try LocalAddresses.read(store.root)
    }
}
