import CNativeShims
import DoctorCore
import Foundation

/// One PCI function.
public struct PCIDevice: Codable, Sendable, Equatable {
    /// 0000:00:03.0
    public var address: String
    /// Four lower-case hex digits each.
    public var vendorID: String
    public var deviceID: String
    /// Class and subclass, four hex digits ("0200" Ethernet controller).
    public var classID: String
    public var vendorName: String?
    public var deviceName: String?
    public var className: String?
    public var driver: String?
    public var iommuGroup: String?
    public var sriovTotalVFs: Int?
    public var sriovNumVFs: Int?
    /// For an SR-IOV virtual function: the address of its physical function.
    public var physicalFunction: String?
}

/// The PCI inventory, from libpci on the live machine (names from its ID database) or from a root's
/// /sys/bus/pci with names from the root's pci.ids.
public struct PCIInventory: Codable, Sendable, Equatable {
    /// "libpci" or "sysfs".
    public var backend: String
    public var devices: [PCIDevice]
    /// Why the preferred backend was not used, and files that could not be read.
    public var notes: [String]

    public func device(_ address: String) -> PCIDevice? { devices.first { $0.address == address } }

    static func read(_ store: FactStore) throws(FactError) -> Sourced<PCIInventory> {
        var notes: [String] = []
        if store.root.isLive {
            switch libpci() {
            case .success(var devices):
                // libpci does not report SR-IOV; sysfs adds it.
                let sysfsDevices = (try? sysfs(store.root, names: false).devices) ?? []
                for index in devices.indices {
                    guard let match = sysfsDevices.first(where: { $0.address == devices[index].address }) else { continue }
                    devices[index].sriovTotalVFs = match.sriovTotalVFs
                    devices[index].sriovNumVFs = match.sriovNumVFs
                    devices[index].physicalFunction = match.physicalFunction
                    if devices[index].driver == nil { devices[index].driver = match.driver }
                    if devices[index].iommuGroup == nil { devices[index].iommuGroup = match.iommuGroup }
                }
                return Sourced(PCIInventory(backend: "libpci", devices: devices, notes: []), sources: ["libpci (libpci.so.3)", "/sys/bus/pci/devices"])
            case .failure(let reason):
                notes.append("libpci not used: \(reason); read from sysfs instead")
            }
        }
        var inventory = try sysfs(store.root, names: true)
        inventory.notes = notes + inventory.notes
        return Sourced(inventory, sources: ["/sys/bus/pci/devices"])
    }

    static func libpci() -> Result<[PCIDevice], LibvirtError> {
        var raw = [vd_pci_device](repeating: vd_pci_device(), count: 1024)
        var error = [CChar](repeating: 0, count: 512)
        let count = vd_libpci_scan(&raw, Int32(raw.count), &error, error.count)
        guard count >= 0 else { return .failure(LibvirtError(message: cText(error))) }
        func string<T>(_ field: T) -> String? {
            let text = withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return text.isEmpty ? nil : text
        }
        return .success(raw.prefix(Int(count)).map { device in
            PCIDevice(
                address: String(format: "%04x:%02x:%02x.%x", device.domain, device.bus, device.dev, device.func),
                vendorID: String(format: "%04x", device.vendor_id), deviceID: String(format: "%04x", device.device_id),
                classID: String(format: "%04x", device.device_class),
                vendorName: string(device.vendor_name), deviceName: string(device.device_name), className: string(device.class_name),
                driver: string(device.driver), iommuGroup: string(device.iommu_group))
        }.sorted { $0.address < $1.address })
    }

    /// /sys/bus/pci/devices/<address>/{vendor,device,class,driver,iommu_group,sriov_*,physfn}.
    static func sysfs(_ root: HostRoot, names: Bool) throws(FactError) -> PCIInventory {
        let base = "/sys/bus/pci/devices"
        let addresses = try root.list(base)
        var inventory = PCIInventory(backend: "sysfs", devices: [], notes: [])
        func hex(_ path: String, digits: Int) -> String? {
            guard let text = try? root.readText(path, limit: 64) else { return nil }
            let value = TextChecks.trimmed(text).lowercased()
            let bare = value.hasPrefix("0x") ? String(value.dropFirst(2)) : value
            guard !bare.isEmpty, bare.allSatisfy(\.isHexDigit) else { return nil }
            return String(bare.prefix(digits))
        }
        func link(_ path: String) -> String? { root.readLink(path).map { String($0.split(separator: "/").last ?? "") } }
        for address in addresses.sorted() {
            let path = "\(base)/\(address)"
            guard let vendor = hex(path + "/vendor", digits: 4), let device = hex(path + "/device", digits: 4) else {
                inventory.notes.append("\(path): vendor or device id unreadable")
                continue
            }
            inventory.devices.append(PCIDevice(
                address: address, vendorID: vendor, deviceID: device, classID: hex(path + "/class", digits: 4) ?? "0000",
                driver: link(path + "/driver"), iommuGroup: link(path + "/iommu_group"),
                sriovTotalVFs: (try? root.readText(path + "/sriov_totalvfs")).flatMap { Int(TextChecks.trimmed($0)) },
                sriovNumVFs: (try? root.readText(path + "/sriov_numvfs")).flatMap { Int(TextChecks.trimmed($0)) },
                physicalFunction: link(path + "/physfn")))
        }
        if names { PCIIDs.name(&inventory, root: root) }
        return inventory
    }
}

