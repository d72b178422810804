import DoctorCore

/// What libvirt said when the sos report was made, read back from the virsh plugin's outputs
/// (`sos_commands/virsh/virsh_-r_<subcommand>`): `list --all` (names and states), `dumpxml <name>` per
/// domain, `nodeinfo`, `capabilities`, `version`, `net-list --all` with `net-dumpxml`, `pool-list --all`.
/// It stands in for a libvirt connection, which a report can never offer: the answer is libvirt's own, as of
/// the collection time. Every parser here is total (junk gives nothing or a problem line, never a trap),
/// and the number of objects and bytes read is bounded, as the report is hostile input.
public enum SosVirsh {
    static let directory = "/sos_commands/virsh"
    static let listOutput = directory + "/virsh_-r_list_--all"
    /// Guests read; a real host has tens, a hypervisor with thousands is still far below this.
    static let maximumObjects = 4096
    static let xmlLimit = 4 << 20

    /// Whether the report holds virsh's domain list: the one output without which there is no snapshot.
    public static func isPresent(_ root: HostRoot) -> Bool {
        (try? root.captured(listOutput)) == true
    }

    /// The snapshot, or nil when the virsh plugin did not run (or libvirt did not answer it).
    static func snapshot(_ root: HostRoot) throws(FactError) -> Sourced<LibvirtSnapshot>? {
        guard let listing = try? root.readText(listOutput, limit: xmlLimit) else { return nil }
        let listed = parseList(listing)
        guard let listed else {
            throw .unparsable(source: String(listOutput.dropFirst()), detail: "not the table `virsh list --all` prints (Id, Name, State)")
        }
        var sources = [String(listOutput.dropFirst())]
        func output(_ name: String) -> String? {
            let path = directory + "/virsh_-r_" + name
            guard let text = try? root.readText(path, limit: xmlLimit) else { return nil }
            sources.append(String(path.dropFirst()))
            return text
        }
        let versions = output("version").map(parseVersion) ?? (driver: "", hypervisor: "", library: "")
        let node = output("nodeinfo").map(parseNodeInfo)
        var snapshot = LibvirtSnapshot(
            uri: "sos report: virsh -r", driver: versions.driver, hypervisorVersion: versions.hypervisor,
            libvirtVersion: versions.library,
            node: node ?? .init(model: "", memoryKiB: 0, cpus: 0, mhz: 0, numaNodes: 0, sockets: 0, cores: 0, threads: 0),
            hostCPUModel: nil, hostCPUVendor: nil, guestArchitectures: [:], secureGuestFeatures: [], domains: [], networks: [],
            pools: [], problems: [])
        if node == nil { snapshot.problems.append("the report has no `virsh nodeinfo` output: host memory and CPUs are unknown") }
        if let capabilities = output("capabilities") { snapshot.readCapabilities(capabilities) }

        var problems: [String] = []
        for entry in listed.prefix(maximumObjects) {
            guard isSafeName(entry.name) else {
                problems.append("domain \(entry.name.debugDescription.prefix(80)): a name that cannot be a file name in the report")
                continue
            }
            guard let xml = output("dumpxml_" + entry.name) else {
                problems.append("domain \(entry.name): no `virsh dumpxml` output in the report")
                continue
            }
            guard var domain = LibvirtSnapshot.domain(xml: xml, state: 0, reason: 0, autostart: nil, problems: &problems) else { continue }
            domain.state = entry.state
            snapshot.domains.append(domain)
        }
        if let networks = output("net-list_--all").flatMap(parseObjectList) {
            for entry in networks.prefix(maximumObjects) where isSafeName(entry.name) {
                let parsed = output("net-dumpxml_" + entry.name).flatMap { try? LibvirtNetwork.parse($0, file: "virsh net-dumpxml") }
                snapshot.networks.append(.init(name: entry.name, active: entry.active, autostart: entry.autostart,
                                               forwardMode: parsed?.forwardMode, bridge: parsed?.bridge))
            }
        }
        if let pools = output("pool-list_--all").flatMap(parseObjectList) {
            for entry in pools.prefix(maximumObjects) where isSafeName(entry.name) {
                let xml = output("pool-dumpxml_" + entry.name).flatMap { try? XMLElement.parse($0, source: "virsh pool-dumpxml") }
                snapshot.pools.append(.init(name: entry.name, type: xml?.attributes["type"] ?? "", active: entry.active,
                                            path: xml?.child("target")?.child("path")?.text,
                                            capacityBytes: xml?.child("capacity").flatMap { LibvirtSnapshot.poolBytes($0) },
                                            availableBytes: xml?.child("available").flatMap { LibvirtSnapshot.poolBytes($0) }))
            }
        }
        snapshot.problems += problems
        return Sourced(snapshot, sources: [sources.count > 3 ? "\(sources[0]) and \(sources.count - 1) other virsh outputs" : sources.joined(separator: ", ")])
    }

