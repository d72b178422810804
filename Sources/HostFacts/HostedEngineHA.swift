import DoctorCore
import Foundation

// issue 13: ovirt — the hosted-engine HA state of every host (ovirt.he-state): `hosted-engine --vm-status`
// (plain or --json; saved by sos, or recorded by `collect` on the live host), this host's score and the
// penalties the HA agent logs, and which row is this host (host_id in hosted-engine.conf). The formats are
// ovirt-hosted-engine-setup's vm_status.py and ovirt-hosted-engine-ha's agent (states.py, hosted_engine.py).

/// One host of a hosted-engine cluster as `hosted-engine --vm-status` shows it.
public struct HAHost: Codable, Sendable, Equatable {
    public var id: Int
    public var hostname: String
    /// 0...3400; nil when not shown.
    public var score: Int?
    /// "Local maintenance" / "maintenance".
    public var localMaintenance: Bool?
    /// "Status up-to-date" / "live-data": false when the host stopped refreshing its metadata on the shared
    /// storage (its agent or broker is down, or it lost the storage): "unknown stale-data".
    public var liveData: Bool?
    /// engine-status "vm": up, down, down_unexpected, unknown ...
    public var engineVM: String?
    /// engine-status "health": good, bad.
    public var engineHealth: String?
    /// The agent's state from the metadata's extra lines ("state=EngineUp").
    public var state: String?
    /// "stopped": the agent was stopped on that host.
    public var stopped: Bool?
}

/// A deduction from the base score that the agent logged: "Penalizing score by 1600 due to network status".
public struct HAPenalty: Codable, Sendable, Equatable {
    public var points: Int
    /// "network status", "cpu load", "mgmt bridge status", "free memory 3000MB ...", "local maintenance mode".
    public var reason: String
    /// The log line's time (YYYY-MM-DD HH:MM:SS).
    public var time: String?
}

extension HostedEngineState {
    public static let baseScore = 3400
    static let configuration = "/etc/ovirt-hosted-engine/hosted-engine.conf"
    /// Where `collect` records `hosted-engine --vm-status --json` of the live host in a bundle.
    public static let vmStatusRecording = "/hosted-engine-vm-status.json"
    static let maximumHosts = 64

    /// host_id=N in hosted-engine.conf.
    public static func parseHostID(_ text: String) -> Int? {
        for line in text.split(separator: "\n").prefix(1000) where line.utf8.count <= 1024 {
            guard let (key, value) = TextChecks.splitKeyValue(TextChecks.trimmed(line), separator: "="), key == "host_id" else { continue }
            return CheckedNumbers.integer(TextChecks.trimmed(value), in: 1...1_000_000)
        }
        return nil
    }

