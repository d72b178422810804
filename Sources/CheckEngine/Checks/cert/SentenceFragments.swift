import DoctorCore

/// Some summaries list problems of different kinds in the order they were found ("A is missing; B is not
/// valid at ..."). Each kind's words are a fragment condition in the check file's `summaries:`, never reported
/// on its own; the evaluator fills the fragments and joins them into one `{problems}` variable. The runner
/// hands evaluators their check already translated, so the fragments come out in the reader's language.
/// Used by the remote, sec, dom and cert evaluators; it belongs beside `listVariables` in CheckEvaluator.swift.
extension EvaluationContext {
    /// A fragment's words with its values filled in. Fragments are plain phrases (no plural forms: the
    /// evaluator does not know the reader's plural rules), so where English needs "1 day" and "2 days", there
    /// are two fragments.
    func fragment<Fragment: RawRepresentable>(_ fragment: Fragment, _ variables: [String: String] = [:]) -> String
    where Fragment.RawValue == String {
        guard let phrase = check.summaries[fragment.rawValue] else { return fragment.rawValue }
        return phrase.render(variables, language: "en")
    }
}
