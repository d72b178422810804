import Foundation

/// How a fact looks in `virt-doctor facts` and in a bundle's facts.json.
public struct FactRecord: Codable, Sendable, Equatable {
    public var name: String
    public var summary: String
    public var available: Bool
    public var value: FactValue?
    public var sources: [String]
    public var unavailableReason: String?
    public var error: FactError?

    public init(name: String, summary: String, available: Bool, value: FactValue?, sources: [String], unavailableReason: String?, error: FactError?) {
        self.name = name
        self.summary = summary
        self.available = available
        self.value = value
        self.sources = sources
        self.unavailableReason = unavailableReason
        self.error = error
    }
}

/// `virt-doctor facts --format json` and a bundle's facts.json: one declaration, so what `facts` prints is
/// exactly what `analyze` reads back.
public struct FactsDocument: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public var schemaVersion: Int
    public var root: String
    public var facts: [FactRecord]

    public init(root: String, facts: [FactRecord]) {
        self.schemaVersion = FactsDocument.currentSchemaVersion
        self.root = root
        self.facts = facts
    }
}

/// The one JSON style of everything the tool writes: stable key order for diffs, readable indentation,
/// paths unescaped, instants in RFC 3339.
public enum JSONFormat {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A value as JSON text with a final newline, as printed.
    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self) + "\n"
    }
}
