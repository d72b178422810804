import DoctorCore
import Foundation

/// A value with the files or probes it came from, so every finding can cite its evidence.
public struct Sourced<Value: Sendable>: Sendable {
    public var value: Value
    public var sources: [String]

    public init(_ value: Value, sources: [String]) {
        self.value = value
        self.sources = sources
    }
}

/// A named fact and how to get it. The name is what `virt-doctor facts` prints and check files refer to.
public struct FactKey<Value: Codable & Sendable>: Sendable {
    public let name: String
    public let summary: String
    let compute: @Sendable (FactStore) throws(FactError) -> Sourced<Value>

    public init(_ name: String, _ summary: String, compute: @escaping @Sendable (FactStore) throws(FactError) -> Sourced<Value>) {
        self.name = name
        self.summary = summary
        self.compute = compute
    }

    public var erased: AnyFact {
        AnyFact(name: name, summary: summary) { store in store.record(self) }
    }
}

/// A fact of any type, for listings and declarative rules.
public struct AnyFact: Sendable {
    public let name: String
    public let summary: String
    public let record: @Sendable (FactStore) -> FactRecord
}


/// Computes each fact at most once per run, from one HostRoot. Safe to share between concurrently running
/// checks: a check that times out may still be computing while the next one starts.
public final class FactStore: @unchecked Sendable {
    public let root: HostRoot
    /// Extra certificate files or directories to inventory (`--cert`), as paths inside the root.
    public let extraCertificatePaths: [String]
    /// The libvirt URI to ask (`--connect`); nil means libvirt's default (qemu:///system as root).
    public let libvirtURI: String?
    /// How long the whole libvirt conversation may take before it is reported as hung.
    public let libvirtTimeout: Double
    /// Facts recorded on another machine (a bundle's facts.json): they win over what the root's files say,
    /// so an analysis judges exactly what the host saw, including what only the live host could answer.
    public let recorded: [String: FactRecord]
    private let lock = NSLock()
    private var cache: [String: Any] = [:]
    private var records: [String: FactRecord] = [:]

    public init(root: HostRoot, extraCertificatePaths: [String] = [], libvirtURI: String? = nil, libvirtTimeout: Double = 10,
                recorded: [FactRecord] = []) {
        self.root = root
        self.extraCertificatePaths = extraCertificatePaths
        self.libvirtURI = libvirtURI
        self.libvirtTimeout = libvirtTimeout
        self.recorded = Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func sourced<V>(_ key: FactKey<V>) -> Result<Sourced<V>, FactError> {
        if let cached = lock.withLock({ cache[key.name] }) as? Result<Sourced<V>, FactError> {
            return cached
        }
        let result: Result<Sourced<V>, FactError>
        if let record = recorded[key.name], let replayed: Result<Sourced<V>, FactError> = FactStore.replay(record) {
            result = replayed
        } else {
            do throws(FactError) {
                result = .success(try key.compute(self))
            } catch {
                result = .failure(error)
            }
        }
        lock.withLock { cache[key.name] = result }
        return result
    }

    /// The names of every fact asked for so far: a test compares them with the list `facts` prints and
    /// bundles record, so a fact a check reads can never be missing from a bundle.
    public var askedFactNames: Set<String> {
        lock.withLock { Set(cache.keys) }
    }

    public func get<V>(_ key: FactKey<V>) throws(FactError) -> V {
        try sourced(key).get().value
    }

    /// A recorded fact as the typed value it was, or nil when it no longer decodes (a newer tool's fact).
    static func replay<V: Decodable>(_ record: FactRecord) -> Result<Sourced<V>, FactError>? {
        guard record.available else { return .failure(record.error ?? .absent(record.name)) }
        guard let value = record.value, let data = try? JSONEncoder().encode(value) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let typed = try? decoder.decode(V.self, from: data) else { return nil }
        return .success(Sourced(typed, sources: record.sources.map { "recorded: \($0)" }))
    }

    /// The value as JSON-shaped data, with its sources or the reason it is missing. Cached: declarative
    /// rules and `facts` may ask for the same record many times.
    public func record<V>(_ key: FactKey<V>) -> FactRecord {
        if let cached = lock.withLock({ records[key.name] }) { return cached }
        let record: FactRecord
        switch sourced(key) {
        case .success(let sourced):
            record = FactRecord(name: key.name, summary: key.summary, available: true,
                                value: FactStore.factValue(sourced.value), sources: sourced.sources,
                                unavailableReason: nil, error: nil)
        case .failure(let error):
            record = FactRecord(name: key.name, summary: key.summary, available: false, value: nil, sources: [],
                                unavailableReason: error.description, error: error)
        }
        lock.withLock { records[key.name] = record }
        return record
    }

    /// Encodes once and converts the JSON object tree directly: decoding FactValue through Codable would
    /// try every case for every value.
    static func factValue<V: Encodable>(_ value: V) -> FactValue {
        if let direct = value as? FactValueRepresentable { return direct.factValue }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return .null
        }
        return FactValue(jsonObject: object)
    }
}

/// Facts that declarative rules read often convert themselves, skipping the JSON round trip.
/// The conversion must equal what JSONEncoder would produce (a test compares them).
public protocol FactValueRepresentable {
    var factValue: FactValue { get }
}

extension FactValue {
    /// From JSONSerialization's object tree. NSNumber booleans are told apart from numbers by their type.
    init(jsonObject: Any) {
        switch jsonObject {
        case let text as String: self = .string(text)
        case let number as NSNumber:
            // Booleans come back as NSNumbers of C type "c" (char).
            if String(cString: number.objCType) == "c" { self = .bool(number.boolValue) }
            else if let exact = Int(exactly: number.doubleValue), !String(describing: number).contains(".") { self = .int(exact) }
            else { self = .double(number.doubleValue) }
        case let list as [Any]: self = .list(list.map(FactValue.init(jsonObject:)))
        case let members as [String: Any]: self = .object(members.mapValues(FactValue.init(jsonObject:)))
        default: self = .null
        }
    }
}
