import DoctorCore
import Foundation
import HostFacts
import Localization

/// `virt-doctor fleet`: many hosts in one report. Each host is judged as `analyze` judges it; what only a
/// fleet shows is computed from small values kept per host (guest MACs, guest-visible CPU flags, QEMU and
/// libvirt versions, certificate dates), so the cost grows linearly with the hosts. The migration matrix is
/// the exception: every ordered pair, capped at `migrationHostLimit` hosts, with their fact stores kept.
public struct FleetReport: Codable, Sendable, Equatable {
    public static let migrationHostLimit = 50
    /// Certificates expiring within this many days of the fleet's instant (or expired) are on the calendar.
    public static let calendarDays = 365

    public struct Host: Codable, Sendable, Equatable {
        /// Unique in the report: the host name, or the input's file name when the evidence names no host.
        public var name: String
        public var input: String
        /// bundle, sos-report, directory...
        public var evidenceKind: String
        public var hostname: String?
        public var profile: String
        public var verdict: Verdict
        public var score: Int?
        public var counts: Report.Counts
        public var notes: [String]
    }

    public struct Unreadable: Codable, Sendable, Equatable {
        public var input: String
        public var reason: String
    }

    /// One row of the hosts × checks matrix: check id -> status.
    public struct MatrixRow: Codable, Sendable, Equatable {
        public var host: String
        public var statuses: [String: Status]
    }

    public struct Problem: Codable, Sendable, Equatable {
        public struct Occurrence: Codable, Sendable, Equatable {
            public var host: String
            public var status: Status
            public var summary: String
        }
        public var check: String
        public var title: String
        public var severity: Severity
        public var hostCount: Int
        public var hosts: [Occurrence]
    }

    public struct GuestRef: Codable, Sendable, Equatable, Hashable {
        public var host: String
        public var guest: String
    }

    /// One MAC address given to guests of different names on different hosts.
    public struct MACCollision: Codable, Sendable, Equatable {
        public var mac: String
        public var guests: [GuestRef]
    }

    /// A host whose guest-visible CPU features differ from those most hosts share.
    public struct CPUOutlier: Codable, Sendable, Equatable {
        public var host: String
        public var missing: [String]
        public var extra: [String]
    }

    public struct VersionOutlier: Codable, Sendable, Equatable {
        /// QEMU or libvirt.
        public var component: String
        public var host: String
        public var version: String
        public var majority: String
    }

    public struct Certificate: Codable, Sendable, Equatable {
        public var host: String
        public var path: String
        public var role: String
        public var subject: String?
        public var notAfter: Date
        public var daysLeft: Int?
        public var state: String
    }

    /// Certificates ending in one month (`yyyy-MM`, UTC).
    public struct CertificateMonth: Codable, Sendable, Equatable {
        public var month: String
        public var certificates: [Certificate]
    }

    public struct CrossHost: Codable, Sendable, Equatable {
        public var macCollisions: [MACCollision]
        public var cpuOutliers: [CPUOutlier]
        public var versionOutliers: [VersionOutlier]
        public var certificateCalendar: [CertificateMonth]
    }

    /// Guests of `source` judged against `destination`.
    public struct MigrationPair: Codable, Sendable, Equatable {
        public var source: String
        public var destination: String
        public var guests: Int
        public var movable: Int
        public var blockedGuests: [String]
        /// Check ids that failed for the pair or for one of its guests.
        public var failingChecks: [String]
    }

    public struct MigrationMatrix: Codable, Sendable, Equatable {
        public var hostLimit: Int
        public var capped: Bool
        public var note: String?
        public var pairs: [MigrationPair]
    }

    public var schemaVersion = 1
    public var tool: Report.Tool
    public var generatedAt: Date
    /// The instant given with --now; nil when each host is judged as of its own collection.
    public var now: Date?
    public var language: String
    /// No host has a failing check and nothing across the hosts is wrong.
    public var healthy: Bool
    public var hosts: [Host]
    public var unreadable: [Unreadable]
    /// The matrix's columns, in catalog order.
    public var checks: [String]
    public var matrix: [MatrixRow]
    /// Each problem (fail, error, warn) with the hosts that have it, most widespread first.
    public var problems: [Problem]
    public var crossHost: CrossHost
    public var migration: MigrationMatrix

