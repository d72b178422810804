/// The words of one check in another language, kept beside it as `checks/<area>/<id>.<lang>.yaml`.
/// Only text is translated: commands, paths, conditions, severities and examples stay in the check file,
/// so a translation can never change what a check decides or what a user is told to type.
public struct CheckTranslation: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public var title: String
        public var notes: String?
    }

    public struct RuleText: Codable, Sendable, Equatable {
        public var pass: String?
        public var problem: String?
        /// The skip reasons of `onlyIf`, in order.
        public var onlyIf: [String]?
    }

    public var id: String
    public var lang: String
    public var title: String?
    public var rationale: String?
    public var detection: String?
    /// One entry per remediation step of the check, in the same order.
    public var remediation: [Step]?
    public var summaries: [String: Phrase]?
    public var rule: RuleText?
    /// The causes of the check's `messages`, in the same order (the message text itself stays verbatim).
    public var messages: [String]?
    public var needsRoot: String?

    public init(id: String, lang: String) {
        self.id = id
        self.lang = lang
    }

    /// A translation file is named like its check with the language before `.yaml`: `net.ip-forward.ru.yaml`.
    /// Check ids always have a dot-separated area, so a two-letter last segment after the id means a language.
    public static func language(ofFile path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) {
            let stem = name.dropLast(suffix.count)
            let parts = stem.split(separator: ".")
            guard parts.count >= 3, let last = parts.last, last.count == 2, last.allSatisfy({ $0.isLowercase && $0.isLetter }) else {
                return nil
            }
            return String(last)
        }
        return nil
    }
}

extension CheckDefinition {
    /// The check with its words replaced by the translation's; what the translation leaves out stays English.
    public func translated(by translation: CheckTranslation?) -> CheckDefinition {
        guard let translation, translation.id == id else { return self }
        var check = self
        if let title = translation.title { check.title = title }
        if let rationale = translation.rationale { check.rationale = rationale }
        if let detection = translation.detection { check.detection = detection }
        if let needsRoot = translation.needsRoot { check.needsRoot = needsRoot }
        if let steps = translation.remediation, steps.count == remediation.count {
            for (index, step) in steps.enumerated() {
                check.remediation[index].title = step.title
                if let notes = step.notes, check.remediation[index].notes != nil { check.remediation[index].notes = notes }
            }
        }
        for (condition, phrase) in translation.summaries ?? [:] where summaries[condition] != nil {
            check.summaries[condition] = phrase
        }
        if let text = translation.rule, var rule = check.rule {
            if let pass = text.pass { rule.pass = pass }
            if let problem = text.problem { rule.problem = problem }
            if let reasons = text.onlyIf, reasons.count == rule.onlyIf.count {
                for (index, reason) in reasons.enumerated() { rule.onlyIf[index].reason = reason }
            }
            check.rule = rule
        }
        if let causes = translation.messages, causes.count == messages.count {
            for (index, cause) in causes.enumerated() { check.messages[index].cause = cause }
        }
        return check
    }

    /// What a translation of this check must not get wrong, as sentences; empty when it is sound.
    /// A placeholder the English text does not have would print as `{name}`; a step count that differs
    /// would put a title above the wrong commands.
    public func translationProblems(_ translation: CheckTranslation) -> [String] {
        var problems: [String] = []
        let where_ = "\(id) (\(translation.lang))"
        if translation.id != id { problems.append("\(where_): the file names id \(translation.id)") }
        if translation.title == nil { problems.append("\(where_): no title") }
        if let steps = translation.remediation, steps.count != remediation.count {
            problems.append("\(where_): \(steps.count) remediation steps, the check has \(remediation.count)")
        } else if translation.remediation == nil && !remediation.isEmpty {
            problems.append("\(where_): no remediation steps")
        }
        for condition in summaries.keys.sorted() {
            guard let phrase = translation.summaries?[condition] else {
                problems.append("\(where_): no summary for condition '\(condition)'")
                continue
            }
            let extra = phrase.placeholders.subtracting(summaries[condition]!.placeholders)
            if !extra.isEmpty {
                problems.append("\(where_): summary '\(condition)' names \(extra.sorted().map { "{\($0)}" }.joined(separator: ", ")), which the English text does not have")
            }
        }
        for condition in (translation.summaries ?? [:]).keys where summaries[condition] == nil {
            problems.append("\(where_): summary for unknown condition '\(condition)'")
        }
        for (index, step) in (translation.remediation ?? []).enumerated() where index < remediation.count {
            let english = Set(Phrase.placeholders(in: remediation[index].title + (remediation[index].notes ?? "")))
            let translated = Set(Phrase.placeholders(in: step.title + (step.notes ?? "")))
            let extra = translated.subtracting(english)
            if !extra.isEmpty { problems.append("\(where_): step \(index + 1) names \(extra.sorted().map { "{\($0)}" }.joined(separator: ", ")), which the English step does not have") }
        }
        if let rule, translation.rule == nil { problems.append("\(where_): no rule text (pass/problem\(rule.onlyIf.isEmpty ? "" : "/onlyIf"))") }
        if !messages.isEmpty && (translation.messages?.count ?? 0) != messages.count {
            problems.append("\(where_): \(translation.messages?.count ?? 0) message causes, the check has \(messages.count)")
        }
        return problems
    }
}
