import DoctorCore
import HostFacts

/// ovirt.vdsm-configured: the sections and revision markers `vdsm-tool configure` writes into the
/// configuration of libvirt, QEMU, sanlock, multipath and LVM are there and of the revision the installed vdsm
/// expects (what `vdsm-tool is-configured` checks, read from the files).
enum OVirtVDSMConfigured: CheckEvaluator {
    static let id = "ovirt.vdsm-configured"

    enum Condition: String, CaseIterable {
        /// No vdsm package, vdsm.log or /etc/vdsm/vdsm.conf: not an oVirt/HOSTVM/RHV host.
        case notVDSMHost = "not-vdsm-host"
        /// Every section and marker matches what vdsm `{vdsm}` writes.
        case configured
        /// The markers are there; vdsm's version is unknown, so revisions were not compared.
        case configuredUnversioned = "configured-unversioned"
        /// `{problems}` joins the fragments below.
        case notConfigured = "not-configured"
        /// Only private files (vdsm-tool keeps them) of an older revision: `{problems}`.
        case privateOutdated = "private-outdated"
        // Fragments of `{problems}`.
        case fileMissing = "file-missing"
        case sectionMissing = "section-missing"
        case sectionStale = "section-stale"
        case sectionCut = "section-cut"
        case multipathUntagged = "multipath-untagged"
        case revisionStale = "revision-stale"
        case lvmUntagged = "lvm-untagged"
        case sanlockHostName = "sanlock-host-name"
        case sanlockWorkers = "sanlock-workers"
        case sanlockWorkersUnset = "sanlock-workers-unset"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let versions = context.optionalFact(Facts.ovirtVersions)?.value
        let vdsmComponent = versions?.components.first { $0.name == "vdsm" }
        guard vdsmComponent != nil || context.root.exists("/etc/vdsm/vdsm.conf") else { return .skip(.notVDSMHost) }
        let configuration = try context.fact(Facts.vdsmConfiguration).value
        let vdsm = vdsmComponent?.version
        let expected = vdsm.flatMap(VDSMExpectations.forVersion)
        let wants = expected ?? VDSMExpectations.newest
        let vdsmName = vdsm ?? "unknown"

        var problems: [String] = []
        var privateProblems: [String] = []
        var found: [String] = []
        var evidence: [Evidence] = []

        for file in configuration.files {
            let name = file.path
            guard let present = file.present else {
                evidence.append(Evidence(source: name, value: "not captured"))
                continue
            }
            switch file.kind {
            case .section:
                let required = name == "/etc/libvirt/libvirtd.conf" || name == "/etc/libvirt/qemu.conf"
                guard present else {
                    evidence.append(Evidence(source: name, value: "absent"))
                    if required { problems.append(context.fragment(Condition.fileMissing, ["path": name])) }
                    continue
                }
                guard let version = file.revision else {
                    evidence.append(Evidence(source: name, value: "no section by vdsm"))
                    problems.append(context.fragment(Condition.sectionMissing, ["path": name, "expected": wants.libvirtSection]))
                    continue
                }
                evidence.append(Evidence(source: name, value: "section by vdsm-\(version)\(file.unterminated ? " (no end line)" : "")"))
                if let expected, version != expected.libvirtSection {
                    problems.append(context.fragment(Condition.sectionStale, ["path": name, "found": version, "expected": expected.libvirtSection, "vdsm": vdsmName]))
                } else if file.unterminated {
                    problems.append(context.fragment(Condition.sectionCut, ["path": name, "found": version]))
                } else {
                    found.append("\(name) vdsm-\(version)")
                }
            case .multipath, .lvm:
                let isMultipath = file.kind == .multipath
                let wanted = isMultipath ? wants.multipath : wants.lvm.map(String.init)
                guard present else {
                    evidence.append(Evidence(source: name, value: "absent"))
                    if wanted != nil { problems.append(context.fragment(Condition.fileMissing, ["path": name])) }
                    continue
                }
                guard let revision = file.revision else {
                    evidence.append(Evidence(source: name, value: file.isPrivate ? "private, no revision" : "no vdsm revision"))
                    guard wanted != nil else { continue }
                    let fragment = context.fragment(isMultipath ? Condition.multipathUntagged : Condition.lvmUntagged, ["path": name])
                    if file.isPrivate { privateProblems.append(fragment) } else { problems.append(fragment) }
                    continue
                }
                let tag = isMultipath ? (file.legacyTag ? "RHEV REVISION \(revision)" : "VDSM REVISION \(revision)") : "REVISION \(revision)"
                evidence.append(Evidence(source: name, value: tag + (file.isPrivate ? ", private" : "")))
                let exact = expected.flatMap { isMultipath ? $0.multipath : $0.lvm.map(String.init) }
                if let exact, revision != exact || file.legacyTag {
                    let fragment = context.fragment(Condition.revisionStale, ["path": name, "found": revision, "expected": exact, "vdsm": vdsmName])
                    if file.isPrivate { privateProblems.append(fragment) } else { problems.append(fragment) }
                } else {
                    found.append("\(name) \(tag)" + (file.isPrivate ? " (private)" : ""))
                }
            case .sanlock:
                // Judged only when vdsm's version says which options its configurator writes.
                guard let expected, expected.sanlockHostName else { continue }
                guard present else {
                    evidence.append(Evidence(source: name, value: "absent"))
                    problems.append(context.fragment(Condition.fileMissing, ["path": name]))
                    continue
                }
                let hostName = file.options["our_host_name"]
                let workers = file.options["max_worker_threads"]
                evidence.append(Evidence(source: name, value: "our_host_name \(hostName == nil ? "unset" : "set"), max_worker_threads \(workers ?? "unset")"))
                var good = true
                if hostName?.isEmpty ?? true {
                    problems.append(context.fragment(Condition.sanlockHostName, ["path": name]))
                    good = false
                }
                if expected.sanlockWorkers, workers != "50" {
                    problems.append(workers.map { context.fragment(Condition.sanlockWorkers, ["path": name, "found": $0]) }
                                    ?? context.fragment(Condition.sanlockWorkersUnset, ["path": name]))
                    good = false
                }
                if good { found.append(name) }
            }
        }

        var values: [String: String] = ["vdsm": vdsmName, "found": found.joined(separator: ", ")]
        if !problems.isEmpty {
            values["problems"] = (problems + privateProblems).joined(separator: "; ")
            values["count"] = String(problems.count + privateProblems.count)
            return .fail(.notConfigured, values, evidence: evidence)
        }
        if !privateProblems.isEmpty {
            values["problems"] = privateProblems.joined(separator: "; ")
            values["count"] = String(privateProblems.count)
            return .warn(.privateOutdated, values, evidence: evidence)
        }
        guard !found.isEmpty else {
            throw context.root.liveOnly("the configuration vdsm-tool writes (libvirtd.conf, qemu.conf, multipath.conf, lvmlocal.conf)")
        }
        return expected == nil ? .pass(.configuredUnversioned, values, evidence: evidence) : .pass(.configured, values, evidence: evidence)
    }
}