    /// sos names an output after its command line: a domain called "../x" or "a b" cannot be found
    /// reliably (and must never become a path), so such names are reported instead of read.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && name != "." && name != ".." && !name.contains("/")
            && !name.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
    }

    /// `virsh list --all`:
    ///
    ///      Id   Name    State
    ///     ------------------------
    ///      1    web01   running
    ///      -    db01    shut off
    ///
    /// States of more than one word are joined the way libvirt's API names them ("shut off" -> shutoff,
    /// "in shutdown" -> shutdown, "idle" -> blocked). nil when the header is not virsh's.
    public static func parseList(_ text: String) -> [(name: String, state: String)]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(maximumObjects + 3)
        guard let header = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let columns = header.split(whereSeparator: \.isWhitespace)
        guard columns.count >= 3, columns[0] == "Id", columns[1] == "Name", columns[2] == "State" else { return nil }
        var result: [(String, String)] = []
        for line in lines {
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count >= 3, words[0] == "-" || words[0].allSatisfy(\.isNumber), words[0].count <= 12 else { continue }
            let state = words[2...].joined(separator: " ").lowercased()
            result.append((String(words[1]), stateName(state)))
        }
        return result
    }

    static func stateName(_ words: String) -> String {
        switch words {
        case "running": "running"
        case "idle", "blocked": "blocked"
        case "paused": "paused"
        case "in shutdown", "shutdown": "shutdown"
        case "shut off", "shutoff": "shutoff"
        case "crashed": "crashed"
        case "pmsuspended": "pmsuspended"
        default: "nostate"
        }
    }

    /// `virsh net-list --all` and `virsh pool-list --all`: Name, State (active/inactive), Autostart (yes/no).
    public static func parseObjectList(_ text: String) -> [(name: String, active: Bool, autostart: Bool?)]? {
        let lines = text.split(separator: "\n").prefix(maximumObjects + 2)
        guard let header = lines.first else { return nil }
        let columns = header.split(whereSeparator: \.isWhitespace)
        guard columns.first == "Name", columns.count >= 2, columns[1] == "State" else { return nil }
        var result: [(String, Bool, Bool?)] = []
        for line in lines.dropFirst() where !line.hasPrefix("---") {
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count >= 2 else { continue }
            let autostart: Bool? = words.count >= 3 ? (words[2] == "yes" ? true : words[2] == "no" ? false : nil) : nil
            result.append((String(words[0]), words[1] == "active", autostart))
        }
        return result
    }

    /// `virsh nodeinfo`: "CPU(s):  8", "Memory size:  65536000 KiB", ... Missing or junk values are 0.
    public static func parseNodeInfo(_ text: String) -> LibvirtSnapshot.NodeInfo {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n").prefix(64) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[TextChecks.trimmed(String(line[..<colon]))] = TextChecks.trimmed(String(line[line.index(after: colon)...]))
        }
        func number(_ key: String) -> Int {
            guard let first = values[key]?.split(separator: " ").first, first.count <= 18, let value = Int(first), value >= 0 else { return 0 }
            return value
        }
        return .init(model: String((values["CPU model"] ?? "").prefix(64)), memoryKiB: min(number("Memory size"), LibvirtUnits.maximumKiB),
                     cpus: number("CPU(s)"), mhz: number("CPU frequency"), numaNodes: number("NUMA cell(s)"),
                     sockets: number("CPU socket(s)"), cores: number("Core(s) per socket"), threads: number("Thread(s) per core"))
    }

    /// `virsh version`: "Using library: libvirt 9.0.0", "Running hypervisor: QEMU 8.0.0".
    static func parseVersion(_ text: String) -> (driver: String, hypervisor: String, library: String) {
        var driver = "", hypervisor = "", library = ""
        for line in text.split(separator: "\n").prefix(16) {
            let words = line.split(whereSeparator: \.isWhitespace).map { String($0.prefix(64)) }
            if line.hasPrefix("Using library:"), words.count >= 4 { library = words[3] }
            if line.hasPrefix("Running hypervisor:"), words.count >= 4 { driver = words[2]; hypervisor = words[3] }
        }
        return (driver, hypervisor, library)
    }
}