    /// Whether anything across the hosts is wrong (the calendar is information: each host's checks judge expiry).
    public var hasCrossHostProblems: Bool {
        !crossHost.macCollisions.isEmpty || !crossHost.cpuOutliers.isEmpty || !crossHost.versionOutliers.isEmpty
    }

    public func encodedJSON() throws -> Data {
        try JSONFormat.encoder().encode(self)
    }
}

/// Builds a FleetReport one host at a time: `add` judges a host and keeps only small values, `finish`
/// computes the matrix, the cross-host findings and the migration matrix.
public struct FleetBuilder {
    /// What the matrix and the problem list need of a finding (not its evidence and remediation).
    struct Outcome {
        var id: String
        var title: String
        var severity: Severity
        var status: Status
        var summary: String
        var cause: String?
    }

    struct Kept {
        var host: FleetReport.Host
        var findings: [Outcome]
        var macs: [(guest: String, mac: String)]
        var cpuFlags: Set<String>?
        var versions: [String: String]
        var certificates: [FleetReport.Certificate]
        /// Only while the migration matrix needs them.
        var store: FactStore?
        var options: DiagnosisOptions?
    }

    let catalog: Catalog
    let language: String
    let strings: Strings
    let keepStores: Bool
    let expectedHosts: Int
    var kept: [Kept] = []
    var unreadable: [FleetReport.Unreadable] = []
    var names: Set<String> = []

    /// `expectedHosts` is the number of inputs: beyond the migration limit no store is kept.
    public init(catalog: Catalog, language: String, expectedHosts: Int) throws(Strings.UnknownLanguage) {
        self.catalog = catalog
        self.language = language
        self.strings = try Strings.load(language)
        self.expectedHosts = expectedHosts
        self.keepStores = expectedHosts <= FleetReport.migrationHostLimit
    }

    public mutating func addUnreadable(input: String, reason: String) {
        unreadable.append(.init(input: input, reason: reason))
    }

    /// Judges one host. `describe` puts what the evidence says of itself into the report (a bundle's host).
    public mutating func add(input: String, options: DiagnosisOptions, notes: [String] = [],
                             describe: (inout Report) -> Void = { _ in }) throws(Strings.UnknownLanguage) {
        let diagnosis = try Diagnosis.run(options, catalog: catalog)
        var report = diagnosis.report
        describe(&report)
        let store = diagnosis.store
        let fileName = URL(fileURLWithPath: input).lastPathComponent
        var name = report.host.hostname ?? report.evidence?.hostname ?? fileName
        if names.contains(name) { name += " (\(fileName))" }
        var counter = 2
        let base = name
        while names.contains(name) { name = "\(base) #\(counter)"; counter += 1 }
        names.insert(name)
        let host = FleetReport.Host(
            name: name, input: input, evidenceKind: (report.evidence ?? options.root.evidence).kind.rawValue, hostname: report.host.hostname,
            profile: report.profile.effective.rawValue, verdict: report.verdict, score: report.score.overall, counts: report.counts, notes: notes)
        let macs = ((try? store.get(Facts.guestMACs))?.entries ?? []).map { (guest: $0.guest, mac: $0.mac) }
        var cpuFlags: Set<String>?
        if let info = try? store.get(Facts.cpuInfo), !info.flagsOnAllCPUs.isEmpty {
            cpuFlags = Set(info.flagsOnAllCPUs).intersection(MigrCPUCompat.guestVisibleFeatures)
        }
        var versions: [String: String] = [:]
        for component in ["QEMU", "libvirt"] {
            if let version = MigrationSides.version(of: component, in: store) {
                versions[component] = MigrationSides.upstream(version.value)
            }
        }
        let now = report.now
        let horizon = now.addingTimeInterval(Double(FleetReport.calendarDays) * 86400)
        let listing = CertificateListing.make(store, now: now, warningDays: options.certificateWarningDays)
        var seen: Set<String> = []
        let certificates = listing.items.compactMap { item -> FleetReport.Certificate? in
            guard let notAfter = item.notAfter, notAfter <= horizon, seen.insert("\(item.path)#\(item.index)").inserted else { return nil }
            return FleetReport.Certificate(host: name, path: item.path, role: item.role, subject: item.subject, notAfter: notAfter,
                                           daysLeft: item.daysLeft, state: item.state)
        }
        let outcomes = report.findings.map {
            Outcome(id: $0.id, title: $0.title, severity: $0.severity, status: $0.status, summary: $0.summary, cause: $0.cause)
        }
        kept.append(Kept(host: host, findings: outcomes, macs: macs, cpuFlags: cpuFlags, versions: versions,
                         certificates: certificates, store: keepStores ? store : nil, options: keepStores ? options : nil))
    }

