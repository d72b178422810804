import DoctorCore
import Foundation

/// What this system runs on: virt-what's identifiers, plus what virt-what cannot say: whether it is a
/// virtual machine and/or a container (a VM running a container is both), the hypervisor vendor and
/// virtualization type as lscpu names them, and the evidence behind every conclusion.
public struct VirtualizationReport: Codable, Sendable, Equatable {
    public static let schemaVersion = 1

    public var schemaVersion = VirtualizationReport.schemaVersion
    public var root: String
    /// Exactly the lines virt-what prints, in its order (empty on bare metal).
    public var identifiers: [String]
    public var virtualMachine: Bool
    /// docker, podman, lxc, oci, crio, openvz, linux_vserver, wsl, systemd-nspawn ...; nil when none.
    public var container: String?
    /// lscpu's "Hypervisor vendor" name: KVM, Xen, Microsoft, VMware, Oracle, Parallels, IBM, pHyp, QEMU ...
    public var hypervisorVendor: String?
    /// full (hardware-assisted / emulated), para (paravirtualized), container, or none.
    public var virtualizationType: String
    /// Set when this system hosts guests itself: "xen-dom0", "linux_vserver-host", "ldoms-control".
    public var hypervisorHost: String?
    /// The cloud a virt-what identifier names: aws, google_cloud, alibaba_cloud, upcloud.
    public var cloud: String?
    public var conclusions: [DetectionConclusion]
    /// Why vendor and type are what they are.
    public var reasoning: [String]
    /// Evidence present but unusable (garbage): the answer must not be trusted.
    public var problems: [String]
    /// Evidence this user could not read: the answer may be incomplete.
    public var limitations: [String]
    /// True when the root held nothing that tells what the machine runs on (no CPU, DMI, /proc or /sys
    /// evidence): "bare metal" would then be a guess. Optional so reports written before it still decode.
    public var withoutEvidence: Bool?
    /// A confidential guest, by virt-what-cvm's main identifier: amd-sev, amd-sev-es, amd-sev-snp or
    /// intel-tdx; nil when none was found. Optional so reports written before it still decode.
    public var confidential: String?
    /// Exactly the lines virt-what-cvm prints (the technology, and hyperv-hcl behind Hyper-V's paravisor).
    public var confidentialIdentifiers: [String]?
    /// What systemd-detect-virt prints ("none", "kvm", "bochs", "lxc-libvirt", "proot" ...); nil without
    /// machine evidence. It knows identifiers virt-what does not.
    public var systemdDetectVirt: String?

    public var complete: Bool { problems.isEmpty }

    /// The vendor as people call it in prose: lscpu's "Microsoft" is Hyper-V to anyone fixing a guest.
    public var hypervisorName: String? { hypervisorVendor.map(Self.displayName) }

    /// The confidential-computing technology as people write it ("AMD SEV-SNP", "Intel TDX").
    public var confidentialName: String? { confidential.map(ConfidentialGuest.displayName) }

    public static func displayName(_ vendor: String) -> String {
        switch vendor {
        case "Microsoft": "Hyper-V"
        case "Oracle": "VirtualBox"
        case "pHyp": "PowerVM"
        default: vendor
        }
    }

    static let containerIdentifiers: Set<String> = [
        "docker", "podman", "lxc", "oci", "crio", "openvz", "linux_vserver", "linux_vserver-guest", "illumos-lx",
    ]
    static let hostIdentifiers: Set<String> = ["xen-dom0", "linux_vserver-host", "ldoms-control"]
    static let cloudIdentifiers: [String] = ["aws", "google_cloud", "alibaba_cloud", "upcloud"]
    /// The cloud as people write it, for sentences; the identifier itself stays virt-what's.
    public var cloudName: String? {
        cloud.map { ["aws": "AWS", "google_cloud": "Google Cloud", "alibaba_cloud": "Alibaba Cloud", "upcloud": "UpCloud"][$0] ?? $0 }
    }
    /// Identifiers that are facts about the cloud or the vendor, not a hypervisor layer by themselves.
    static let informational = Set(["redhat", "ovirt", "rhev", "nutanix_ahv"] + cloudIdentifiers)

