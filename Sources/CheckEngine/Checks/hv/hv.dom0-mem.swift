import DoctorCore
import HostFacts

/// hv.dom0-mem: inventory of the memory and CPUs Xen gives dom0, and whether dom0's memory is fixed.
enum HVDom0Mem: CheckEvaluator {
    static let id = "hv.dom0-mem"

    enum Condition: String, CaseIterable {
        case notXen = "not-xen"
        /// dom0_mem is fixed on the hypervisor line: `memory`, `cpus`.
        case fixed
        /// dom0_mem is fixed, but xl.conf still balloons dom0: `memory`, `autoballoon`.
        case fixedBallooning = "fixed-ballooning"
        /// No dom0_mem: dom0 starts with all memory and gives it up as guests start: `minimum`, `cpus`.
        case ballooning
        /// The same, and xend keeps no minimum for dom0: `cpus`.
        case ballooningNoMinimum = "ballooning-no-minimum"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let (kind, classifyEvidence) = HVSupport.classify(context)
        guard kind == .xenDom0 else { return .skip(.notXen, evidence: classifyEvidence) }
        let config = try context.fact(Facts.xenDom0Config).value
        var evidence = classifyEvidence
        if let options = config.xenOptions {
            evidence.append(Evidence(source: config.xenOptionsSource ?? "boot configuration", value: "xen.gz options: " + (options.isEmpty ? "(none)" : options.joined(separator: " "))))
        }
        if !config.grubCmdlineXen.isEmpty {
            evidence.append(Evidence(source: "/etc/default/grub", value: "GRUB_CMDLINE_XEN: " + config.grubCmdlineXen.joined(separator: " ")))
        }
        if config.xendMinMemMiB != nil || config.xendCPUs != nil {
            evidence.append(Evidence(source: "/etc/xen/xend-config.sxp",
                                     value: "dom0-min-mem \(config.xendMinMemMiB.map(String.init) ?? "unset"), dom0-cpus \(config.xendCPUs.map(String.init) ?? "unset")"))
        }
        if let autoballoon = config.autoballoon {
            evidence.append(Evidence(source: "/etc/xen/xl.conf", value: "autoballoon=\(autoballoon)"))
        }
        // dom0-cpus 0 (xend's default) means "all CPUs"; dom0_max_vcpus= on the Xen line caps them too.
        let allCPUs = context.optionalFact(Facts.cpuInfo).map { String($0.value.processors.count) } ?? "?"
        let cpus = config.dom0MaxVCPUs ?? config.xendCPUs.flatMap { $0 > 0 ? String($0) : nil } ?? allCPUs
        if let memory = config.dom0Mem {
            if let autoballoon = config.autoballoon, ["1", "on", "\"on\"", "yes"].contains(autoballoon.lowercased()) {
                return .warn(.fixedBallooning, ["memory": memory, "autoballoon": autoballoon], evidence: evidence)
            }
            return .pass(.fixed, ["memory": memory, "cpus": cpus], evidence: evidence)
        }
        guard let minimum = config.xendMinMemMiB, minimum > 0 else {
            return .warn(.ballooningNoMinimum, ["cpus": cpus], evidence: evidence)
        }
        return .warn(.ballooning, ["minimum": "\(minimum) MiB", "cpus": cpus], evidence: evidence)
    }
}