    public func finish(generatedAt: Date = Date(), now: Date? = nil) -> FleetReport {
        // The matrix: columns in the order the hosts' reports list them (catalog order).
        var checks: [String] = []
        var known: Set<String> = []
        var matrix: [FleetReport.MatrixRow] = []
        for host in kept {
            var statuses: [String: Status] = [:]
            for finding in host.findings {
                if known.insert(finding.id).inserted { checks.append(finding.id) }
                if let previous = statuses[finding.id], Self.rank(previous) >= Self.rank(finding.status) { continue }
                statuses[finding.id] = finding.status
            }
            matrix.append(.init(host: host.host.name, statuses: statuses))
        }
        let report = FleetReport(
            tool: .current, generatedAt: generatedAt, now: now, language: language, healthy: true, hosts: kept.map(\.host),
            unreadable: unreadable, checks: checks, matrix: matrix, problems: problems(order: checks),
            crossHost: .init(macCollisions: macCollisions(), cpuOutliers: cpuOutliers(), versionOutliers: versionOutliers(),
                             certificateCalendar: calendar()),
            migration: migrationMatrix())
        var result = report
        result.healthy = !report.hasCrossHostProblems && !kept.contains { $0.findings.contains { $0.status == .fail } }
        return result
    }

    static func rank(_ status: Status) -> Int {
        switch status {
        case .fail: 4
        case .error: 3
        case .warn: 2
        case .pass: 1
        case .skip: 0
        }
    }

