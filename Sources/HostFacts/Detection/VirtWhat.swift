import DoctorCore
import Foundation

/// One conclusion and what it rests on.
public struct DetectionConclusion: Codable, Sendable, Equatable {
    /// A virt-what identifier ("kvm", "xen-domU", "docker").
    public var identifier: String
    public var source: String
    public var value: String
}

/// virt-what's decision procedure, re-expressed over DetectionInputs: the same facts in the same order,
/// so `virt-doctor what` prints line for line what virt-what prints for the same machine or root.
/// Each identifier carries the evidence it came from. Differences from virt-what, all deliberate:
/// no network call (virt-what asks Alibaba's metadata server to spot bare-metal instances), no timing
/// attack on ia64, and the ppc64 device-tree test reads the root rather than the running host.
enum VirtWhat {
    static func identify(_ inputs: DetectionInputs) -> [DetectionConclusion] {
        var found: [DetectionConclusion] = []
        func say(_ identifier: String, _ source: String, _ value: String) {
            found.append(DetectionConclusion(identifier: identifier, source: source, value: value))
        }
        let cpuid = inputs.cpuidSignature ?? ""
        let cpuidSource = inputs.cpuidSource
        let dmiSource = inputs.dmiSource.isEmpty ? "DMI" : inputs.dmiSource
        let arch = inputs.architecture ?? ""
        let isArm = arch == "arm" || arch == "aarch64"
        let cpuinfo = inputs.cpuinfo
        var skipQemuKVM = false
        var skipLKVM = false

        func environ(prefix: String, caseInsensitive: Bool = true) -> String? {
            inputs.initEnvironment.first { entry in
                caseInsensitive ? entry.lowercased().hasPrefix(prefix.lowercased()) : entry == prefix
            }
        }

        if inputs.dmiContains("Manufacturer: Alibaba") { say("alibaba_cloud", dmiSource, "Manufacturer: Alibaba") }

        if cpuid == "VMwareVMware" { say("vmware", cpuidSource, cpuid) }
        else if inputs.dmiContains("Manufacturer: VMware") { say("vmware", dmiSource, "Manufacturer: VMware") }

        if cpuid == "Microsoft Hv" { say("hyperv", cpuidSource, cpuid) }
        // Virtual PC shares Hyper-V's SMBIOS strings; the CPUID signature tells them apart.
        if cpuid != "Microsoft Hv", inputs.dmiContains("Manufacturer: Microsoft Corporation"), inputs.dmiContains("Product Name: Virtual Machine") {
            say("virtualpc", dmiSource, "Microsoft Corporation / Virtual Machine")
        }
        if inputs.dmiContains("Manufacturer: innotek GmbH") { say("virtualbox", dmiSource, "Manufacturer: innotek GmbH") }

        if cpuid == "bhyve bhyve " { say("bhyve", cpuidSource, cpuid) }
        else if inputs.dmiContains("Vendor: BHYVE") { say("bhyve", dmiSource, "Vendor: BHYVE") }

        // OpenVZ: /proc/vz everywhere under an OpenVZ kernel, /proc/bc only on the node itself.
        if inputs.isDirectory("/proc/vz") && !inputs.isDirectory("/proc/bc") { say("openvz", "/proc/vz", "present, /proc/bc absent") }

        if let entry = environ(prefix: "container=lxc") { say("lxc", "/proc/1/environ", entry) }
        if environ(prefix: "container=zone", caseInsensitive: false) != nil, inputs.procVersion?.contains("BrandZ virtual linux") == true {
            say("illumos-lx", "/proc/1/environ, /proc/version", "container=zone, BrandZ virtual linux")
        }
        if inputs.isFile("/.dockerenv") { say("docker", "/.dockerenv", "present") }
        else if inputs.isFile("/.dockerinit") { say("docker", "/.dockerinit", "present") }
        else if inputs.selfCgroup?.contains("/docker/") == true { say("docker", "/proc/self/cgroup", "/docker/") }

        if let entry = environ(prefix: "container=oci") { say("oci", "/proc/1/environ", entry) }
        if let entry = environ(prefix: "container=crio") { say("crio", "/proc/1/environ", entry) }
        if let entry = environ(prefix: "container=podman") { say("podman", "/proc/1/environ", entry) }
        else if inputs.selfCgroup?.contains("/libpod-") == true { say("podman", "/proc/self/cgroup", "/libpod-") }

        if let status = inputs.selfStatus, let line = status.split(separator: "\n").first(where: { $0.contains("VxID:") }) {
            say("linux_vserver", "/proc/self/status", String(line))
            let host = status.split(separator: "\n").contains { $0.hasSuffix("VxID: 0") || $0.hasSuffix("VxID:\t0") }
            say(host ? "linux_vserver-host" : "linux_vserver-guest", "/proc/self/status", String(line))
        }

        if let cpuinfo {
            if cpuinfo.contains("UML") { say("uml", "/proc/cpuinfo", "UML") }
            if lines(cpuinfo).contains(where: { $0.hasPrefix("vendor_id") && $0.contains("PowerVM Lx86") }) {
                say("powervm_lx86", "/proc/cpuinfo", "vendor_id: PowerVM Lx86")
            }
        }
        if inputs.dmiLine("Manufacturer", then: "HITACHI"), inputs.dmiLine("Product", then: " LPAR") { say("virtage", dmiSource, "HITACHI LPAR") }

        if let cpuinfo, lines(cpuinfo).contains(where: { $0.hasPrefix("vendor_id") && $0.contains("IBM/S390") }) {
            say("ibm_systemz", "/proc/cpuinfo", "vendor_id: IBM/S390")
            if let sysinfo = inputs.sysinfo {
                func line(_ pattern: String) -> String? {
                    lines(sysinfo).first { $0.range(of: pattern, options: .regularExpression) != nil }.map(String.init)
                }
                if let hostLine = line("VM.*Control Program.*KVM/Linux") { say("ibm_systemz-kvm", "/proc/sysinfo", hostLine) }
                else if let hostLine = line("VM.*Control Program.*z/VM") {
                    say("ibm_systemz-zvm", "/proc/sysinfo", hostLine)
                } else if lines(sysinfo).contains(where: { $0.hasPrefix("LPAR") }) { say("ibm_systemz-lpar", "/proc/sysinfo", "LPAR") }
                else { say("ibm_systemz-direct", "/proc/sysinfo", "no hypervisor lines") }
            }
        }

        if inputs.dmiContains("Vendor: Parallels") {
            say("parallels", dmiSource, "Vendor: Parallels")
            skipQemuKVM = true   // Parallels also shows the KVM CPUID signature
        }
        if inputs.dmiContains("Manufacturer: Nutanix"), inputs.dmiContains("Product Name: AHV") { say("nutanix_ahv", dmiSource, "Nutanix AHV") }
        if inputs.dmiContains("Manufacturer: oVirt") { say("ovirt", dmiSource, "Manufacturer: oVirt") }
        if inputs.dmiContains("Product Name: RHEV Hypervisor") { say("rhev", dmiSource, "Product Name: RHEV Hypervisor") }
        if inputs.dmiContains("Product Name: Google Compute Engine") { say("google_cloud", dmiSource, "Product Name: Google Compute Engine") }
        if inputs.dmiContains("Manufacturer: Red Hat") { say("redhat", dmiSource, "Manufacturer: Red Hat") }

        // Xen: the CPUID signature (HVM), then /proc/xen (PV, dom0), then sysfs, then arch-specific signs.
        if cpuid == "XenVMMXenVMM" && !inputs.dmiContains("No SMBIOS nor DMI entry point found, sorry") {
            say("xen", cpuidSource, cpuid)
            say("xen-hvm", cpuidSource, cpuid)
            skipQemuKVM = true   // Xen HVM guests see QEMU devices too
        } else if inputs.isDirectory("/proc/xen") {
            say("xen", "/proc/xen", "present")
            let capabilities = inputs.text("/proc/xen/capabilities") ?? ""
            if capabilities.contains("control_d") { say("xen-dom0", "/proc/xen/capabilities", "control_d") }
            else { say("xen-domU", "/proc/xen/capabilities", capabilities.isEmpty ? "(empty)" : capabilities) }
            skipQemuKVM = true
            skipLKVM = true
        } else if inputs.isFile("/sys/hypervisor/type"), inputs.text("/sys/hypervisor/type")?.contains("xen") == true {
            say("xen", "/sys/hypervisor/type", "xen")
        } else if isArm {
            let compatible = inputs.text("/proc/device-tree/hypervisor/compatible") ?? ""
            if inputs.isDirectory("/proc/device-tree/hypervisor") && compatible.contains("xen") {
                say("xen", "/proc/device-tree/hypervisor/compatible", "xen")
                skipQemuKVM = true
                skipLKVM = true
            } else if inputs.isDirectory("/proc/device-tree/hypervisor") && compatible.contains("vmware") {
                say("vmware", "/proc/device-tree/hypervisor/compatible", "vmware")
                skipLKVM = true
            }
        } else if arch == "ia64" {
            if inputs.isDirectory("/sys/bus/xen") && !inputs.isDirectory("/sys/bus/xen-backend") {
                say("xen", "/sys/bus/xen", "present, no xen-backend")
                say("xen-hvm", "/sys/bus/xen", "PV-on-HVM drivers")
            }
        }

        if !skipQemuKVM {
            if cpuid == "KVMKVMKVM" { say("kvm", cpuidSource, cpuid) }
            else if cpuid == "TCGTCGTCGTCG" { say("qemu", cpuidSource, cpuid); skipLKVM = true }
            else if inputs.dmiContains("Product Name: KVM") { say("kvm", dmiSource, "Product Name: KVM"); skipLKVM = true }
            else if inputs.dmiContains("Manufacturer: KVM") { say("kvm", dmiSource, "Manufacturer: KVM"); skipLKVM = true }
            else if inputs.dmiContains("Manufacturer: Amazon EC2"), inputs.dmiContains("System is a virtual machine") {
                say("kvm", dmiSource, "Amazon EC2, System is a virtual machine"); skipLKVM = true
            } else if inputs.dmiContains("Manufacturer: Alibaba Cloud"), inputs.dmiContains("System is a virtual machine") {
                say("kvm", dmiSource, "Alibaba Cloud, System is a virtual machine"); skipLKVM = true
            } else if inputs.dmiContains("Manufacturer: QEMU") {
                say("qemu", dmiSource, "Manufacturer: QEMU (no KVM signature: emulation)"); skipLKVM = true
            } else if isArm {
                if inputs.isDirectory("/proc/device-tree"), inputs.list("/proc/device-tree").contains(where: { $0.contains("fw-cfg") }) {
                    say("qemu", "/proc/device-tree", "fw-cfg node"); skipLKVM = true
                }
            } else if inputs.isDirectory("/proc/device-tree/hypervisor"),
                      inputs.text("/proc/device-tree/hypervisor/compatible")?.contains("linux,kvm") == true {
                say("kvm", "/proc/device-tree/hypervisor/compatible", "linux,kvm"); skipLKVM = true
            } else if let cpuinfo, cpuinfo.contains("QEMU") {
                say("qemu", "/proc/cpuinfo", "QEMU")
            }
        }
        if !skipLKVM {
            if cpuid == "LKVMLKVMLKVM" { say("lkvm", cpuidSource, cpuid) }
            else if isArm, inputs.isDirectory("/proc/device-tree"), inputs.text("/proc/device-tree/compatible")?.contains("dummy-virt") == true {
                say("lkvm", "/proc/device-tree/compatible", "dummy-virt")
            }
        }

        if arch == "ppc64" || arch == "ppc64le", let cpuinfo,
           cpuinfo.range(of: "platform.*pSeries", options: .regularExpression) != nil {
            if cpuinfo.range(of: "model.*emulated by qemu", options: .regularExpression) != nil {
                say("ibm_power-kvm", "/proc/cpuinfo", "model emulated by qemu")
            } else if inputs.text("/proc/ppc64/lparcfg")?.contains("shared_processor_mode=1") == true {
                say("ibm_power-lpar_shared", "/proc/ppc64/lparcfg", "shared_processor_mode=1")
            } else {
                say("ibm_power-lpar_dedicated", "/proc/cpuinfo", "platform: pSeries")
            }
        }

        if cpuid == "OpenBSDVMM58" { say("vmm", cpuidSource, cpuid) }

        if arch.hasPrefix("sparc"), inputs.exists("/dev/mdesc") {
            say("ldoms", "/dev/mdesc", "present")
            if inputs.isDirectory("/sys/class/vlds/ctrl") && inputs.isDirectory("/sys/class/vlds/sp") {
                say("ldoms-control", "/sys/class/vlds", "ctrl and sp")
            } else {
                say("ldoms-guest", "/sys/class/vlds", "no control domain channels")
            }
        }

        if inputs.dmiHasAmazonXenVersion { say("aws", dmiSource, "Version: *.amazon (AWS Xen)") }
        else if inputs.dmiContains("Vendor: Amazon EC2") { say("aws", dmiSource, "Vendor: Amazon EC2") }
        if inputs.dmiContains("Manufacturer: UpCloud") { say("upcloud", dmiSource, "Manufacturer: UpCloud") }
        return found
    }

    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }
}
