import DoctorCore
import HostFacts

/// hv.grub-default: the default boot entry starts the hypervisor that runs now; otherwise the next reboot
/// switches between Xen and KVM and the guests of the other one do not come back.
enum HVGrubDefault: CheckEvaluator {
    static let id = "hv.grub-default"

    /// The boot loader, added as a tag so a step can be written for one loader.
    static let tags = ["grub-legacy", "grub2", "grub2-bls", "bls"]

    enum Condition: String, CaseIterable {
        case noEntries = "no-entries"
        /// Xen runs now, the default entry boots a plain kernel.
        case xenToKVM = "xen-to-kvm"
        /// KVM (or a plain kernel) runs now, the default entry boots Xen.
        case kvmToXen = "kvm-to-xen"
        case linuxToXen = "linux-to-xen"
        /// The default entry starts the running hypervisor; `-update-pending` when it boots another kernel.
        case same
        case sameUpdatePending = "same-update-pending"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let config = try context.fact(Facts.bootConfig)
        guard let entry = config.value.defaultEntry else {
            return .skip(.noEntries)
        }
        let (running, classifyEvidence) = HVSupport.classify(context)
        var evidence = [Evidence(source: config.value.configFile, value: "default entry: \"\(entry.path)\" (\(entry.hypervisor == "xen" ? "Xen \(entry.xenImage ?? "")" : "Linux \(entry.kernel ?? "?")"))",
                                 note: config.value.defaultResolution)]
        if let grubDefault = config.value.etcDefaultGrub {
            evidence.append(Evidence(source: "/etc/default/grub", value: "GRUB_DEFAULT=\(grubDefault)"))
        }
        evidence += classifyEvidence
        let runningXen = running == .xenDom0
        let bootsXen = entry.hypervisor == "xen"
        var variables = ["entry": entry.path, "config": config.value.configFile]
        if runningXen && !bootsXen {
            return .warn(.xenToKVM, variables, evidence: evidence, tags: [config.value.loader])
        }
        if !runningXen && bootsXen && running != .xenGuest {
            return .warn(running == .kvm ? .kvmToXen : .linuxToXen, variables, evidence: evidence, tags: [config.value.loader])
        }
        // Product names, the same in every language.
        variables["hypervisor"] = bootsXen ? "Xen" : "Linux/KVM"
        if let release = context.optionalFact(Facts.kernelRelease)?.value, let kernel = entry.kernel, !kernel.contains(release) {
            variables["kernel"] = kernel
            variables["release"] = release
            return .pass(.sameUpdatePending, variables, evidence: evidence)
        }
        return .pass(.same, variables, evidence: evidence)
    }
}
