import DoctorCore
import HostFacts

/// selinux.label-scope: local file-context rules that give a virtualization type to a general-purpose
/// directory (/, /home, /var ...) expose everything under it to QEMU and relabel files other services need.
enum SELinuxLabelScope: CheckEvaluator {
    static let id = "selinux.label-scope"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        /// No local rule gives a virtualization type.
        case noRules = "no-rules"
        /// Local virtualization rules, each on a dedicated directory.
        case scoped
        /// A rule covers a general-purpose directory.
        case tooBroad = "too-broad"
    }

    static let virtualizationTypes: Set<String> = ["virt_image_t", "xen_image_t", "svirt_image_t", "virt_content_t"]
    static let generalDirectories: Set<String> = ["/", "/home", "/root", "/etc", "/var", "/var/lib", "/srv", "/usr", "/opt", "/tmp",
                                                  "/mnt", "/media", "/boot", "/sys", "/proc", "/dev", "/run", "/var/tmp"]

    /// "/srv/vms(/.*)?" -> "/srv/vms"; "/(.*)" -> "/".
    static func base(of pattern: String) -> String {
        var path = ""
        for character in pattern {
            if "([.*?+|\\".contains(character) { break }
            path.append(character)
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path.isEmpty ? "/" : path
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let labels: ImageLabels
        do throws(FactError) {
            labels = try context.fact(Facts.imageLabels).value
        } catch .absent {
            return .skip(.notInstalled)
        }
        let rules = labels.localRules.filter { virtualizationTypes.contains(SELinuxSupport.type(of: $0.context) ?? "") }
        let file = "/etc/selinux/\(labels.policy)/contexts/files/file_contexts.local"
        guard !rules.isEmpty else {
            return .pass(.noRules, evidence: [Evidence(source: file, value: "no rule with a virtualization type")])
        }
        let evidence = rules.prefix(20).map { Evidence(source: file, value: "\($0.pattern) \($0.context)") }
        let broad = rules.filter { generalDirectories.contains(base(of: $0.pattern)) }
        guard !broad.isEmpty else {
            return .pass(.scoped, ["count": String(rules.count), "directories": StorageSupport.list(rules.map { base(of: $0.pattern) })],
                         evidence: evidence)
        }
        return .warn(.tooBroad, ["count": String(broad.count), "directories": StorageSupport.list(broad.map { base(of: $0.pattern) }),
                                 "pattern": broad[0].pattern, "type": SELinuxSupport.type(of: broad[0].context) ?? "virt_image_t"],
                     evidence: evidence)
    }
}
