import DoctorCore
import Foundation

/// The words of the report chrome (headings, status and verdict words, command output) in one language,
/// from `report-templates/i18n/<lang>.yaml`. English is complete by construction; another language may lack
/// a key, and then the English text is used rather than a blank.
public struct Strings: Sendable {
    public let language: String
    private let table: [String: Phrase]
    private let english: [String: Phrase]

    public static let defaultLanguage = "en"

    /// Languages this build ships: every `i18n/<lang>.yaml`.
    public static let available: [String] = EmbeddedFiles.all.keys
        .filter { $0.hasSuffix(".yaml") && !$0.contains("/") }
        .map { String($0.dropLast(".yaml".count)) }
        .sorted()

    public struct UnknownLanguage: Error, CustomStringConvertible {
        public var language: String

        public init(language: String) {
            self.language = language
        }

        public var description: String {
            "no translation for language '\(language)'; available: \(Strings.available.joined(separator: ", "))"
        }
    }

    public static func load(_ language: String) throws(UnknownLanguage) -> Strings {
        guard let table = decoded(language) else { throw UnknownLanguage(language: language) }
        return Strings(language: language, table: table, english: decoded(defaultLanguage) ?? [:])
    }

    public static let english = Strings(language: defaultLanguage, table: decoded(defaultLanguage) ?? [:], english: decoded(defaultLanguage) ?? [:])

    private static func decoded(_ language: String) -> [String: Phrase]? {
        guard let json = EmbeddedFiles.all["\(language).yaml"] else { return nil }
        return try? JSONDecoder().decode([String: Phrase].self, from: Data(json.utf8))
    }

    /// The text of `key` with its placeholders filled; the key itself where neither table knows it, so a
    /// missing string shows in a test rather than as an empty heading.
    public func callAsFunction(_ key: String, _ variables: [String: String] = [:]) -> String {
        guard let phrase = table[key] ?? english[key] else { return key }
        return phrase.render(variables, language: language)
    }

    /// The same, choosing the plural form for `count`.
    public func callAsFunction(_ key: String, count: Int, _ variables: [String: String] = [:]) -> String {
        var all = variables
        all["count"] = String(count)
        return self(key, all)
    }

    public var keys: Set<String> { Set(table.keys) }

    public func phrase(_ key: String) -> Phrase? { table[key] }

    /// The language a user's locale asks for (`LC_ALL`, then `LC_MESSAGES`, then `LANG`, as gettext reads
    /// them), when this build ships it; nil for C/POSIX and for languages without a translation.
    public static func language(fromEnvironment environment: [String: String]) -> String? {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            let code = String(value.prefix { $0.isLetter }).lowercased()
            return available.contains(code) ? code : nil
        }
        return nil
    }
}