    public static func detect(_ root: HostRoot) -> VirtualizationReport {
        let inputs = DetectionInputs.gather(root)
        let conclusions = VirtWhat.identify(inputs)
        let identifiers = conclusions.map(\.identifier)
        var report = VirtualizationReport(
            root: root.label, identifiers: identifiers, virtualMachine: false, container: nil,
            hypervisorVendor: nil, virtualizationType: "none", hypervisorHost: nil,
            cloud: cloudIdentifiers.first(where: identifiers.contains),
            conclusions: conclusions, reasoning: [], problems: inputs.problems, limitations: inputs.limitations)
        report.hypervisorHost = identifiers.first(where: hostIdentifiers.contains)
        report.container = identifiers.first { containerIdentifiers.contains($0) && $0 != "linux_vserver" }
            .map { $0 == "linux_vserver-guest" ? "linux_vserver" : $0 }
        report.decideVendorAndType(inputs)
        if !inputs.holdsMachineEvidence && identifiers.isEmpty { report.withoutEvidence = true }
        if report.container == nil { report.detectOtherContainers(inputs) }
        // A VM layer: anything virt-what names that is not a container, a host role or a label.
        report.virtualMachine = identifiers.contains { id in
            !containerIdentifiers.contains(id) && !hostIdentifiers.contains(id) && !informational.contains(id)
                && id != "xen" && id != "ibm_systemz"
        } || (identifiers.contains("xen") && report.hypervisorHost == nil && report.virtualizationType != "none")
            || (identifiers.contains("ibm_systemz") && identifiers.count > 1)
            || report.hypervisorVendor != nil && report.virtualizationType != "container" && report.virtualizationType != "none"
        // virt-what ignores cpuinfo's "hypervisor" flag; it is still the CPU saying it runs virtualized.
        if !report.virtualMachine, report.hypervisorHost == nil,
           let cpuinfo = inputs.cpuinfo, (try? CPUInfo.parse(cpuinfo))?.hasAnywhere("hypervisor") == true {
            report.virtualMachine = true
            if report.virtualizationType == "none" || report.virtualizationType == "container" { report.virtualizationType = "full" }
            report.reasoning.append("/proc/cpuinfo: the 'hypervisor' flag is set (the vendor is not named by any other evidence)")
        }
        if identifiers.contains("aws"), !report.virtualMachine, report.hypervisorVendor == nil {
            report.reasoning.append("AWS DMI strings without a hypervisor signature: an EC2 bare-metal instance")
        }
        report.addSystemdAnswer(inputs)
        report.addConfidentialAnswer(inputs)
        if report.container != nil && report.virtualizationType == "none" && !report.virtualMachine { report.virtualizationType = "container" }
        return report
    }