    /// The hosts of `hosted-engine --vm-status` output, plain or JSON; empty when it lists none.
    public static func parseHAHosts(_ text: String) -> [HAHost] {
        let trimmed = TextChecks.trimmed(text.prefix(64))
        if trimmed.hasPrefix("{") { return parseHAHostsJSON(text) }
        var hosts: [HAHost] = []
        var current: HAHost?
        for raw in text.split(separator: "\n") where raw.utf8.count <= 4096 {
            let line = TextChecks.trimmed(raw)
            if line.hasPrefix("--== Host "), line.hasSuffix("status ==--") {
                if let current { hosts.append(current) }
                current = nil
                guard hosts.count < maximumHosts else { break }
                // "--== Host virt-host1.example.test (id: 1) status ==--"
                let inner = line.dropFirst("--== Host ".count).dropLast("status ==--".count)
                guard let open = inner.range(of: "(id: ", options: .backwards), let close = inner[open.upperBound...].firstIndex(of: ")"),
                      let id = CheckedNumbers.integer(inner[open.upperBound..<close], in: 0...1_000_000) else { continue }
                current = HAHost(id: id, hostname: LibvirtdStartLog.quoted(TextChecks.trimmed(inner[..<open.lowerBound])))
                continue
            }
            guard current != nil else { continue }
            if line.hasPrefix("state="), current?.state == nil {
                current?.state = agentState(line.dropFirst("state=".count))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = TextChecks.trimmed(line[..<colon]).lowercased()
            let value = TextChecks.trimmed(line[line.index(after: colon)...])
            switch key {
            case "score": current?.score = CheckedNumbers.integer(value, in: 0...1_000_000)
            case "hostname": if !value.isEmpty { current?.hostname = LibvirtdStartLog.quoted(value) }
            case "local maintenance": current?.localMaintenance = bool(value)
            case "status up-to-date": current?.liveData = bool(value)
            case "stopped": current?.stopped = bool(value)
            case "engine status":
                if value.lowercased().contains("stale-data") {
                    current?.liveData = false
                } else {
                    current?.engineVM = jsonField(value, "vm")
                    current?.engineHealth = jsonField(value, "health")
                }
            default: continue
            }
        }
        if let current, hosts.count < maximumHosts { hosts.append(current) }
        return hosts
    }

    /// `{"1": {"host-id": 1, "hostname": "...", "score": 3400, "maintenance": false, "live-data": true,
    /// "engine-status": {"vm": "up", "health": "good", ...}, "extra": "...state=EngineUp..."}, "global_maintenance": false}`
    static func parseHAHostsJSON(_ text: String) -> [HAHost] {
        guard let value = try? JSONDecoder().decode(LooseJSON.self, from: Data(text.utf8)), case .object(let top) = value else { return [] }
        var hosts: [HAHost] = []
        for (key, entry) in top.sorted(by: { $0.key < $1.key }) where key != "global_maintenance" {
            guard case .object(let fields) = entry, hosts.count < maximumHosts else { continue }
            guard let id = fields["host-id"]?.integer ?? CheckedNumbers.integer(key, in: 0...1_000_000) else { continue }
            var host = HAHost(id: id, hostname: fields["hostname"]?.string.map(LibvirtdStartLog.quoted) ?? "host \(id)")
            host.score = fields["score"]?.integer
            host.localMaintenance = fields["maintenance"]?.bool
            host.liveData = fields["live-data"]?.bool
            host.stopped = fields["stopped"]?.bool
            switch fields["engine-status"] {
            case .object(let status)?:
                host.engineVM = status["vm"]?.string.map(LibvirtdStartLog.quoted)
                host.engineHealth = status["health"]?.string.map(LibvirtdStartLog.quoted)
            case .string(let status)?:
                if status.lowercased().contains("stale-data") { host.liveData = false }
                host.engineVM = jsonField(status, "vm")
                host.engineHealth = jsonField(status, "health")
            default:
                break
            }
            if let extra = fields["extra"]?.string {
                for line in extra.split(separator: "\n").prefix(100) where line.hasPrefix("state=") {
                    host.state = agentState(line.dropFirst("state=".count))
                }
            }
            hosts.append(host)
        }
        return hosts
    }

    /// This host's last score and the penalties logged while it held that score (the agent logs each kind of
    /// penalty at most once a minute, before the "Current state" line of the same round).
    public static func parseAgentScore(_ text: String) -> (score: Int, penalties: [HAPenalty])? {
        enum Entry { case state(Int), penalty(HAPenalty) }
        var entries: [Entry] = []
        for line in text.split(separator: "\n") where line.utf8.count <= 4096 {
            let fields = line.components(separatedBy: "::")
            let time = fields.count > 2 && fields[2].first?.isNumber == true ? String(fields[2].prefix(19)) : nil
            if let range = line.range(of: "Current state "), let open = line[range.upperBound...].range(of: "(score: "),
               let close = line[open.upperBound...].firstIndex(of: ")"),
               let score = CheckedNumbers.integer(line[open.upperBound..<close], in: 0...1_000_000) {
                entries.append(.state(score))
            } else if let range = line.range(of: "Penalizing score by ") {
                let rest = line[range.upperBound...]
                guard let space = rest.firstIndex(of: " "), let points = CheckedNumbers.integer(rest[..<space], in: 0...1_000_000) else { continue }
                var reason = TextChecks.trimmed(rest[space...])
                if reason.hasPrefix("due to ") { reason = String(reason.dropFirst("due to ".count)) }
                entries.append(.penalty(HAPenalty(points: points, reason: LibvirtdStartLog.quoted(String(reason.prefix(160))), time: time)))
            } else if let range = line.range(of: "Score is 0 due to ") {
                let reason = LibvirtdStartLog.quoted(String(line[range.upperBound...].prefix(160)))
                entries.append(.penalty(HAPenalty(points: baseScore, reason: reason, time: time)))
            } else {
                continue
            }
            if entries.count > 20_000 { entries.removeFirst(10_000) }
        }
        guard let lastIndex = entries.lastIndex(where: { if case .state = $0 { return true } else { return false } }),
              case .state(let score) = entries[lastIndex] else { return nil }
        // The run of the current score: back to the last state line with another score.
        var start = 0
        for index in stride(from: lastIndex - 1, through: 0, by: -1) {
            if case .state(let other) = entries[index], other != score { start = index + 1; break }
        }
        var byReason: [String: HAPenalty] = [:]
        var order: [String] = []
        if score < baseScore {
            for entry in entries[start...] {
                guard case .penalty(let penalty) = entry else { continue }
                // "free memory 3000MB ..." varies: group by the words before the first number.
                let kind = String(penalty.reason.prefix { !$0.isNumber })
                if byReason[kind] == nil { order.append(kind) }
                byReason[kind] = penalty
            }
        }
        return (score, order.compactMap { byReason[$0] })
    }

    static func agentState<S: StringProtocol>(_ text: S) -> String? {
        let word = TextChecks.trimmed(text)
        guard !word.isEmpty, word.count <= 64, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
        return word
    }

    static func bool<S: StringProtocol>(_ text: S) -> Bool? {
        switch TextChecks.trimmed(text).lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// `"vm": "up"` out of the printed engine status `{"vm": "up", "health": "good", "detail": "Up"}`.
    static func jsonField(_ text: String, _ name: String) -> String? {
        guard let key = text.range(of: "\"\(name)\"") else { return nil }
        let rest = text[key.upperBound...].drop { $0 == " " || $0 == ":" }
        guard rest.first == "\"" else { return nil }
        let value = rest.dropFirst().prefix { $0 != "\"" }
        guard !value.isEmpty, value.count <= 64 else { return nil }
        return LibvirtdStartLog.quoted(String(value))
    }
}

/// Any JSON value, decoded without a schema (the --vm-status JSON keys hosts by their id).
enum LooseJSON: Decodable {
    case null, bool(Bool), number(Double), string(String), array([LooseJSON]), object([String: LooseJSON])

    init(from decoder: Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() { self = .null; return }
            if let value = try? container.decode(Bool.self) { self = .bool(value); return }
            if let value = try? container.decode(Double.self) { self = .number(value); return }
            if let value = try? container.decode(String.self) { self = .string(value); return }
            if let value = try? container.decode([LooseJSON].self) { self = .array(value); return }
            if let value = try? container.decode([String: LooseJSON].self) { self = .object(value); return }
        }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not JSON"))
    }

    var integer: Int? {
        switch self {
        case .number(let value): CheckedNumbers.integer(value).flatMap { (0...1_000_000).contains($0) ? $0 : nil }
        case .string(let value): CheckedNumbers.integer(value, in: 0...1_000_000)
        default: nil
        }
    }

    var bool: Bool? {
        switch self {
        case .bool(let value): value
        case .string(let value): HostedEngineState.bool(value)
        default: nil
        }
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
