import DoctorCore
import HostFacts

/// selinux.fcontext-persistent: image directories outside the defaults keep their label only through a
/// file_contexts.local rule; a chcon label is lost at the next relabel.
enum SELinuxFcontextPersistent: CheckEvaluator {
    static let id = "selinux.fcontext-persistent"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        case disabled
        case noCustomDirectories = "no-custom-directories"
        case persistent
        /// Directories labelled without a rule: `{directories}`.
        case noRule = "no-rule"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: SELinuxState
        do throws(FactError) {
            state = try context.fact(Facts.selinux).value
        } catch .absent {
            return .skip(.notInstalled)
        }
        guard state.runtimeMode != "disabled" else { return .skip(.disabled) }
        let labels = try context.fact(Facts.imageLabels).value
        // Only custom directories need a local rule; the policy already covers the defaults.
        let custom = labels.images.filter { image in
            SELinuxSupport.imageTypes.contains(image.type ?? "") && !ImageLabels.imageDirectories.contains { image.path.hasPrefix($0 + "/") }
        }
        guard !custom.isEmpty else { return .skip(.noCustomDirectories) }
        var evidence: [Evidence] = []
        var uncovered: [String] = []
        for directory in Set(custom.map { SELinuxSupport.directory(of: $0.path) }).sorted() {
            if let rule = labels.localRule(covering: directory + "/image") ?? labels.localRule(covering: directory) {
                evidence.append(Evidence(source: "file_contexts.local", value: "\(rule.pattern) \(rule.context)", note: "covers \(directory)"))
            } else {
                evidence.append(Evidence(source: directory, value: "labelled, but no file_contexts.local rule"))
                uncovered.append(directory)
            }
        }
        if uncovered.isEmpty {
            return .pass(.persistent, evidence: evidence)
        }
        // {directory} and {type} are for the remediation commands.
        var variables = listVariables("directories", uncovered)
        variables["directory"] = uncovered[0]
        variables["type"] = custom.first?.type == "xen_image_t" ? "xen_image_t" : "virt_image_t"
        return .warn(.noRule, variables, evidence: evidence)
    }
}
