import Foundation

/// The report model. JSON output is exactly this, so its field names are a contract with scripts:
/// add fields freely, but rename or remove one only together with a new `schemaVersion`.
public struct Report: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public struct Tool: Codable, Sendable, Equatable {
        public var name: String
        public var version: String

        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }

        /// This build.
        public static let current = Tool(name: "virt-doctor", version: "0.1.0")
    }

    public struct ProfileInfo: Codable, Sendable, Equatable {
        /// What the user asked for (auto, host, guest, ...).
        public var requested: String
        /// What the run used.
        public var effective: Profile
        public var reason: String

        public init(requested: String, effective: Profile, reason: String) {
            self.requested = requested
            self.effective = effective
            self.reason = reason
        }
    }

    public struct Host: Codable, Sendable, Equatable {
        public var hostname: String?
        public var kernel: String?
        public var os: String?
        public var architecture: String?
        /// "/" for the live machine, else the directory read.
        public var root: String
        /// What the machine is: bare metal, a VM, a container; from the detection facts.
        public var virtualization: String?

        public init(hostname: String?, kernel: String?, os: String?, architecture: String?, root: String, virtualization: String?) {
            self.hostname = hostname
            self.kernel = kernel
            self.os = os
            self.architecture = architecture
            self.root = root
            self.virtualization = virtualization
        }

        // Explicit nulls, so `host.kernel` exists in every report even when it could not be read.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(hostname, forKey: .hostname)
            try c.encode(kernel, forKey: .kernel)
            try c.encode(os, forKey: .os)
            try c.encode(architecture, forKey: .architecture)
            try c.encode(root, forKey: .root)
            try c.encode(virtualization, forKey: .virtualization)
        }
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var pass = 0
        public var warn = 0
        public var fail = 0
        public var skip = 0
        public var error = 0
        /// Problems reported as consequences of another finding (also counted under their status above).
        public var consequences = 0

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            pass = try c.decode(Int.self, forKey: .pass)
            warn = try c.decode(Int.self, forKey: .warn)
            fail = try c.decode(Int.self, forKey: .fail)
            skip = try c.decode(Int.self, forKey: .skip)
            error = try c.decode(Int.self, forKey: .error)
            consequences = try c.decodeIfPresent(Int.self, forKey: .consequences) ?? 0
        }

        public init(_ findings: [Finding]) {
            for finding in findings {
                if finding.cause != nil { consequences += 1 }
                switch finding.status {
                case .pass: pass += 1
                case .warn: warn += 1
                case .fail: fail += 1
                case .skip: skip += 1
                case .error: error += 1
                }
            }
        }
    }

    public var schemaVersion: Int
    public var tool: Tool
    /// When the report was produced (the real clock).
    public var generatedAt: Date
    /// The instant the checks were evaluated against (`--now`, default: generatedAt).
    public var now: Date
    public var profile: ProfileInfo
    public var host: Host
    public var score: Score
    public var verdict: Verdict
    public var counts: Counts
    public var findings: [Finding]
    /// The language of the report's sentences (`en`, `ru`); the JSON keys and status words stay English.
    public var language: String
    /// What the evidence was (live host, bundle, directory, sos report) and what it could not hold.
    public var evidence: EvidenceSource?
    /// `migrate` only: the host a guest would move to (`host` is the source) and what its evidence was.
    public var destination: Host?
    public var destinationEvidence: EvidenceSource?

    public init(tool: Tool, generatedAt: Date, now: Date, profile: ProfileInfo, host: Host, findings: [Finding], language: String = "en") {
        self.schemaVersion = Report.currentSchemaVersion
        self.tool = tool
        self.generatedAt = generatedAt
        self.now = now
        self.profile = profile
        self.host = host
        self.findings = findings
        self.score = Score(findings)
        self.verdict = Verdict(findings)
        self.counts = Counts(findings)
        self.language = language
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        tool = try c.decode(Tool.self, forKey: .tool)
        generatedAt = try c.decode(Date.self, forKey: .generatedAt)
        now = try c.decode(Date.self, forKey: .now)
        profile = try c.decode(ProfileInfo.self, forKey: .profile)
        host = try c.decode(Host.self, forKey: .host)
        score = try c.decode(Score.self, forKey: .score)
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        counts = try c.decode(Counts.self, forKey: .counts)
        findings = try c.decode([Finding].self, forKey: .findings)
        // Reports written before the field existed are English.
        language = try c.decodeIfPresent(String.self, forKey: .language) ?? "en"
        evidence = try c.decodeIfPresent(EvidenceSource.self, forKey: .evidence)
        destination = try c.decodeIfPresent(Host.self, forKey: .destination)
        destinationEvidence = try c.decodeIfPresent(EvidenceSource.self, forKey: .destinationEvidence)
    }

    public func encodedJSON() throws -> Data {
        try JSONFormat.encoder().encode(self)
    }

    public static func decode(json: Data) throws -> Report {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Report.self, from: json)
    }
}
