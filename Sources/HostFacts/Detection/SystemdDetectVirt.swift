import DoctorCore
import Foundation

/// What `systemd-detect-virt` would print, re-expressed over DetectionInputs in the order of systemd's
/// src/basic/virt.c: a container first (OpenVZ, WSL, proot, the container manager's name from
/// /run/host/container-manager, /run/systemd/container or PID 1's $container, then podman's and docker's
/// marker files), else a VM (DMI vendors that win over CPUID, UML, a Xen domU, the CPUID signature at
/// 0x40000000, the remaining DMI vendors, /sys/hypervisor, the device tree, z/VM). It knows identifiers
/// virt-what does not: bochs, qnx, acrn, apple, sre, google, amazon, lxc-libvirt, rkt, proot, pouch.
/// Not done: the cgroup-namespace test for an unnamed container (it needs the live mount table).
enum SystemdDetectVirt {
    struct Answer: Equatable {
        var identifier: String
        var reason: String
    }

    static let containerNames: Set<String> = ["lxc", "lxc-libvirt", "systemd-nspawn", "docker", "podman", "rkt", "wsl", "proot", "pouch"]
    static let vmIdentifiers: Set<String> = [
        "kvm", "amazon", "qemu", "bochs", "xen", "uml", "vmware", "oracle", "microsoft", "zvm", "parallels", "bhyve",
        "qnx", "acrn", "powervm", "apple", "sre", "google", "vm-other",
    ]

    static func identify(_ inputs: DetectionInputs) -> Answer {
        container(inputs) ?? vm(inputs)
    }

    static func firstLine(_ text: String?) -> String? {
        guard let text, let line = text.split(separator: "\n", omittingEmptySubsequences: false).first else { return nil }
        return String(line)
    }

    static func container(_ inputs: DetectionInputs) -> Answer? {
        if inputs.exists("/proc/vz") && !inputs.exists("/proc/bc") { return Answer(identifier: "openvz", reason: "/proc/vz without /proc/bc") }
        if let release = inputs.text("/proc/sys/kernel/osrelease"), release.contains("Microsoft") || release.contains("WSL") {
            return Answer(identifier: "wsl", reason: "/proc/sys/kernel/osrelease: \(TextChecks.trimmed(release))")
        }
        if let status = inputs.selfStatus,
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") }),
           let pid = CheckedNumbers.integer(TextChecks.trimmed(String(line.dropFirst("TracerPid:".count))), in: 1...4_194_304),
           let comm = firstLine(inputs.text("/proc/\(pid)/comm")), comm.hasPrefix("proot") {
            return Answer(identifier: "proot", reason: "/proc/self/status: TracerPid \(pid), /proc/\(pid)/comm: \(comm)")
        }
        var name: (String, String)?
        if let manager = firstLine(inputs.text("/run/host/container-manager")), !manager.isEmpty {
            name = (manager, "/run/host/container-manager")
        } else if let manager = firstLine(inputs.text("/run/systemd/container")), !manager.isEmpty {
            name = (manager, "/run/systemd/container")
        } else if let entry = inputs.initEnvironment.first(where: { $0.hasPrefix("container=") }) {
            let value = String(entry.dropFirst("container=".count))
            if value.isEmpty { return nil }
            name = (value, "/proc/1/environ")
        }
        if let (value, source) = name {
            if value == "oci" {
                return files(inputs) ?? Answer(identifier: "container-other", reason: "\(source): oci (no manager's marker file)")
            }
            let known = containerNames.contains(value)
            return Answer(identifier: known ? value : "container-other", reason: "\(source): \(String(value.prefix(64)))")
        }
        return files(inputs)
    }

    static func files(_ inputs: DetectionInputs) -> Answer? {
        if inputs.exists("/run/.containerenv") { return Answer(identifier: "podman", reason: "/run/.containerenv exists") }
        if inputs.exists("/.dockerenv") { return Answer(identifier: "docker", reason: "/.dockerenv exists") }
        return nil
    }

