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

/// How a fact looks in `virt-doctor facts` and in a bundle's facts.json.
public struct FactRecord: Codable, Sendable, Equatable {
    public var name: String
    public var summary: String
    public var available: Bool
    public var value: FactValue?
    public var sources: [String]
    public var unavailableReason: String?
    public var error: FactError?
}

/// Computes each fact at most once per run, from one HostRoot. Safe to share between concurrently running
/// checks: a check that times out may still be computing while the next one starts.
public final class FactStore: @unchecked Sendable {
    public let root: HostRoot
    private let lock = NSLock()
    private var cache: [String: Any] = [:]

    public init(root: HostRoot) {
        self.root = root
    }

    public func sourced<V>(_ key: FactKey<V>) -> Result<Sourced<V>, FactError> {
        if let cached = lock.withLock({ cache[key.name] }) as? Result<Sourced<V>, FactError> {
            return cached
        }
        let result: Result<Sourced<V>, FactError>
        do throws(FactError) {
            result = .success(try key.compute(self))
        } catch {
            result = .failure(error)
        }
        lock.withLock { cache[key.name] = result }
        return result
    }

    public func get<V>(_ key: FactKey<V>) throws(FactError) -> V {
        try sourced(key).get().value
    }

    /// The value as JSON-shaped data, with its sources or the reason it is missing.
    public func record<V>(_ key: FactKey<V>) -> FactRecord {
        switch sourced(key) {
        case .success(let sourced):
            return FactRecord(name: key.name, summary: key.summary, available: true,
                              value: FactStore.factValue(sourced.value), sources: sourced.sources,
                              unavailableReason: nil, error: nil)
        case .failure(let error):
            return FactRecord(name: key.name, summary: key.summary, available: false, value: nil, sources: [],
                              unavailableReason: error.description, error: error)
        }
    }

    static func factValue<V: Encodable>(_ value: V) -> FactValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value), let decoded = try? JSONDecoder().decode(FactValue.self, from: data) else {
            return .null
        }
        return decoded
    }
}
