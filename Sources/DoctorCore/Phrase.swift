/// A sentence from the catalog or the report chrome, with `{name}` placeholders, in one language.
/// Where the words depend on a number ("1 guest uses" / "2 guests use"; Russian has three forms), the
/// sentence is a table of plural forms keyed by CLDR category (`one`, `few`, `many`, `other`) and the
/// variable `count` picks the form.
///
///     summaries:
///       off: "IPv4 forwarding is off."
///       inactive:
///         one: "Guest {guests} uses the network 'default', which is not running."
///         other: "Guests {guests} use the network 'default', which is not running."
public enum Phrase: Codable, Sendable, Equatable {
    case plain(String)
    case plural([String: String])

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            self = .plain(text)
            return
        }
        let forms = try single.decode([String: String].self)
        let unknown = forms.keys.filter { !PluralCategory.names.contains($0) }
        guard unknown.isEmpty else {
            throw DecodingError.dataCorruptedError(
                in: single, debugDescription: "unknown plural form(s) \(unknown.sorted().joined(separator: ", ")); use one, few, many, other")
        }
        guard forms["other"] != nil || forms["many"] != nil else {
            throw DecodingError.dataCorruptedError(in: single, debugDescription: "a plural phrase needs an 'other' (or 'many') form")
        }
        self = .plural(forms)
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .plain(let text): try single.encode(text)
        case .plural(let forms): try single.encode(forms)
        }
    }

    /// Every form, for checks over the text (placeholders, translations).
    public var forms: [String] {
        switch self {
        case .plain(let text): [text]
        case .plural(let forms): forms.keys.sorted().map { forms[$0]! }
        }
    }

    /// The names of the `{placeholders}` the phrase uses, over all its forms.
    public var placeholders: Set<String> {
        Set(forms.flatMap(Phrase.placeholders(in:)))
    }

    /// The sentence for these values, in `language`'s plural rules. A placeholder without a value stays
    /// visible as `{name}` so a missing variable shows in the report instead of silently vanishing.
    public func render(_ variables: [String: String], language: String) -> String {
        let template: String
        switch self {
        case .plain(let text):
            template = text
        case .plural(let forms):
            let count = variables["count"].flatMap { Int($0) } ?? 0
            let category = PluralCategory.of(count, language: language)
            template = forms[category.rawValue] ?? forms["other"] ?? forms["many"] ?? forms.values.first ?? ""
        }
        return Phrase.fill(template, variables)
    }

    public static func fill(_ template: String, _ variables: [String: String]) -> String {
        guard template.contains("{") else { return template }
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else { break }
            let name = String(rest[afterOpen..<close])
            if let value = variables[name], Phrase.isName(name) {
                result += value
            } else {
                result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }

    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else { break }
            let name = String(rest[afterOpen..<close])
            if isName(name) { names.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// `{guests}` is a placeholder; braces around anything that is not a simple name (`{ "a": 1 }` in a JSON
    /// example, `{print $2}` in an awk command) are text.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } && text.first!.isLetter
    }
}

/// CLDR plural categories, with the rules of the languages the tool ships.
public enum PluralCategory: String, Sendable, CaseIterable {
    case one, few, many, other

    static let names = Set(allCases.map(\.rawValue))

    public static func of(_ count: Int, language: String) -> PluralCategory {
        let n = count.magnitude
        switch language {
        case "ru", "uk", "be":
            // 1, 21, 31 ... one; 2-4, 22-24 ... few; 0, 5-20, 25-30 ... many.
            let lastDigit = n % 10, lastTwo = n % 100
            if lastDigit == 1 && lastTwo != 11 { return .one }
            if (2...4).contains(lastDigit) && !(12...14).contains(lastTwo) { return .few }
            return .many
        default:
            return n == 1 ? .one : .other
        }
    }
}