    /// DMI fields in the order systemd reads /sys/class/dmi/id: product_name, sys_vendor, board_vendor,
    /// bios_vendor, product_version.
    static func dmiFields(_ inputs: DetectionInputs) -> [(String, String)] {
        var section = ""
        var found: [String: String] = [:]
        for line in inputs.dmi.split(separator: "\n") {
            if !line.hasPrefix("\t") && !line.hasPrefix(" ") { section = String(line); continue }
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: ":") else { continue }
            let field: String? = switch (section, key) {
            case ("System Information", "Product Name"): "product_name"
            case ("System Information", "Manufacturer"): "sys_vendor"
            case ("Base Board Information", "Manufacturer"): "board_vendor"
            case ("BIOS Information", "Vendor"): "bios_vendor"
            case ("System Information", "Version"): "product_version"
            default: nil
            }
            // The sysfs fallback text has no section headers: its labels are unique enough in order.
            let plain: String? = section.isEmpty ? ["Product Name": "product_name", "Manufacturer": "sys_vendor", "Vendor": "bios_vendor"][key] : nil
            if let name = field ?? plain, found[name] == nil { found[name] = value }
        }
        return ["product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version"].compactMap { name in
            found[name].map { (name, $0) }
        }
    }

    static let dmiVendors: [(String, String)] = [
        ("KVM", "kvm"), ("OpenStack", "kvm"), ("KubeVirt", "kvm"), ("Amazon EC2", "amazon"), ("QEMU", "qemu"),
        ("VMware", "vmware"), ("VMW", "vmware"), ("innotek GmbH", "oracle"), ("VirtualBox", "oracle"),
        ("Oracle Corporation", "oracle"), ("Xen", "xen"), ("Bochs", "bochs"), ("Parallels", "parallels"), ("BHYVE", "bhyve"),
        ("Hyper-V", "microsoft"), ("Apple Virtualization", "apple"), ("Google Compute Engine", "google"),
    ]

    static func dmi(_ inputs: DetectionInputs) -> Answer? {
        let source = inputs.dmiSource.isEmpty ? "DMI" : inputs.dmiSource
        for (field, value) in dmiFields(inputs) {
            guard let (vendor, id) = dmiVendors.first(where: { value.hasPrefix($0.0) }) else { continue }
            if id == "amazon" {
                // EC2 bare-metal instances carry the same strings: the SMBIOS "virtual machine" bit decides.
                if inputs.dmiContains("System is a virtual machine") { return Answer(identifier: "amazon", reason: "\(source): \(field) \(vendor), System is a virtual machine") }
                if let product = dmiFields(inputs).first(where: { $0.0 == "product_name" })?.1, product.contains(".metal") {
                    return Answer(identifier: "none", reason: "\(source): \(field) \(vendor), product \(product) (bare metal)")
                }
                return Answer(identifier: "amazon", reason: "\(source): \(field) \(vendor)")
            }
            return Answer(identifier: id, reason: "\(source): \(field) \(vendor)")
        }
        if inputs.dmiContains("System is a virtual machine") { return Answer(identifier: "vm-other", reason: "\(source): System is a virtual machine") }
        return nil
    }

    static let cpuidVendors: [String: String] = [
        "XenVMMXenVMM": "xen", "KVMKVMKVM": "kvm", "Linux KVM Hv": "kvm", "TCGTCGTCGTCG": "qemu", "VMwareVMware": "vmware",
        "Microsoft Hv": "microsoft", "bhyve bhyve ": "bhyve", "QNXQVMBSQG": "qnx", "ACRNACRNACRN": "acrn", "SRESRESRESRE": "sre",
        "Apple VZ": "apple",
    ]

    static func vm(_ inputs: DetectionInputs) -> Answer {
        let dmiAnswer = dmi(inputs)
        if let dmiAnswer, ["oracle", "xen", "amazon", "parallels", "google"].contains(dmiAnswer.identifier) { return dmiAnswer }
        if let cpuinfo = inputs.cpuinfo, cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("vendor_id") })?.contains("User Mode Linux") == true {
            return Answer(identifier: "uml", reason: "/proc/cpuinfo: vendor_id User Mode Linux")
        }
        var dom0 = false
        if inputs.exists("/proc/xen") {
            let features = firstLine(inputs.text("/sys/hypervisor/properties/features")).flatMap { UInt64($0, radix: 16) }
            if let features { dom0 = features & (1 << 11) != 0 } else { dom0 = inputs.text("/proc/xen/capabilities")?.contains("control_d") == true }
            if !dom0 { return Answer(identifier: "xen", reason: "/proc/xen exists, not the hardware domain") }
        }
        var hyperv = false
        var other: String?
        // CPUID at 0x40000000 (not the top of the range, as virt-what's helper scans), when the CPU says a
        // hypervisor is there: leaf 1's bit, or cpuinfo's flag in a root that kept no leaf 1.
        let leaf0 = inputs.hyperVSignatureAtBase ? "Microsoft Hv" : inputs.cpuid?.signatures.first ?? inputs.cpuidSignature
        let hypervisorBit = inputs.cpuid?.hypervisorBit
            ?? (inputs.cpuinfo.flatMap { try? CPUInfo.parse($0) }?.hasAnywhere("hypervisor") == true || !(leaf0 ?? "").isEmpty)
        if hypervisorBit, let leaf0 {
            let source = inputs.root.isLive ? "CPUID 0x40000000" : inputs.cpuidSource
            if let id = cpuidVendors[leaf0] {
                if id == "microsoft" { hyperv = true }
                else if !dom0 { return Answer(identifier: id, reason: "\(source): \"\(leaf0)\"") }
                else { return Answer(identifier: id, reason: "\(source): \"\(leaf0)\" (under a Xen dom0)") }
            } else if !leaf0.isEmpty {
                other = "\(source): unknown signature \"\(leaf0)\""
            }
        }
        if dom0 { return Answer(identifier: hyperv ? "microsoft" : "none", reason: "/proc/xen: the hardware domain (dom0)") }
        if let dmiAnswer {
            if dmiAnswer.identifier == "vm-other" { other = other ?? dmiAnswer.reason } else { return dmiAnswer }
        }
        if let type = firstLine(inputs.text("/sys/hypervisor/type")) {
            if type == "xen" { return Answer(identifier: "xen", reason: "/sys/hypervisor/type: xen") }
            other = other ?? "/sys/hypervisor/type: \(type)"
        }
        if let answer = deviceTree(inputs) {
            if answer.identifier == "vm-other" { other = other ?? answer.reason } else { return answer }
        }
        if let sysinfo = inputs.sysinfo, let line = sysinfo.split(separator: "\n").first(where: { $0.hasPrefix("VM00 Control Program:") }) {
            let program = line.dropFirst("VM00 Control Program:".count).split(separator: " ").first.map(String.init) ?? ""
            return Answer(identifier: program == "z/VM" ? "zvm" : "kvm", reason: "/proc/sysinfo: \(TextChecks.trimmed(String(line)))")
        }
        if hyperv { return Answer(identifier: "microsoft", reason: "CPUID 0x40000000: \"Microsoft Hv\" and nothing else named the hypervisor") }
        if let other { return Answer(identifier: "vm-other", reason: other) }
        return Answer(identifier: "none", reason: "no container or hypervisor evidence systemd reads")
    }

    static func deviceTree(_ inputs: DetectionInputs) -> Answer? {
        guard ["arm", "aarch64", "ppc64", "ppc64le", "ppc", "riscv64"].contains(inputs.architecture ?? "") || inputs.exists("/proc/device-tree") else { return nil }
        if let compatible = inputs.text("/proc/device-tree/hypervisor/compatible") {
            let value = compatible.split(separator: "\0").first.map(String.init) ?? ""
            let id = value == "linux,kvm" ? "kvm" : value.contains("xen") ? "xen" : value.contains("vmware") ? "vmware" : "vm-other"
            return Answer(identifier: id, reason: "/proc/device-tree/hypervisor/compatible: \(value)")
        }
        if inputs.exists("/proc/device-tree/ibm,partition-name"), inputs.exists("/proc/device-tree/hmc-managed?"),
           !inputs.exists("/proc/device-tree/chosen/qemu,graphic-width") {
            return Answer(identifier: "powervm", reason: "/proc/device-tree: ibm,partition-name and hmc-managed?")
        }
        if let node = inputs.list("/proc/device-tree").first(where: { $0.contains("fw-cfg") }) {
            return Answer(identifier: "qemu", reason: "/proc/device-tree/\(node)")
        }
        if inputs.text("/proc/device-tree/compatible")?.split(separator: "\0").first == "qemu,pseries" {
            return Answer(identifier: "qemu", reason: "/proc/device-tree/compatible: qemu,pseries")
        }
        return nil
    }
}