/// Vendor, device and class names from pci.ids (the file libpci and lspci read), as found in the root.
///
///     1af4  Red Hat, Inc.
///     	1000  Virtio network device
///     C 02  Network controller
///     	00  Ethernet controller
enum PCIIDs {
    static let locations = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"]

    static func name(_ inventory: inout PCIInventory, root: HostRoot) {
        guard let (path, text) = locations.lazy.compactMap({ path in (try? root.readText(path, limit: 8 << 20)).map { (path, $0) } }).first else {
            inventory.notes.append("no pci.ids in this root: devices are listed by number")
            return
        }
        let wantedVendors = Set(inventory.devices.map(\.vendorID))
        let wantedClasses = Set(inventory.devices.map { String($0.classID.prefix(2)) })
        var vendors: [String: String] = [:], devices: [String: String] = [:], classes: [String: String] = [:]
        var currentVendor: String?, currentClass: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("C ") {
                let id = String(line.dropFirst(2).prefix(2))
                currentVendor = nil
                currentClass = wantedClasses.contains(id) ? id : nil
                if let currentClass { classes[currentClass] = TextChecks.trimmed(line.dropFirst(4)) }
            } else if line.hasPrefix("\t\t") {
                continue  // subsystems and programming interfaces
            } else if line.hasPrefix("\t") {
                let entry = line.dropFirst()
                if let vendor = currentVendor {
                    devices["\(vendor):\(entry.prefix(4))"] = TextChecks.trimmed(entry.dropFirst(4))
                } else if let klass = currentClass {
                    classes["\(klass)\(entry.prefix(2))"] = TextChecks.trimmed(entry.dropFirst(2))
                }
            } else {
                let id = String(line.prefix(4))
                currentClass = nil
                currentVendor = wantedVendors.contains(id) ? id : nil
                if let currentVendor { vendors[currentVendor] = TextChecks.trimmed(line.dropFirst(4)) }
            }
        }
        for index in inventory.devices.indices {
            let device = inventory.devices[index]
            inventory.devices[index].vendorName = vendors[device.vendorID]
            inventory.devices[index].deviceName = devices["\(device.vendorID):\(device.deviceID)"]
            inventory.devices[index].className = classes[device.classID] ?? classes[String(device.classID.prefix(2))]
        }
        inventory.notes.append("names from \(path)")
    }
}

/// Network and block devices as udev sees them on the live machine (libudev, loaded with dlopen).
public struct UdevDevices: Codable, Sendable, Equatable {
    public struct Device: Codable, Sendable, Equatable {
        public var name: String
        public var syspath: String
        public var driver: String?
        public var devnode: String?
        public var type: String?
    }

    public var net: [Device]
    public var block: [Device]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<UdevDevices> {
        guard root.isLive else { throw root.liveOnly("udev (the same facts come from sysfs: guest.devices)") }
        func enumerate(_ subsystem: String) throws(FactError) -> [Device] {
            var raw = [vd_udev_device](repeating: vd_udev_device(), count: 512)
            var error = [CChar](repeating: 0, count: 512)
            let count = vd_libudev_enumerate(subsystem, &raw, Int32(raw.count), &error, error.count)
            guard count >= 0 else {
                let message = cText(error)
                if message.contains("could not be loaded") { throw .absent("libudev.so.1 (\(message))") }
                throw .io(source: "libudev", detail: message)
            }
            func string<T>(_ field: T) -> String? {
                let text = withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                return text.isEmpty ? nil : text
            }
            return raw.prefix(Int(count)).map { device in
                Device(name: string(device.sysname) ?? "", syspath: string(device.syspath) ?? "",
                       driver: string(device.driver) ?? string(device.id_net_driver), devnode: string(device.devnode), type: string(device.devtype))
            }
        }
        return Sourced(UdevDevices(net: try enumerate("net"), block: try enumerate("block")), sources: ["libudev (libudev.so.1)"])
    }
}

extension Facts {
    public static let pci = FactKey<PCIInventory>("pci.devices", "PCI devices with names, classes, drivers, IOMMU groups and SR-IOV (libpci live, sysfs in a root)") { store throws(FactError) in
        try PCIInventory.read(store)
    }

    public static let udev = FactKey<UdevDevices>("udev.devices", "Network and block devices as udev reports them (live only)") { store throws(FactError) in
        try UdevDevices.read(store.root)
    }
}