    /// Vendor and type, strongest evidence first: the CPUID signature, lscpu's file rules, then the
    /// identifiers virt-what derived from DMI and the device tree, then QEMU's PCI devices.
    mutating func decideVendorAndType(_ inputs: DetectionInputs) {
        let ids = Set(identifiers)
        func set(_ vendor: String?, _ type: String, _ why: String) {
            hypervisorVendor = vendor
            virtualizationType = type
            reasoning.append(why)
        }
        let signatureVendors: [String: String] = [
            "KVMKVMKVM": "KVM", "XenVMMXenVMM": "Xen", "Microsoft Hv": "Microsoft", "VMwareVMware": "VMware",
            "bhyve bhyve ": "bhyve", "LKVMLKVMLKVM": "KVM", "TCGTCGTCGTCG": "QEMU", "VBoxVBoxVBox": "Oracle",
            "OpenBSDVMM58": "OpenBSD VMM", "ACRNACRNACRN": "ACRN", " lrpepyh  vr": "Parallels",
            "QNXQVMBSQG": "QNX", "Apple VZ": "Apple", "Linux KVM Hv": "KVM", "SRESRESRESRE": "SRE",
        ]
        let osRelease = inputs.text("/proc/sys/kernel/osrelease") ?? ""
        let compatible = (inputs.text("/proc/device-tree/compatible") ?? "").split(separator: "\0").map(String.init)
        if osRelease.contains("Microsoft") || osRelease.contains("microsoft") {
            set("Windows Subsystem for Linux", "container", "kernel release \(TextChecks.trimmed(osRelease)) names Microsoft: WSL")
            container = container ?? "wsl"
            return
        }
        if ids.contains("parallels") {
            set("Parallels", "full", "DMI: Vendor: Parallels (its KVM CPUID signature is not KVM)")
            return
        }
        if let signature = inputs.cpuidSignature, let vendor = signatureVendors[signature] {
            // Xen's dom0 sees no Xen signature; a KVM-compatible signature under Hyper-V nesting shows the top one.
            set(vendor, "full", "\(inputs.cpuidSource): hypervisor signature \"\(signature)\"")
            if signature != "Microsoft Hv", inputs.cpuid?.signatures.first == "Microsoft Hv" {
                reasoning.append("\"Microsoft Hv\" at 0x40000000 is Hyper-V enlightenments offered by \(vendor), not Hyper-V")
            }
            return
        }
        if inputs.exists("/proc/iSeries") { set("OS/400", "para", "/proc/iSeries exists"); return }
        if compatible.contains("ibm,powernv") { reasoning.append("device tree: ibm,powernv (POWER bare metal)"); return }
        if inputs.exists("/proc/device-tree/ibm,partition-name"), inputs.exists("/proc/device-tree/hmc-managed?"),
           !inputs.exists("/proc/device-tree/chosen/qemu,graphic-width") {
            let name = inputs.text("/proc/device-tree/ibm,partition-name") ?? ""
            set("pHyp", name.hasPrefix("full") ? "full" : "para", "device tree: ibm,partition-name and hmc-managed? (a PowerVM LPAR)")
            return
        }
        if compatible.contains("qemu,pseries") { set("KVM", "para", "device tree: qemu,pseries"); return }
        if inputs.isDirectory("/proc/xen") {
            let capabilities = inputs.text("/proc/xen/capabilities") ?? ""
            if capabilities.hasPrefix("control_d") {
                hypervisorVendor = "Xen"
                reasoning.append("/proc/xen/capabilities: control_d (this is dom0, the Xen host)")
            } else {
                set("Xen", "para", "/proc/xen present without control_d: a paravirtualized Xen guest (domU)")
            }
            return
        }
        if let (vendor, why) = PCIDevices.hypervisorVendor(inputs) { set(vendor, "full", why); return }
        if let sysinfo = inputs.sysinfo {
            let control = sysinfo.split(separator: "\n").first { $0.contains("Control Program:") }
            if let control, control.contains("KVM") { set("KVM", "full", "/proc/sysinfo: \(TextChecks.trimmed(control))") }
            else if let control { set("IBM", "full", "/proc/sysinfo: \(TextChecks.trimmed(control))") }
            else { set("IBM", "full", "/proc/sysinfo without a Control Program line: an LPAR under PR/SM") }
            return
        }
        if inputs.isDirectory("/proc/vz") && !inputs.isDirectory("/proc/bc") { set("Parallels", "container", "/proc/vz without /proc/bc: an OpenVZ container"); return }
        if ids.contains("uml") { set("User-mode Linux", "para", "/proc/cpuinfo mentions UML"); return }
        if ids.contains("linux_vserver-guest") { set("Linux-VServer", "container", "/proc/self/status: VxID"); return }
        // Identifiers virt-what drew from DMI or the device tree.
        let fromIdentifiers: [(String, String, String)] = [
            ("xen-hvm", "Xen", "full"), ("xen", "Xen", "full"), ("hyperv", "Microsoft", "full"), ("vmware", "VMware", "full"),
            ("virtualbox", "Oracle", "full"), ("virtualpc", "Microsoft", "full"), ("bhyve", "bhyve", "full"),
            ("kvm", "KVM", "full"), ("lkvm", "KVM", "full"), ("qemu", "QEMU", "full"), ("ibm_power-kvm", "KVM", "para"),
            ("ibm_power-lpar_shared", "pHyp", "para"), ("ibm_power-lpar_dedicated", "pHyp", "para"), ("virtage", "Hitachi", "full"),
            ("ldoms-guest", "Oracle", "para"), ("vmm", "OpenBSD VMM", "full"), ("powervm_lx86", "IBM", "full"),
        ]
        if let (id, vendor, type) = fromIdentifiers.first(where: { ids.contains($0.0) }) {
            let conclusion = conclusions.first { $0.identifier == id }
            set(vendor, type, "\(conclusion?.source ?? "detection"): \(conclusion?.value ?? id)")
            return
        }
        if let (vendor, why) = PCIDevices.qemuSignature(inputs) { set(vendor, "full", why); return }
        // Red Hat's, oVirt's and Nutanix's virtualization is KVM: their DMI strings name a KVM guest even
        // when the CPUID signature was never recorded (a sos report of the guest).
        let kvmBrands: [(String, String)] = [("rhev", "RHEV"), ("ovirt", "oVirt"), ("redhat", "Red Hat"), ("nutanix_ahv", "Nutanix AHV")]
        if let (id, brand) = kvmBrands.first(where: { ids.contains($0.0) }) {
            let conclusion = conclusions.first { $0.identifier == id }
            set("KVM", "full", "\(conclusion?.source ?? "DMI"): \(conclusion?.value ?? brand) (\(brand) virtualization is KVM)")
            return
        }
        // lscpu's answer when nothing above decided (a Xen dom0 or PV guest it named).
        if let vendor = inputs.lscpuVendor, let type = inputs.lscpuType, ["full", "para"].contains(type) {
            set(vendor, type, "/lscpu.txt: Hypervisor vendor: \(vendor), Virtualization type: \(type)")
        }
    }

