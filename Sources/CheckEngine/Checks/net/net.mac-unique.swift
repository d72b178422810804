import DoctorCore
import HostFacts

/// net.mac-unique: no two guest interfaces on this host share a MAC address, and no guest uses the MAC
/// address of one of the host's own interfaces.
enum NetMACUnique: CheckEvaluator {
    static let id = "net.mac-unique"

    enum Condition: String, CaseIterable {
        case noGuests = "no-guests"
        case noFixedMACs = "no-fixed-macs"
        case unique
        /// `{problems}` lists `duplicate` and `host-collision` fragments.
        case collisions
        case duplicate
        case hostCollision = "host-collision"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let macs: Sourced<GuestMACs>
        do throws(FactError) {
            macs = try context.fact(Facts.guestMACs)
        } catch .absent {
            return .skip(.noGuests)
        }
        let entries = macs.value.entries
        var evidence: [Evidence] = []
        for (path, reason) in macs.value.unreadable.sorted(by: { $0.key < $1.key }) {
            evidence.append(Evidence(source: path, value: "unreadable", note: reason))
        }
        guard !entries.isEmpty else {
            return .pass(.noFixedMACs, ["generated": String(macs.value.generated)], evidence: evidence)
        }
        var byMAC: [String: [GuestMACs.Entry]] = [:]
        for entry in entries { byMAC[entry.mac, default: []].append(entry) }
        let prefixes = Dictionary(grouping: entries, by: { String($0.mac.prefix(8)) }).mapValues(\.count)
        evidence.append(Evidence(source: macs.sources.joined(separator: ", "),
                                 value: "\(entries.count) fixed guest MAC addresses; prefixes " + prefixes.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")))
        var problems: [String] = []
        for (mac, users) in byMAC.sorted(by: { $0.key < $1.key }) {
            // The same guest defined twice (an xm file and its libxl XML) is one guest; the same file naming
            // the address twice is two interfaces.
            var seen: [String: Set<String>] = [:]
            var clash = false
            for user in users {
                if seen[user.guest]?.contains(user.file) == true { clash = true }
                seen[user.guest, default: []].insert(user.file)
            }
            if seen.count > 1 || clash {
                let guests = Array(Set(users.map(\.guest))).sorted()
                problems.append(context.fragment(Condition.duplicate, ["mac": mac, "guests": guests.joined(separator: ", ")]))
                evidence.append(Evidence(source: users.map(\.file).joined(separator: ", "), value: "\(mac) on \(guests.joined(separator: ", "))"))
            }
        }
        if let interfaces = context.optionalFact(Facts.netInterfaces)?.value {
            for interface in interfaces.interfaces where interface.name != "lo" {
                guard let address = interface.address, address != "00:00:00:00:00:00", let users = byMAC[address] else { continue }
                let guests = Array(Set(users.map(\.guest))).sorted()
                problems.append(context.fragment(Condition.hostCollision, ["mac": address, "guests": guests.joined(separator: ", "), "interface": interface.name]))
                evidence.append(Evidence(source: "/sys/class/net/\(interface.name)/address", value: address))
            }
        }
        if !problems.isEmpty {
            return .fail(.collisions, ["problems": problems.joined(separator: "; ")], evidence: evidence)
        }
        return .pass(.unique, ["count": String(entries.count)], evidence: evidence)
    }
}
