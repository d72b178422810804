import DoctorCore

/// PCI vendor:device pairs that identify a hypervisor's emulated hardware, read from /proc/bus/pci/devices
/// (lscpu's source in a dump) or /sys/bus/pci/devices/*/{vendor,device}.
///
///     0010	80eebeef	...	vboxvideo       <- bus/devfn, vendor+device, ..., driver
enum PCIDevices {
    static func ids(_ inputs: DetectionInputs) -> (ids: [(UInt16, UInt16)], source: String) {
        if let text = inputs.text("/proc/bus/pci/devices") {
            let ids = text.split(separator: "\n").compactMap { line -> (UInt16, UInt16)? in
                let fields = line.split(separator: "\t")
                guard fields.count >= 2, fields[1].count == 8, let value = UInt32(fields[1], radix: 16) else { return nil }
                return (UInt16(value >> 16), UInt16(value & 0xFFFF))
            }
            return (ids, "/proc/bus/pci/devices")
        }
        var ids: [(UInt16, UInt16)] = []
        for device in inputs.list("/sys/bus/pci/devices") {
            let base = "/sys/bus/pci/devices/\(device)"
            guard let vendor = inputs.text(base + "/vendor").flatMap({ UInt16(TextChecks.trimmed($0).dropFirst(2), radix: 16) }),
                  let id = inputs.text(base + "/device").flatMap({ UInt16(TextChecks.trimmed($0).dropFirst(2), radix: 16) }) else { continue }
            ids.append((vendor, id))
        }
        return (ids, "/sys/bus/pci/devices")
    }

    /// Platform devices that exist only inside one hypervisor (lscpu's PCI rule).
    static func hypervisorVendor(_ inputs: DetectionInputs) -> (String, String)? {
        let (ids, source) = ids(inputs)
        let known: [(UInt16, UInt16, String, String)] = [
            (0x5853, 0x0001, "Xen", "Xen platform device 5853:0001"),
            (0x15AD, 0x0710, "VMware", "VMware SVGA 15ad:0710"),
            (0x80EE, 0xBEEF, "Oracle", "VirtualBox graphics 80ee:beef"),
        ]
        for (vendor, device) in ids {
            if let match = known.first(where: { $0.0 == vendor && $0.1 == device }) {
                return (match.2, "\(source): \(match.3)")
            }
        }
        return nil
    }

    /// QEMU's own devices (vendor 1b36, the 1234:1111 VGA, virtio 1af4:1000-107f). They say "QEMU" but not
    /// whether KVM accelerates it: on LoongArch a QEMU machine with virtio is a KVM guest in practice; a
    /// PowerMac G3 board exists only in emulation (TCG).
    static func qemuSignature(_ inputs: DetectionInputs) -> (String, String)? {
        let (ids, source) = ids(inputs)
        let qemu = ids.filter { vendor, device in
            vendor == 0x1B36 || (vendor == 0x1234 && device == 0x1111) || (vendor == 0x1AF4 && (0x1000...0x107F).contains(device))
        }
        guard let first = qemu.first else { return nil }
        let example = String(format: "%04x:%04x", first.0, first.1)
        let cpuinfo = inputs.cpuinfo ?? ""
        if cpuinfo.contains("PowerMac") {
            return ("QEMU", "\(source): QEMU devices (\(example)) on an emulated PowerMac board: QEMU emulation (TCG)")
        }
        if cpuinfo.lowercased().contains("loongson") || inputs.architecture == "loongarch64" {
            return ("KVM", "\(source): QEMU virtio/bridge devices (\(example)) on LoongArch: a KVM guest")
        }
        return ("QEMU", "\(source): QEMU devices (\(example)); KVM acceleration cannot be told from files")
    }
}
