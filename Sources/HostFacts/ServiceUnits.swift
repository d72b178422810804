import DoctorCore

/// systemd units and their state, as `systemctl list-units` prints them. A sos report saves that output;
/// it says which daemons run where the report holds no process list.
public struct ServiceUnits: Codable, Sendable, Equatable {
    public struct Unit: Codable, Sendable, Equatable {
        /// `chronyd.service`, `libvirtd.socket`.
        public var name: String
        /// LOAD: loaded, not-found, masked, ...
        public var load: String
        /// ACTIVE: active, inactive, failed, activating, ...
        public var active: String
        /// SUB: running, exited, dead, listening, ...
        public var sub: String
        public var description: String

        public init(name: String, load: String, active: String, sub: String, description: String = "") {
            self.name = name
            self.load = load
            self.active = active
            self.sub = sub
            self.description = description
        }
    }

    public var units: [Unit]

    /// Whether `name` is listed as active (running, or exited after a successful start).
    public func isActive(_ name: String) -> Bool {
        units.contains { $0.name == name && $0.active == "active" }
    }

    /// More units than any host has; bounds what a hostile listing can make us hold.
    static let maximumUnits = 100_000
    /// Longer lines are skipped: unit names are at most 255 bytes and descriptions short.
    static let maximumLineLength = 4096

    static let unitSuffixes = [".service", ".socket", ".target", ".mount", ".automount", ".device", ".scope", ".slice",
                               ".swap", ".timer", ".path"]
    static let loadStates: Set<String> = ["loaded", "not-found", "bad-setting", "error", "masked", "stub", "merged"]
    static let activeStates: Set<String> = ["active", "inactive", "failed", "activating", "deactivating", "reloading",
                                            "maintenance", "refreshing"]

    /// The first words of what systemctl prints instead of the table where systemd does not run.
    static let systemdAbsentMessages = ["System has not been booted with systemd", "Failed to connect to bus", "Failed to connect to system scope bus"]

    // MARK: Parser (total: any text gives units or a FactError)

    /// `systemctl list-units [--all]`: a header, one row per unit (failed units may carry a leading `●`, or
    /// `*` where the terminal is not UTF-8), then after an empty line a legend and a count, which are not
    /// units. `--plain` output has the same columns without the marker.
    ///
    ///       UNIT                 LOAD   ACTIVE SUB     DESCRIPTION
    ///       chronyd.service      loaded active running NTP client/server
    ///     ● kdump.service        loaded failed failed  Crash recovery kernel arming
    static func parseListUnits(_ text: String, source: String) throws(FactError) -> ServiceUnits {
        try TextChecks.requireText(text, source: source)
        var units: [Unit] = []
        var sawHeader = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                // The legend follows the first empty line after the rows.
                if !units.isEmpty || sawHeader { break }
                continue
            }
            guard line.utf8.count <= maximumLineLength else { continue }
            var columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let marker = columns.first, marker == "●" || marker == "*" { columns.removeFirst() }
            if columns.first == "UNIT" { sawHeader = true; continue }
            guard columns.count >= 4, let unit = unit(columns) else { continue }
            units.append(unit)
            if units.count >= maximumUnits { break }
        }
        guard !units.isEmpty else {
            let firstLine = text.split(separator: "\n").first.map { TextChecks.trimmed($0.prefix(160)) } ?? ""
            // systemctl prints its own error in place of the table when systemd is not the init system (a
            // container, a VM booted without it): the host has no units to list, which is an answer.
            if !sawHeader, systemdAbsentMessages.contains(where: { firstLine.hasPrefix($0) }) {
                throw .absent("systemd as the init system (\(source) holds systemctl's error: \(firstLine))")
            }
            throw .unparsable(source: source, detail: sawHeader ? "the table lists no unit" : "no unit table; it begins: \(firstLine)")
        }
        return ServiceUnits(units: units)
    }

    /// One row's columns (marker removed), or nil when they are not a unit's: the states must be ones
    /// systemd prints, so a line of junk or of the legend is never taken for a unit.
    static func unit(_ columns: [Substring]) -> Unit? {
        let name = String(columns[0])
        guard name.utf8.count <= 512, unitSuffixes.contains(where: { name.hasSuffix($0) && name.count > $0.count }),
              !name.contains("/"), name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              loadStates.contains(String(columns[1])), activeStates.contains(String(columns[2])) else { return nil }
        let sub = String(columns[3])
        guard sub.utf8.count <= 32, sub.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
        // Padding between words is layout, not text: the description is its words joined by single blanks.
        let rest = columns.dropFirst(4).joined(separator: " ")
        let description = String(rest.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).prefix(256))
        return Unit(name: name, load: String(columns[1]), active: String(columns[2]), sub: sub, description: description)
    }

    // MARK: Reading a root

    /// The outputs of sos's systemd plugin, the one listing inactive units too first.
    static let sosOutputs = ["/sos_commands/systemd/systemctl_list-units_--all", "/sos_commands/systemd/systemctl_list-units"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<ServiceUnits> {
        if root.evidence.kind == .sosReport {
            for path in sosOutputs {
                guard let text = try root.readTextIfPresent(path) else { continue }
                return Sourced(try parseListUnits(text, source: path), sources: [path])
            }
            throw root.liveOnly("the unit list (sos_commands/systemd/systemctl_list-units)")
        }
        if root.isLive {
            // Facts read files and run no programs; the unit states live only in systemd's memory.
            throw .absent("`systemctl list-units` output (virt-doctor runs no programs to read facts; a sos report holds it)")
        }
        throw root.liveOnly("the unit list (`systemctl list-units` output)")
    }
}

extension Facts {
    public static let serviceUnits = FactKey<ServiceUnits>("services.units", "systemd units and their load and active state (systemctl list-units, from a sos report)") { store throws(FactError) in
        try ServiceUnits.read(store.root)
    }
}
