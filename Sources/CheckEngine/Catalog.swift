import DoctorCore
import Foundation
import HostFacts
import Yams

/// The set of checks a run knows: the built-in catalog compiled from `checks/`, optionally extended or
/// overridden (same id) by YAML files from `--checks-dir`.
public struct Catalog: Sendable {
    public private(set) var checks: [CheckDefinition]
    /// Where each check was defined, for error messages and `explain`.
    public private(set) var origins: [String: String]
    /// Translations of the checks' words, by language and check id (`checks/<area>/<id>.<lang>.yaml`).
    public private(set) var translations: [String: [String: CheckTranslation]] = [:]

    public struct LoadError: Error, CustomStringConvertible {
        public var file: String
        public var detail: String
        public var description: String { "\(file): \(detail)" }
    }

    public init(checks: [CheckDefinition], origins: [String: String] = [:]) {
        self.checks = checks
        self.origins = origins
    }

    /// The checks built into this binary.
    public static func builtIn() throws -> Catalog {
        var catalog = Catalog(checks: [])
        for (path, json) in EmbeddedFiles.all.sorted(by: { $0.key < $1.key }) where isCheckFile(path) {
            try catalog.add(try decode(json: json, file: "checks/" + path), origin: "built-in checks/\(path)")
        }
        for (path, json) in EmbeddedFiles.all.sorted(by: { $0.key < $1.key }) where isTranslationFile(path) {
            do {
                catalog.addTranslation(try JSONDecoder().decode(CheckTranslation.self, from: Data(json.utf8)))
            } catch {
                throw LoadError(file: "checks/" + path, detail: "\(error)")
            }
        }
        return catalog
    }

    /// The catalog with every check's words in `language` where a translation has them (English otherwise).
    public func localized(_ language: String) -> Catalog {
        guard let table = translations[language] else { return self }
        var copy = self
        copy.checks = checks.map { $0.translated(by: table[$0.id]) }
        return copy
    }

    mutating func addTranslation(_ translation: CheckTranslation) {
        translations[translation.lang, default: [:]][translation.id] = translation
    }

    /// Adds or replaces checks from every `*.yaml` / `*.yml` file below a directory.
    public mutating func merge(directory: String) throws {
        let base = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(file: directory, detail: "not a directory")
        }
        let all = (FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .sorted { $0.path < $1.path }
        let files = all.filter { Catalog.isCheckFile($0.path) }
        // Within --checks-dir each id is defined once: two files with the same id would otherwise shadow
        // each other silently, by file name order. Overriding a built-in check stays allowed.
        var definedHere: [String: String] = [:]
        for file in files {
            let text = try Catalog.readCheckFile(file)
            let check = try Catalog.decode(text, file: file.path)
            if let earlier = definedHere[check.id] {
                throw LoadError(file: file.path, detail: "check id '\(check.id)' is already defined in \(earlier); each id may be defined only once in --checks-dir")
            }
            definedHere[check.id] = file.path
            try add(check, origin: file.path)
        }
        // Translations of --checks-dir checks sit beside them, as for the built-in ones.
        for file in all where Catalog.isTranslationFile(file.path) {
            let text = try Catalog.readCheckFile(file)
            do {
                _ = try SafeYAML.inspect(text)
                addTranslation(try YAMLDecoder().decode(CheckTranslation.self, from: text))
            } catch let refusal as SafeYAML.Refusal {
                throw LoadError(file: file.path, detail: refusal.description)
            } catch {
                throw LoadError(file: file.path, detail: "not a readable translation: \(error)")
            }
        }
    }

    /// Only regular files, read with a bound: a check file linked to /dev/zero or a FIFO must not hang the run
    /// or fill memory.
    static func readCheckFile(_ file: URL) throws -> String {
        do {
            var info = stat()
            guard stat(file.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw LoadError(file: file.path, detail: "not a regular file")
            }
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            let data = try handle.read(upToCount: Catalog.maximumFileBytes + 1) ?? Data()
            guard data.count <= Catalog.maximumFileBytes else {
                throw LoadError(file: file.path, detail: "larger than \(Catalog.maximumFileBytes) bytes; a check file is a few kilobytes")
            }
            return String(decoding: data, as: UTF8.self)
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(file: file.path, detail: "cannot be read: \(error.localizedDescription)")
        }
    }

    /// The most one check file may hold.
    public static let maximumFileBytes = 1 << 20

    /// Weights a check file may set (see CheckDefinition.weightRange).
    public static let weightRange = CheckDefinition.weightRange

    mutating func add(_ check: CheckDefinition, origin: String) throws {
        if let index = checks.firstIndex(where: { $0.id == check.id }) {
            checks[index] = check
        } else {
            checks.append(check)
        }
        origins[check.id] = origin
    }

    public func check(id: String) -> CheckDefinition? { checks.first { $0.id == id } }

    /// A check file: YAML, not hidden, not a translation (`<id>.<lang>.yaml`), not the report words (`i18n/`).
    static func isCheckFile(_ path: String) -> Bool {
        isYAML(path) && CheckTranslation.language(ofFile: path) == nil
    }

