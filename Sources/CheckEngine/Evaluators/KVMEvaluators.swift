import DoctorCore
import Foundation
import HostFacts

enum KVMEvaluators {
    /// Vendor modules that give /dev/kvm its engine. kvm_pvm runs KVM without hardware VT (PVM, used to host
    /// guests inside cloud VMs); kvm_hv/kvm_pr on POWER; arm64 and s390 have KVM in the core module.
    static let vendorModules = ["kvm_intel", "kvm_amd", "kvm_pvm", "kvm_hv", "kvm_pr"]

    static let modules: Evaluator = { context throws(FactError) in
        let inventory = try context.fact(Facts.kernelModules)
        let modules = inventory.value
        let family = context.optionalFact(Facts.cpuInfo)?.value.family ?? "unknown"
        let present = (["kvm"] + vendorModules).filter(modules.isPresent)
        let describe = present.map { name in
            modules.builtIn.contains(name) ? "\(name) (built in)" : name
        }
        var evidence = [Evidence(source: inventory.sources.joined(separator: ", "),
                                 value: present.isEmpty ? "no kvm modules" : describe.joined(separator: ", "))]
        if !modules.loadableModulesSupported {
            evidence.append(Evidence(source: "/proc/modules", value: "absent: this kernel has no loadable module support"))
        }
        let needsVendor = family == "x86" || family == "ppc"
        let vendorPresent = vendorModules.contains(where: modules.isPresent)
        if modules.isPresent("kvm") && (!needsVendor || vendorPresent) {
            return .pass("KVM is in the kernel: \(describe.joined(separator: ", ")).", evidence: evidence)
        }
        // Modules that are missing from the listing while /dev/kvm answers are not a problem (odd kernels).
        if let kvm = context.optionalFact(Facts.kvmAPI)?.value, kvm.usable {
            evidence.append(Evidence(source: "/dev/kvm", value: "KVM_GET_API_VERSION = \(kvm.apiVersion ?? 0)"))
            return .pass("The module listing does not show every KVM module, but /dev/kvm answers, so KVM is loaded.", evidence: evidence)
        }
        if let xen = context.optionalFact(Facts.xen)?.value, xen.isDom0 {
            return Observation(.fail, "The running kernel is a Xen dom0, which cannot load KVM: boot the standard kernel to use KVM.",
                               evidence: evidence, conditions: ["xen-kernel"])
        }
        let vendor = context.optionalFact(Facts.cpuInfo)?.value.virtualizationExtension == "svm" ? "kvm_amd" : "kvm_intel"
        let missing = modules.isPresent("kvm") ? (needsVendor ? "the vendor module (\(vendor))" : "") : "kvm" + (needsVendor ? " and \(vendor)" : "")
        if !modules.loadableModulesSupported {
            return Observation(.fail, "KVM is not built into this kernel and the kernel cannot load modules: use a kernel with KVM.",
                               evidence: evidence, conditions: ["no-module-support"], variables: ["module": vendor])
        }
        return Observation(.fail, "Not loaded: \(missing). Without \(needsVendor ? "both" : "it") no guest can use KVM.",
                           evidence: evidence, conditions: ["not-loaded"], variables: ["module": vendor])
    }

    static let device: Evaluator = { context throws(FactError) in
        let node: Sourced<DeviceNode>
        do throws(FactError) {
            node = try context.fact(Facts.kvmDevice)
        } catch .absent {
            return Observation(.fail, "/dev/kvm does not exist: the KVM modules are not loaded, or firmware keeps them from loading. QEMU would fail with \"Could not access KVM kernel module: No such file or directory\".",
                               evidence: [Evidence(source: "/dev/kvm", value: "missing")], conditions: ["missing"])
        }
        let device = node.value
        var evidence = [Evidence(source: "/dev/kvm", value: "\(device.kind.rawValue) device \(device.major.map(String.init) ?? "?"):\(device.minor.map(String.init) ?? "?"), mode \(device.mode), owner \(device.owner), group \(device.groupName ?? String(device.group))")]
        guard device.kind == .charDevice else {
            return Observation(.fail, "/dev/kvm exists but is a \(device.kind.rawValue), not a character device.", evidence: evidence, conditions: ["not-a-device"])
        }
        let probeResult = context.facts.sourced(Facts.kvmAPI)
        let cpu = context.optionalFact(Facts.cpuInfo)?.value
        switch probeResult {
        case .success(let probe):
            if let failure = probe.value.failure {
                evidence.append(Evidence(source: probe.sources.joined(separator: ", "), value: failure))
                if failure.lowercased().contains("permission denied") || probe.value.errorNumber == EACCES {
                    let group = device.groupName ?? String(device.group)
                    // A root-only node (0600 root:root) is not fixed by joining its group: it needs the udev rule
                    // distributions ship (0660 root:kvm).
                    let rootOnly = device.group == 0 || device.mode.hasSuffix("00")
                    return Observation(.warn, "User \(device.currentUser) may not open /dev/kvm (mode \(device.mode), group \(group)). QEMU run as this user fails with \"Could not access KVM kernel module: Permission denied\"."
                                       + (rootOnly ? " The node is root-only; distributions make it 0660 root:kvm so libvirt's qemu user can use it." : " libvirt's qemu user is normally in this group."),
                                       evidence: evidence, conditions: [rootOnly ? "permission-root-only" : "permission", "needs-root"],
                                       variables: ["group": rootOnly ? "kvm" : group])
                }
                return Observation(.fail, "/dev/kvm exists but does not work: \(failure).", evidence: evidence, conditions: ["broken"])
            }
            let capabilities = probe.value.capabilities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            evidence.append(Evidence(source: probe.sources.joined(separator: ", "),
                                     value: "API version \(probe.value.apiVersion ?? 0)" + (capabilities.isEmpty ? "" : "; \(capabilities)")))
            guard probe.value.apiVersion == 12 else {
                return Observation(.fail, "/dev/kvm reports API version \(probe.value.apiVersion ?? 0); every KVM since Linux 2.6.22 reports 12, so this device is not usable by QEMU.",
                                   evidence: evidence, conditions: ["broken"])
            }
            var summary = "/dev/kvm works: it answers KVM_GET_API_VERSION with 12"
            if let vcpus = probe.value.capabilities["KVM_CAP_MAX_VCPUS"], vcpus > 0 { summary += " and allows up to \(vcpus) vCPUs per guest" }
            summary += "."
            if let cpu, cpu.family == "x86", cpu.virtualizationExtension == nil {
                let modules = context.optionalFact(Facts.kernelModules)?.value
                let engine = modules?.isPresent("kvm_pvm") == true ? "kvm_pvm (PVM, KVM without hardware VT)" : "a module that does not need the vmx/svm flag (nested or paravirtual KVM)"
                summary += " cpuinfo lists no vmx/svm, so this KVM runs through \(engine); checkers that only read cpuinfo get this host wrong."
            }
            return .pass(summary, evidence: evidence)
        case .failure(.notLive):
            return .pass("/dev/kvm is a character device here (directory root: the device itself could not be asked; record kvm-probe.txt to include its answers).",
                         evidence: evidence)
        case .failure(.absent) where !context.root.isLive:
            return .pass("/dev/kvm is a character device here (directory root: the device itself could not be asked; record kvm-probe.txt to include its answers).",
                         evidence: evidence)
        case .failure(let error):
            evidence.append(Evidence(source: "/dev/kvm", value: error.description))
            if case .timedOut = error {
                return Observation(.fail, "/dev/kvm did not answer in time: \(error.description).", evidence: evidence, conditions: ["broken"])
            }
            throw error
        }
    }
}
