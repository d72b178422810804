import DoctorCore
import HostFacts

enum SELinuxEvaluators {
    static let mode: Evaluator = { context throws(FactError) in
        let state: Sourced<SELinuxState>
        do throws(FactError) {
            state = try context.fact(Facts.selinux)
        } catch .absent {
            return .skip("SELinux is not installed on this system (no /etc/selinux/config, no selinuxfs); Debian and Ubuntu confine guests with AppArmor instead.")
        }
        let value = state.value
        var evidence = [Evidence(source: value.runtimeSource, value: value.runtimeMode)]
        if let configured = value.configuredMode {
            evidence.append(Evidence(source: "/etc/selinux/config", value: "SELINUX=\(configured)" + (value.policyType.map { ", SELINUXTYPE=\($0)" } ?? "")))
        }
        let variables = ["policy": value.policyType ?? "targeted"]
        switch value.runtimeMode {
        case "enforcing":
            if let configured = value.configuredMode, configured != "enforcing" {
                return Observation(.warn, "SELinux enforces now but /etc/selinux/config says \(configured): the next reboot drops the protection sVirt gives each guest.",
                                   evidence: evidence, conditions: ["not-persisted"], variables: variables)
            }
            return .pass("SELinux is enforcing, so sVirt keeps each guest in its own confinement.", evidence: evidence)
        case "permissive":
            return Observation(.warn, "SELinux is permissive: denials are logged but not enforced, so a compromised guest process is not contained by sVirt.",
                               evidence: evidence, conditions: ["permissive"], variables: variables)
        default:
            return Observation(.warn, "SELinux is disabled" + (value.configuredMode.map { " (config: \($0))" } ?? "") + ": guests run without sVirt confinement, and images lose the labels they need when it is turned back on.",
                               evidence: evidence, conditions: ["disabled"], variables: variables)
        }
    }
}

extension SELinuxEvaluators {
    /// Types QEMU may use under sVirt: images, labelled per guest at start, read-only media; Xen's own type.
    static let imageTypes: Set<String> = ["virt_image_t", "svirt_image_t", "virt_content_t", "xen_image_t", "svirt_tcg_t"]

    static func directory(of path: String) -> String {
        let parts = path.split(separator: "/")
        return "/" + parts.dropLast().joined(separator: "/")
    }

    static let imageLabels: Evaluator = { context throws(FactError) in
        let state: SELinuxState
        do throws(FactError) {
            state = try context.fact(Facts.selinux).value
        } catch .absent {
            return .skip("SELinux is not installed on this system: images need no SELinux labels.")
        }
        guard state.runtimeMode != "disabled" else {
            return .skip("SELinux is disabled: labels are not enforced (see selinux.mode).")
        }
        let labels = try context.fact(Facts.imageLabels).value
        guard !labels.images.isEmpty else { return .skip("No guest images were found (no file-backed disks, nothing in the image directories).") }
        let xen = context.optionalFact(Facts.xen)?.value.isDom0 == true
        let wanted = xen ? "xen_image_t" : "virt_image_t"
        let wrong = labels.images.filter { !imageTypes.contains($0.type ?? "") }
        var evidence = wrong.prefix(20).map { Evidence(source: $0.path, value: $0.context ?? "no SELinux label", note: $0.guest.map { "disk of \($0)" }) }
        evidence.append(Evidence(source: "images", value: "\(labels.images.count) inspected, \(wrong.count) with a type QEMU may not use"
                                 + (labels.notInspected > 0 ? "; \(labels.notInspected) not inspected (\(labels.limitReason ?? "limit"))" : "")))
        if wrong.isEmpty {
            return .pass("All \(labels.images.count) guest images carry a virtualization type (\(Set(labels.images.compactMap(\.type)).sorted().joined(separator: ", ")))"
                         + (labels.notInspected > 0 ? "; \(labels.notInspected) more were not inspected (\(labels.limitReason ?? "limit"))." : "."), evidence: evidence)
        }
        let directories = Array(Set(wrong.map { directory(of: $0.path) })).sorted()
        let status: Status = state.runtimeMode == "enforcing" ? .fail : .warn
        return Observation(status, "\(wrong.count) guest image\(wrong.count == 1 ? "" : "s") in \(directories.joined(separator: ", ")) \(wrong.count == 1 ? "has" : "have") a type QEMU may not use"
                           + (status == .fail ? ": with SELinux enforcing, the guests using them fail to start (\"Permission denied\" on the image)." : ": harmless only while SELinux is permissive."),
                           evidence: evidence, conditions: ["mislabeled"],
                           variables: ["directory": directories.first ?? "/var/lib/libvirt/images", "type": wanted])
    }

    static let persistentContexts: Evaluator = { context throws(FactError) in
        let state: SELinuxState
        do throws(FactError) {
            state = try context.fact(Facts.selinux).value
        } catch .absent {
            return .skip("SELinux is not installed on this system.")
        }
        guard state.runtimeMode != "disabled" else { return .skip("SELinux is disabled.") }
        let labels = try context.fact(Facts.imageLabels).value
        // Only custom directories need a local rule; the policy already covers the defaults.
        let custom = labels.images.filter { image in
            imageTypes.contains(image.type ?? "") && !ImageLabels.imageDirectories.contains { image.path.hasPrefix($0 + "/") }
        }
        guard !custom.isEmpty else { return .skip("No correctly labelled images outside the default image directories.") }
        var evidence: [Evidence] = []
        var uncovered: [String] = []
        for directory in Set(custom.map { directory(of: $0.path) }).sorted() {
            if let rule = labels.localRule(covering: directory + "/image") ?? labels.localRule(covering: directory) {
                evidence.append(Evidence(source: "file_contexts.local", value: "\(rule.pattern) \(rule.context)", note: "covers \(directory)"))
            } else {
                evidence.append(Evidence(source: directory, value: "labelled, but no file_contexts.local rule"))
                uncovered.append(directory)
            }
        }
        if uncovered.isEmpty {
            return .pass("Custom image directories have persistent file-context rules.", evidence: evidence)
        }
        return Observation(.warn, "\(uncovered.joined(separator: ", ")) \(uncovered.count == 1 ? "was" : "were") labelled by hand (chcon) without a persistent rule: the next restorecon or full relabel resets the images, and their guests stop starting.",
                           evidence: evidence, conditions: ["no-rule"],
                           variables: ["directory": uncovered[0], "type": custom.first?.type == "xen_image_t" ? "xen_image_t" : "virt_image_t"])
    }
}
