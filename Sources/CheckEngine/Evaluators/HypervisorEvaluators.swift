import DoctorCore
import HostFacts

enum HypervisorEvaluators {
    /// The hypervisor a host runs: Xen (dom0), KVM (standard kernel with KVM), or none.
    static func classify(_ context: EvaluationContext) -> (kind: String, evidence: [Evidence]) {
        var evidence: [Evidence] = []
        let release = context.optionalFact(Facts.kernelRelease)
        if let release { evidence.append(Evidence(source: release.sources.joined(separator: ", "), value: release.value)) }
        let xen = context.optionalFact(Facts.xen)
        if let xen {
            if let type = xen.value.sysHypervisorType { evidence.append(Evidence(source: "/sys/hypervisor/type", value: type)) }
            if let capabilities = xen.value.capabilities { evidence.append(Evidence(source: "/proc/xen/capabilities", value: capabilities.isEmpty ? "(empty)" : capabilities)) }
        }
        if xen?.value.isDom0 == true { return ("xen-dom0", evidence) }
        if xen?.value.isXenDomain == true { return ("xen-guest", evidence) }
        if release?.value.hasSuffix("xen") == true { return ("xen-dom0", evidence) }
        let modules = context.optionalFact(Facts.kernelModules)?.value
        let kvmUsable = context.optionalFact(Facts.kvmAPI)?.value.usable == true
        // The generic kvm module alone runs nothing; a vendor module or a device node must be there too.
        let vendorLoaded = KVMEvaluators.vendorModules.contains { modules?.isPresent($0) == true }
        let family = context.optionalFact(Facts.cpuInfo)?.value.family
        let genericSuffices = family != nil && family != "x86" && family != "ppc" && modules?.isPresent("kvm") == true
        if kvmUsable || vendorLoaded || genericSuffices || context.root.exists("/dev/kvm") {
            if let modules {
                evidence.append(Evidence(source: "kernel modules", value: (["kvm"] + KVMEvaluators.vendorModules).filter(modules.isPresent).joined(separator: ", ")))
            }
            return ("kvm", evidence)
        }
        return ("none", evidence)
    }

    static let kernelType: Evaluator = { context throws(FactError) in
        _ = try context.fact(Facts.kernelRelease)
        let (kind, evidence) = classify(context)
        let guest = context.optionalFact(Facts.virtualMachine)?.value
        let nested = guest?.isVirtualMachine == true
            ? " This host is itself a virtual machine\(guest!.hypervisorName.map { " on \($0)" } ?? ""), so its guests are nested." : ""
        switch kind {
        case "xen-dom0":
            return .pass("This host runs the Xen hypervisor (dom0): guests are Xen domains, and KVM is not available while Xen runs." + nested, evidence: evidence)
        case "xen-guest":
            return .pass("This system is a Xen guest (domU), not a hypervisor host." + nested, evidence: evidence)
        case "kvm":
            var evidence = evidence
            var support = ""
            if let parameters = context.optionalFact(Facts.nestedVirtualization) {
                let enabled = parameters.value.values.contains { ["Y", "1"].contains($0) }
                support = " Nested virtualization for its own guests is \(enabled ? "enabled" : "disabled")."
                evidence += parameters.value.sorted { $0.key < $1.key }.map { Evidence(source: "/sys/module/\($0.key)/parameters/nested", value: $0.value) }
            }
            return .pass("This host runs the standard Linux kernel with KVM as its hypervisor." + nested + support, evidence: evidence)
        default:
            return Observation(.warn, "No hypervisor is active: neither Xen nor KVM is loaded." + nested, evidence: evidence, conditions: ["none"])
        }
    }

    static let bootDefault: Evaluator = { context throws(FactError) in
        let config = try context.fact(Facts.bootConfig)
        guard let entry = config.value.defaultEntry else {
            return .skip("The boot configuration has no entries to compare.")
        }
        let (running, classifyEvidence) = classify(context)
        var evidence = [Evidence(source: config.value.configFile, value: "default entry: \"\(entry.path)\" (\(entry.hypervisor == "xen" ? "Xen \(entry.xenImage ?? "")" : "Linux \(entry.kernel ?? "?")"))",
                                 note: config.value.defaultResolution)]
        if let grubDefault = config.value.etcDefaultGrub {
            evidence.append(Evidence(source: "/etc/default/grub", value: "GRUB_DEFAULT=\(grubDefault)"))
        }
        evidence += classifyEvidence
        let runningXen = running == "xen-dom0"
        let bootsXen = entry.hypervisor == "xen"
        let variables = ["entry": entry.path, "config": config.value.configFile]
        if runningXen && !bootsXen {
            return Observation(.warn, "The host runs Xen now, but the default boot entry \"\(entry.path)\" starts a plain Linux kernel: after the next reboot the Xen guests will not come back, and KVM takes over.",
                               evidence: evidence, conditions: ["xen-to-kvm", config.value.loader], variables: variables)
        }
        if !runningXen && bootsXen && running != "xen-guest" {
            return Observation(.warn, "The host runs \(running == "kvm" ? "KVM" : "a plain Linux kernel") now, but the default boot entry \"\(entry.path)\" starts the Xen hypervisor: after the next reboot KVM guests cannot start.",
                               evidence: evidence, conditions: ["kvm-to-xen", config.value.loader], variables: variables)
        }
        var summary = "The default boot entry \"\(entry.path)\" starts the same hypervisor that runs now (\(bootsXen ? "Xen" : "Linux/KVM"))."
        if let release = context.optionalFact(Facts.kernelRelease)?.value, let kernel = entry.kernel, !kernel.contains(release) {
            summary += " It boots \(kernel), not the running \(release): a kernel update is pending a reboot."
        }
        return .pass(summary, evidence: evidence)
    }
}
