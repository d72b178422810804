import DoctorCore
import HostFacts

/// kvm.cgroup-controllers: the cgroup controllers libvirt's QEMU driver confines guests with (memory, cpu,
/// cpuacct, cpuset, devices, blkio on v1; memory, cpu, cpuset, io on v2, where device access is a BPF program
/// and CPU accounting part of `cpu`), and a legacy hierarchy forced from the kernel command line.
enum KVMCgroupControllers: CheckEvaluator {
    static let id = "kvm.cgroup-controllers"

    enum Condition: String, CaseIterable {
        case v2Complete = "v2-complete"
        case v1Complete = "v1-complete"
        /// Controllers libvirt uses are absent, disabled or not mounted.
        case missing
        /// Every controller is there, but `systemd.unified_cgroup_hierarchy=0` keeps the host on cgroup v1.
        case legacyForced = "legacy-forced"
        /// No cgroup file system is mounted.
        case noCgroups = "no-cgroups"
    }

    static let v1Needed = ["memory", "cpu", "cpuacct", "cpuset", "devices", "blkio"]
    static let v2Needed = ["memory", "cpu", "cpuset", "io"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let sourced = try context.fact(Facts.cgroupControllers)
        let state = sourced.value
        var evidence = [Evidence(source: sourced.sources.first ?? "/proc/mounts",
                                 value: "layout \(state.layout.rawValue)" + (state.unifiedMount.map { ", cgroup2 at \($0)" } ?? "")
                                     + (state.v1Mounted.isEmpty ? "" : ", v1 controllers mounted: \(state.v1Mounted.joined(separator: " "))"))]
        if let controllers = state.v2Controllers, let mount = state.unifiedMount {
            evidence.append(Evidence(source: mount + "/cgroup.controllers", value: controllers.isEmpty ? "(empty)" : controllers.joined(separator: " ")))
        }
        if let subtree = state.v2SubtreeControl, let mount = state.unifiedMount {
            evidence.append(Evidence(source: mount + "/cgroup.subtree_control", value: subtree.isEmpty ? "(empty)" : subtree.joined(separator: " ")))
        }
        if let kernel = state.v1Kernel {
            let disabled = kernel.filter { !$0.enabled }.map(\.name)
            evidence.append(Evidence(source: "/proc/cgroups", value: "\(kernel.count) controllers" + (disabled.isEmpty ? ", all enabled" : ", disabled: \(disabled.joined(separator: " "))")))
        }
        if !state.commandLine.isEmpty {
            evidence.append(Evidence(source: "/proc/cmdline", value: state.commandLine.joined(separator: " ")))
        }

        var missing: [String] = []
        let hierarchy: String
        switch state.layout {
        case .none:
            return .warn(.noCgroups, evidence: evidence)
        case .unified:
            hierarchy = "v2"
            let offered = Set(state.v2Controllers ?? [])
            missing = v2Needed.filter { !offered.contains($0) }
        case .legacy, .hybrid:
            hierarchy = state.layout == .hybrid ? "v1 (hybrid)" : "v1"
            let mounted = Set(state.v1Mounted)
            let kernel = state.v1Kernel.map { Dictionary($0.map { ($0.name, $0.enabled) }, uniquingKeysWith: { $0 || $1 }) }
            for name in v1Needed {
                if let kernel, kernel[name] == nil { missing.append("\(name) (not in this kernel)"); continue }
                if let kernel, kernel[name] == false { missing.append("\(name) (disabled)"); continue }
                if !mounted.contains(name) { missing.append("\(name) (not mounted)") }
            }
        }
        if !missing.isEmpty {
            var variables = listVariables("missing", missing)
            variables["hierarchy"] = hierarchy
            return .warn(.missing, variables, evidence: evidence)
        }
        if state.legacyForced {
            return .warn(.legacyForced, ["hierarchy": hierarchy], evidence: evidence)
        }
        if state.layout == .unified {
            return .pass(.v2Complete, ["controllers": v2Needed.joined(separator: ", ")], evidence: evidence)
        }
        return .pass(.v1Complete, ["controllers": v1Needed.joined(separator: ", "), "hierarchy": hierarchy], evidence: evidence)
    }
}
