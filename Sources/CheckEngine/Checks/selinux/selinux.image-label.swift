import DoctorCore
import HostFacts

/// selinux.image-label: every guest image carries a type QEMU may open under sVirt.
enum SELinuxImageLabel: CheckEvaluator {
    static let id = "selinux.image-label"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        case disabled
        case noImages = "no-images"
        /// Every image is labelled right (`{count}` of them, types `{types}`).
        case labelled
        /// Every inspected image is labelled right; `{uninspected}` more were not inspected (`{reason}`).
        case labelledPartly = "labelled-partly"
        /// Wrong types while SELinux enforces: the guests fail to start.
        case mislabeled
        /// Wrong types while SELinux is permissive.
        case mislabeledPermissive = "mislabeled-permissive"
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
        guard !labels.images.isEmpty else { return .skip(.noImages) }
        let xen = context.optionalFact(Facts.xen)?.value.isDom0 == true
        let wanted = xen ? "xen_image_t" : "virt_image_t"
        let wrong = labels.images.filter { !SELinuxSupport.imageTypes.contains($0.type ?? "") }
        var evidence = wrong.prefix(20).map { Evidence(source: $0.path, value: $0.context ?? "no SELinux label", note: $0.guest.map { "disk of \($0)" }) }
        evidence.append(Evidence(source: "images", value: "\(labels.images.count) inspected, \(wrong.count) with a type QEMU may not use"
                                 + (labels.notInspected > 0 ? "; \(labels.notInspected) not inspected (\(labels.limitReason ?? "limit"))" : "")))
        if wrong.isEmpty {
            var variables = ["count": String(labels.images.count),
                             "types": Set(labels.images.compactMap(\.type)).sorted().joined(separator: ", ")]
            guard labels.notInspected > 0 else { return .pass(.labelled, variables, evidence: evidence) }
            variables["uninspected"] = String(labels.notInspected)
            // The inspection always records why it stopped; "limit" only guards a reason that went missing.
            variables["reason"] = labels.limitReason ?? "limit"
            return .pass(.labelledPartly, variables, evidence: evidence)
        }
        let directories = Array(Set(wrong.map { SELinuxSupport.directory(of: $0.path) })).sorted()
        // {directory} and {type} are for the remediation commands: the first directory, and the type it needs.
        let variables = ["count": String(wrong.count), "directories": directories.joined(separator: ", "),
                         "directory": directories.first ?? "/var/lib/libvirt/images", "type": wanted]
        if state.runtimeMode == "enforcing" {
            return .fail(.mislabeled, variables, evidence: evidence)
        }
        return .warn(.mislabeledPermissive, variables, evidence: evidence)
    }
}