    static func isTranslationFile(_ path: String) -> Bool {
        isYAML(path) && CheckTranslation.language(ofFile: path) != nil
    }

    static func isYAML(_ path: String) -> Bool {
        (path.hasSuffix(".yaml") || path.hasSuffix(".yml")) && !(path.split(separator: "/").last?.hasPrefix(".") ?? true)
    }

    /// Decodes a check file read at run time. Anchors, aliases and complex keys are refused first: they
    /// let a few hundred bytes expand into billions of nodes before decoding ends (see SafeYAML).
    public static func decode(_ text: String, file: String) throws -> CheckDefinition {
        do {
            let shape = try SafeYAML.inspect(text)
            if shape.isEmpty { throw LoadError(file: file, detail: "the file holds no check") }
        } catch let refusal as SafeYAML.Refusal {
            throw LoadError(file: file, detail: refusal.description)
        }
        return try validated(file: file) { try YAMLDecoder().decode(CheckDefinition.self, from: text) }
    }

    /// The built-in catalog, which the build stored as JSON (see EmbedGen).
    static func decode(json: String, file: String) throws -> CheckDefinition {
        try validated(file: file) { try JSONDecoder().decode(CheckDefinition.self, from: Data(json.utf8)) }
    }

    static func validated(file: String, _ decode: () throws -> CheckDefinition) throws -> CheckDefinition {
        let check: CheckDefinition
        do {
            check = try decode()
        } catch let error as DecodingError {
            throw LoadError(file: file, detail: describe(error))
        } catch {
            throw LoadError(file: file, detail: "\(error)")
        }
        if let problem = validate(check) { throw LoadError(file: file, detail: problem) }
        return check
    }

    /// What a check file must satisfy before the engine will run it.
    static func validate(_ check: CheckDefinition) -> String? {
        if check.id.isEmpty || check.id.contains(where: { $0.isWhitespace }) { return "id must be a non-empty word" }
        if check.evaluator != nil && check.rule != nil { return "\(check.id): set 'evaluator' or 'rule', not both" }
        if check.rule == nil {
            guard let evaluator = Evaluators.registry[check.evaluatorName] else {
                let shared = Evaluators.registry.values.filter { !$0.id.contains(".") || $0.id.hasPrefix("certificate.") }.map(\.id).sorted()
                return check.evaluator == nil
                    ? "\(check.id): no 'rule', and this build has no evaluator for the id \(check.id) (give a rule, or a shared evaluator: \(shared.joined(separator: ", ")))"
                    : "\(check.id): evaluator '\(check.evaluatorName)' is not registered (known: \(Evaluators.registry.keys.sorted().joined(separator: ", ")))"
            }
            let unknown = Set(check.summaries.keys).subtracting(evaluator.conditions)
            if !unknown.isEmpty {
                return "\(check.id): summaries for conditions the evaluator never reports: \(unknown.sorted().joined(separator: ", ")) (it reports: \(evaluator.conditions.joined(separator: ", ")))"
            }
            for (name, value) in check.parameters.sorted(by: { $0.key < $1.key }) {
                guard let spec = evaluator.parameters[name] else {
                    return "\(check.id): unknown parameter '\(name)' (the evaluator takes: \(evaluator.parameters.keys.sorted().joined(separator: ", ")))"
                }
                if let problem = spec.problem(with: value) { return "\(check.id): parameter '\(name)': \(problem)" }
            }
            for (name, _) in evaluator.parameters where check.parameters[name] == nil {
                return "\(check.id): parameter '\(name)' is required"
            }
        }
        if let rule = check.rule {
            for comparison in [rule.comparison] + rule.onlyIf.map(\.comparison) {
                if comparison.testCount != 1 {
                    return "\(check.id): a rule comparison needs exactly one of equals, notEquals, contains, notContains, oneOf, atLeast, atMost"
                }
                // NaN compares false with everything, so such a rule could never pass or fail as written.
                if let bound = comparison.atLeast ?? comparison.atMost, !bound.isFinite {
                    return "\(check.id): atLeast and atMost need a finite number"
                }
            }
        }
        if check.profiles.isEmpty { return "\(check.id): 'profiles' is empty" }
        for message in check.messages {
            // An empty or tiny fragment would match every log line and every pasted text.
            let length = message.text.trimmingCharacters(in: .whitespaces).count
            if length < 4 || length > 512 { return "\(check.id): a message text must be 4 to 512 characters of the error as software prints it" }
            if message.cause.isEmpty { return "\(check.id): the message \"\(message.text)\" has no cause" }
        }
        if let weight = check.weight, !weightRange.contains(weight) {
            return "\(check.id): weight \(weight) is outside \(weightRange.lowerBound)...\(weightRange.upperBound)"
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return keys.isEmpty ? "" : " at '\(keys)'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context): return "wrong type\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value\(path(context))"
        case .dataCorrupted(let context): return "invalid\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