    /// Containers virt-what does not name: systemd's container= convention, podman's marker file,
    /// cgroup paths of Kubernetes, LXC and systemd-nspawn.
    mutating func detectOtherContainers(_ inputs: DetectionInputs) {
        if let entry = inputs.initEnvironment.first(where: { $0.hasPrefix("container=") }) {
            container = String(entry.dropFirst("container=".count))
            reasoning.append("/proc/1/environ: \(entry)")
        } else if inputs.isFile("/run/.containerenv") {
            container = "podman"
            reasoning.append("/run/.containerenv exists")
        } else if let cgroup = inputs.text("/proc/1/cgroup") {
            for (marker, name) in [("/kubepods", "kubernetes"), ("/docker", "docker"), ("/lxc/", "lxc"), ("/machine.slice/machine-", "systemd-nspawn")]
            where cgroup.contains(marker) {
                container = name
                reasoning.append("/proc/1/cgroup: \(marker)")
                break
            }
        }
    }

    /// Vendors of systemd-detect-virt's VM identifiers virt-what has no name for.
    static let systemdVendors: [String: String] = [
        "bochs": "Bochs", "qnx": "QNX", "acrn": "ACRN", "apple": "Apple", "sre": "SRE",
    ]

    /// systemd-detect-virt's answer, and what it adds: a VM or container nothing else named.
    mutating func addSystemdAnswer(_ inputs: DetectionInputs) {
        guard withoutEvidence != true else { return }
        let answer = SystemdDetectVirt.identify(inputs)
        systemdDetectVirt = answer.identifier
        reasoning.append("systemd-detect-virt would print \(answer.identifier): \(answer.reason)")
        if SystemdDetectVirt.containerNames.contains(answer.identifier) || answer.identifier == "container-other" {
            if container == nil, answer.identifier != "container-other" { container = answer.identifier }
        } else if let vendor = Self.systemdVendors[answer.identifier], !virtualMachine, hypervisorHost == nil {
            // Only hypervisors virt-what cannot name: everything else virt-what and lscpu's rules decided.
            virtualMachine = true
            if hypervisorVendor == nil { hypervisorVendor = vendor }
            if virtualizationType == "none" || virtualizationType == "container" { virtualizationType = "full" }
        }
    }

    /// virt-what-cvm's answer: a confidential guest is a virtual machine whatever else was (not) found.
    mutating func addConfidentialAnswer(_ inputs: DetectionInputs) {
        let answer = ConfidentialGuest.identify(inputs)
        reasoning += answer.reasoning
        guard let first = answer.identifiers.first else { return }
        confidential = first
        confidentialIdentifiers = answer.identifiers
        if !virtualMachine {
            virtualMachine = true
            if virtualizationType == "none" || virtualizationType == "container" { virtualizationType = "full" }
        }
    }
}
