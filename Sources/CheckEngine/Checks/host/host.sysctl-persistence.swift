import DoctorCore
import HostFacts

/// host.sysctl-persistence: a kernel parameter the catalog judges runs with a value other than the one the
/// boot configuration (sysctl.d, and /etc/sysctl.conf where it is still read) sets, so the next reboot
/// changes it behind the checks' backs.
enum HostSysctlPersistence: CheckEvaluator {
    static let id = "host.sysctl-persistence"

    enum Condition: String, CaseIterable {
        /// Every judged sysctl that a file sets runs with that value.
        case consistent
        /// No file sets any judged sysctl: they keep the kernel's (or a program's) value.
        case noBootSettings = "no-boot-settings"
        /// Running values differ from what boot sets ({drift}, joined fragments).
        case drift
        /// /etc/sysctl.conf sets judged sysctls, but nothing reads it at boot.
        case ignoredFile = "ignored-file"
        /// Fragment of {drift}: one parameter.
        case driftItem = "drift-item"
    }

    /// Which file the first drifting parameter's fix edits: the file itself under /etc or /run, or a copy
    /// under /etc/sysctl.d of a package's file (which updates overwrite).
    static let tags = ["edit-file", "vendor-file"]

    /// The kernel parameters the catalog judges: every `sysctl:<name>` in the built-in checks' facts, and
    /// the ones the evaluators read in Swift (listed in `Facts.all`).
    static let judged: [String] = {
        var names = Set(Facts.all.map(\.name).filter { $0.hasPrefix("sysctl:") })
        if let catalog = try? Catalog.builtIn() {
            for check in catalog.checks { names.formUnion(check.facts.filter { $0.hasPrefix("sysctl:") }) }
        }
        return names.map { String($0.dropFirst("sysctl:".count)) }.filter { !$0.isEmpty }.sorted()
    }()

    /// Values compared as sysctl writes them: fields separated by any blanks ("4096	87380" is "4096 87380").
    static func normalized(_ value: String) -> String {
        value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let persisted = try context.fact(Facts.persistedSysctls).value
        var running: [String: String] = [:]
        var evidence: [Evidence] = []
        var firstError: FactError?
        for name in judged {
            switch context.facts.sourced(Facts.sysctl(name)) {
            case .success(let value):
                running[name] = value.value
                evidence.append(Evidence(source: value.sources.first ?? name, value: value.value))
            case .failure(.absent):
                continue  // the parameter does not exist on this kernel (br_netfilter not loaded)
            case .failure(let error):
                if firstError == nil { firstError = error }
            }
        }
        // Nothing to compare: the evidence lacks /proc/sys (a copied disk), or the kernel has none of them.
        if running.isEmpty { throw firstError ?? .absent("/proc/sys/net/ipv4/ip_forward") }
        var drift: [String] = []
        var compared: [String] = []
        var first: [String: String]?
        for name in running.keys.sorted() {
            guard let setting = persisted.settings[name], let now = running[name] else { continue }
            compared.append(name)
            evidence.append(Evidence(source: "\(setting.file):\(setting.line)", value: "\(name) = \(setting.value)"))
            if normalized(setting.value) != normalized(now) {
                let item = ["name": name, "running": normalized(now), "boot": normalized(setting.value), "file": setting.file, "line": String(setting.line)]
                if first == nil { first = item }
                drift.append(context.fragment(Condition.driftItem, item))
            }
        }
        if !drift.isEmpty {
            // The first parameter's values fill the remediation commands.
            var variables = (first ?? [:]).merging(listVariables("drift", drift)) { $1 }
            variables["drift"] = drift.joined(separator: "; ")
            let file = variables["file"] ?? ""
            let vendor = !(file.hasPrefix("/etc/") || file.hasPrefix("/run/"))
            variables["copy"] = "/etc/sysctl.d/" + (file.split(separator: "/").last.map(String.init) ?? "90-keep.conf")
            return .warn(.drift, variables, evidence: evidence, tags: [vendor ? "vendor-file" : "edit-file"])
        }
        if let file = persisted.ignoredFile {
            let ignored = running.keys.sorted().filter { persisted.ignoredSettings[$0] != nil && persisted.settings[$0] == nil }
            if !ignored.isEmpty {
                for name in ignored {
                    if let setting = persisted.ignoredSettings[name] {
                        evidence.append(Evidence(source: "\(setting.file):\(setting.line) (not read at boot)", value: "\(name) = \(setting.value)"))
                    }
                }
                var variables = listVariables("names", ignored)
                variables["file"] = file
                return .warn(.ignoredFile, variables, evidence: evidence)
            }
        }
        if compared.isEmpty {
            return .pass(.noBootSettings, listVariables("names", running.keys.sorted()), evidence: evidence)
        }
        return .pass(.consistent, listVariables("names", compared), evidence: evidence)
    }
}