    func problems(order: [String]) -> [FleetReport.Problem] {
        var grouped: [String: FleetReport.Problem] = [:]
        for host in kept {
            var counted: Set<String> = []
            for finding in host.findings where [.fail, .error, .warn].contains(finding.status) && finding.cause == nil {
                guard counted.insert(finding.id).inserted else { continue }
                var problem = grouped[finding.id]
                    ?? FleetReport.Problem(check: finding.id, title: finding.title, severity: finding.severity, hostCount: 0, hosts: [])
                problem.hosts.append(.init(host: host.host.name, status: finding.status, summary: finding.summary))
                problem.hostCount = problem.hosts.count
                problem.severity = max(problem.severity, finding.severity)
                grouped[finding.id] = problem
            }
        }
        let position = Dictionary(order.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return grouped.values.sorted { left, right in
            if left.hostCount != right.hostCount { return left.hostCount > right.hostCount }
            if left.severity != right.severity { return left.severity > right.severity }
            return (position[left.check] ?? 0) < (position[right.check] ?? 0)
        }
    }

    /// The same MAC in guests of different names on different hosts: both guests on one network collide.
    func macCollisions() -> [FleetReport.MACCollision] {
        var byMAC: [String: Set<FleetReport.GuestRef>] = [:]
        for host in kept {
            for entry in host.macs { byMAC[entry.mac, default: []].insert(.init(host: host.host.name, guest: entry.guest)) }
        }
        return byMAC.compactMap { mac, guests in
            guard Set(guests.map(\.host)).count > 1, Set(guests.map(\.guest)).count > 1 else { return nil }
            return .init(mac: mac, guests: guests.sorted { ($0.host, $0.guest) < ($1.host, $1.guest) })
        }.sorted { $0.mac < $1.mac }
    }

    /// Guest-visible features most hosts share (more than half of those whose CPUs are known, at least three),
    /// and each host that lacks some of them or has others.
    func cpuOutliers() -> [FleetReport.CPUOutlier] {
        let known = kept.compactMap { host in host.cpuFlags.map { (host.host.name, $0) } }
        guard known.count >= 3 else { return [] }
        var counts: [String: Int] = [:]
        for (_, flags) in known { for flag in flags { counts[flag, default: 0] += 1 } }
        let majority = Set(counts.filter { $0.value * 2 > known.count }.keys)
        return known.compactMap { name, flags in
            let missing = majority.subtracting(flags).sorted(), extra = flags.subtracting(majority).sorted()
            return missing.isEmpty && extra.isEmpty ? nil : .init(host: name, missing: missing, extra: extra)
        }
    }

    /// Hosts whose QEMU or libvirt differs from the version more than half of the hosts run (at least three known).
    func versionOutliers() -> [FleetReport.VersionOutlier] {
        var result: [FleetReport.VersionOutlier] = []
        for component in ["QEMU", "libvirt"] {
            let known = kept.compactMap { host in host.versions[component].map { (host.host.name, $0) } }
            guard known.count >= 3 else { continue }
            var counts: [String: Int] = [:]
            for (_, version) in known { counts[version, default: 0] += 1 }
            guard let top = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
                  top.value * 2 > known.count else { continue }
            let majority = top.key
            for (name, version) in known where version != majority {
                result.append(.init(component: component, host: name, version: version, majority: majority))
            }
        }
        return result
    }

    func calendar() -> [FleetReport.CertificateMonth] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var months: [String: [FleetReport.Certificate]] = [:]
        for host in kept {
            for certificate in host.certificates {
                let parts = calendar.dateComponents([.year, .month], from: certificate.notAfter)
                let month = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
                months[month, default: []].append(certificate)
            }
        }
        return months.keys.sorted().map { month in
            .init(month: month, certificates: months[month]!.sorted { ($0.notAfter, $0.host, $0.path) < ($1.notAfter, $1.host, $1.path) })
        }
    }

    func migrationMatrix() -> FleetReport.MigrationMatrix {
        let limit = FleetReport.migrationHostLimit
        guard keepStores, kept.count <= limit else {
            return .init(hostLimit: limit, capped: true,
                         note: strings("fleet_migration_capped", ["limit": String(limit), "count": String(max(kept.count, expectedHosts))]), pairs: [])
        }
        let runner = Runner(catalog: catalog.localized(language))
        var pairs: [FleetReport.MigrationPair] = []
        for source in kept {
            guard let sourceStore = source.store, let sourceOptions = source.options else { continue }
            let guests = MigrationDiagnosis.guestNames(sourceStore)
            for destination in kept where destination.host.name != source.host.name {
                guard let destinationStore = destination.store else { continue }
                let findings = MigrationDiagnosis.pairFindings(source: sourceStore, destination: destinationStore, guests: guests,
                                                               sourceOptions: sourceOptions, runner: runner, strings: strings)
                let failing = findings.filter { $0.status == .fail }
                let pairBlocked = failing.contains { $0.guest == nil }
                let blocked = guests.filter { guest in pairBlocked || failing.contains { $0.guest == guest } }
                pairs.append(.init(source: source.host.name, destination: destination.host.name, guests: guests.count,
                                   movable: guests.count - blocked.count, blockedGuests: blocked,
                                   failingChecks: Array(Set(failing.map(\.id))).sorted()))
            }
        }
        return .init(hostLimit: limit, capped: false, note: nil, pairs: pairs)
    }
}
