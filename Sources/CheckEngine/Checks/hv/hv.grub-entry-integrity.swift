import DoctorCore
import HostFacts

/// hv.grub-entry-integrity: every file the default boot entry loads (Xen image, kernel, initrds) is on
/// /boot and not empty; a Xen entry also names the dom0 kernel. A partly copied Xen entry panics at boot.
enum HVGrubEntryIntegrity: CheckEvaluator {
    static let id = "hv.grub-entry-integrity"

    enum Condition: String, CaseIterable {
        case noEntries = "no-entries"
        /// /boot holds no kernel image at all: not mounted, or a copy without the images.
        case imagesNotCaptured = "images-not-captured"
        /// A Xen entry without the dom0 kernel module line.
        case xenNoKernel = "xen-no-kernel"
        /// Files the entry names are not on /boot: `files`, `count`.
        case missing
        /// Files the entry names are empty: `files`, `count`.
        case empty
        /// A Xen entry without an initrd module.
        case xenNoInitrd = "xen-no-initrd"
        case complete
    }

    /// Where a path from a boot entry lies in the root: GRUB reads from the boot partition, so `/vmlinuz-x`
    /// is /boot/vmlinuz-x when /boot is its own file system, and /vmlinuz-x or /boot/vmlinuz-x otherwise.
    static func candidates(_ path: String) -> [String] {
        var path = path
        // "(hd0,msdos1)/vmlinuz-..." names the device first.
        if path.hasPrefix("("), let close = path.firstIndex(of: ")") { path = String(path[path.index(after: close)...]) }
        if !path.hasPrefix("/") { path = "/" + path }
        if path.hasPrefix("/boot/") { return [path] }
        return ["/boot" + path, path]
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let config = try context.fact(Facts.bootConfig).value
        guard let entry = config.defaultEntry else { return .skip(.noEntries) }
        var evidence = [Evidence(source: config.configFile, value: "default entry: \"\(entry.path)\"", note: config.defaultResolution)]
        let images = (try? context.root.list("/boot")) ?? []
        guard images.contains(where: { $0.hasPrefix("vmlinuz") || $0.hasPrefix("xen") || $0.hasPrefix("bzImage") || $0.hasPrefix("vmlinux") }) else {
            evidence.append(Evidence(source: "/boot", value: "no kernel images (vmlinuz-*, xen*.gz)"))
            return .skip(.imagesNotCaptured, ["entry": entry.path], evidence: evidence)
        }
        var variables = ["entry": entry.path, "config": config.configFile]
        if entry.xenImage != nil && entry.kernel == nil {
            return .fail(.xenNoKernel, variables, evidence: evidence)
        }
        let files = [entry.xenImage, entry.kernel].compactMap { $0 } + entry.initrd.filter { !$0.hasPrefix("$") && !$0.isEmpty }
        var missing: [String] = []
        var empty: [String] = []
        for file in files.prefix(64) {
            var found: (path: String, size: Int)?
            for path in candidates(file) {
                if let info = try? context.root.fileInfo(path) { found = (path, info.size); break }
            }
            if let found {
                evidence.append(Evidence(source: found.path, value: "\(found.size) bytes"))
                if found.size == 0 { empty.append(found.path) }
            } else {
                evidence.append(Evidence(source: candidates(file).joined(separator: " or "), value: "missing"))
                missing.append(file)
            }
        }
        if !missing.isEmpty {
            return .fail(.missing, variables.merging(listVariables("files", missing)) { $1 }, evidence: evidence)
        }
        if !empty.isEmpty {
            return .fail(.empty, variables.merging(listVariables("files", empty)) { $1 }, evidence: evidence)
        }
        if entry.xenImage != nil && entry.initrd.isEmpty {
            return .warn(.xenNoInitrd, variables, evidence: evidence)
        }
        variables["count"] = String(files.count)
        return .pass(.complete, variables, evidence: evidence)
    }
}
