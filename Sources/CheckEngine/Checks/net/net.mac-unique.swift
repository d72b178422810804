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
        var evidence: [Evidence] = []
        do throws(FactError) {
            macs = try context.fact(Facts.guestMACs)
        } catch .absent {
            return .skip(.noGuests)
        }
        var entries = macs.value.entries
        // `migrate`: the destination's guests join the comparison. A guest of the same name on both hosts
        // is one guest (defined on both for migration); its files are told apart by the host's name.
        var peerInterfaces: InterfaceInventory?
        if let peer = context.peer {
            let name = MigrationSides.name(peer)
            if let remote = try? peer.sourced(Facts.guestMACs).get() {
                entries += remote.value.entries.map { entry in
                    var entry = entry
                    entry.file = "\(name):\(entry.file)"
                    return entry
                }
                evidence.append(Evidence(source: "destination \(name)", value: "\(remote.value.entries.count) fixed guest MAC addresses compared as well"))
            }
            peerInterfaces = try? peer.get(Facts.netInterfaces)
        }
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
        let hosts = [context.optionalFact(Facts.netInterfaces)?.value, peerInterfaces].compactMap { $0 }
        for interfaces in hosts {
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
