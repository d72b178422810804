import DoctorCore
import HostFacts

/// storage.image-location: guest images kept outside /var/lib/libvirt/images (or Xen's /var/lib/xen/images)
/// need a persistent SELinux rule before guests may use them; selinux.image-label judges the labels.
enum StorageImageLocation: CheckEvaluator {
    static let id = "storage.image-location"

    enum Condition: String, CaseIterable {
        case noImages = "no-images"
        /// Every image is in a standard directory.
        case standard
        /// `{count}` images in `{directories}`, outside the standard directories, with no local label rule.
        case elsewhere
        /// Outside, but a file_contexts.local rule covers every one of them.
        case elsewhereWithRule = "elsewhere-with-rule"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let images = try context.fact(Facts.guestImages).value
        guard !images.images.isEmpty else { return .skip(.noImages) }
        let outside = images.images.filter { !StorageSupport.isStandard($0.path) }
        var evidence = outside.prefix(20).map {
            Evidence(source: $0.guest.map { "guest \($0)" } ?? "image directory", value: $0.path, note: $0.exists ? nil : "file not found")
        }
        guard !outside.isEmpty else {
            evidence.append(Evidence(source: "guest images", value: "\(images.images.count) in \(StorageSupport.standardDirectories.joined(separator: " or "))"))
            return .pass(.standard, ["count": String(images.images.count)], evidence: evidence)
        }
        let directories = Array(Set(outside.map(\.directory))).sorted()
        var variables = ["count": String(outside.count), "directories": StorageSupport.list(directories),
                         "directory": directories[0]]
        // A local file-context rule (semanage fcontext) makes the directory a deliberate image store.
        let labels = context.optionalFact(Facts.imageLabels)?.value
        let uncovered = outside.filter { labels?.localRule(covering: $0.path) == nil }
        if uncovered.isEmpty, labels != nil {
            evidence.append(Evidence(source: "file_contexts.local", value: "a local rule covers every image outside the standard directories"))
            return .pass(.elsewhereWithRule, variables, evidence: evidence)
        }
        variables["guests"] = StorageSupport.list(Array(Set(outside.compactMap(\.guest))).sorted())
        return .warn(.elsewhere, variables, evidence: evidence)
    }
}
