import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

@Suite struct PCITests {
    /// Depends on this machine: both backends must describe the same PCI functions.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/sys/bus/pci/devices"), "no PCI bus visible here"))
    func libpciAndSysfsAgreeOnThisMachine() throws {
        guard case .success(let libpci) = PCIInventory.libpci() else {
            Issue.record("libpci could not be used on a machine with a PCI bus")
            return
        }
        let sysfs = try PCIInventory.sysfs(.live, names: true)
        #expect(libpci.map(\.address) == sysfs.devices.map(\.address))
        for (a, b) in zip(libpci, sysfs.devices) {
            #expect(a.vendorID == b.vendorID && a.deviceID == b.deviceID && a.classID == b.classID, "\(a.address)")
            #expect(a.driver == b.driver, "\(a.address) driver")
            #expect(a.vendorName == b.vendorName, "\(a.address) vendor name")
        }
    }

    @Test func sysfsRootWithNames() throws {
        let scratch = ScratchRoot()
        let device = "sys/bus/pci/devices/0000:00:03.0"
        scratch.write("\(device)/vendor", "0x1af4\n")
        scratch.write("\(device)/device", "0x1041\n")
        scratch.write("\(device)/class", "0x020000\n")
        scratch.link("\(device)/driver", to: "../../../bus/pci/drivers/virtio-pci")
        scratch.link("\(device)/iommu_group", to: "../../../kernel/iommu_groups/3")
        scratch.write("sys/bus/pci/devices/0000:00:04.0/vendor", "garbage\n")
        scratch.write("usr/share/misc/pci.ids", "# test list\n1af4  Red Hat, Inc.\n\t1041  Virtio 1.0 network device\n\t\t1af4 1100  subsystem\nC 02  Network controller\n\t00  Ethernet controller\n")
        let inventory = try FactStore(root: scratch.root).get(Facts.pci)
        #expect(inventory.backend == "sysfs")
        #expect(inventory.devices == [PCIDevice(address: "0000:00:03.0", vendorID: "1af4", deviceID: "1041", classID: "0200",
                                                vendorName: "Red Hat, Inc.", deviceName: "Virtio 1.0 network device", className: "Ethernet controller",
                                                driver: "virtio-pci", iommuGroup: "3")])
        #expect(inventory.notes.contains { $0.contains("0000:00:04.0") }, "the unreadable device is named")
    }

    @Test func noPCIBusIsAbsentWhereSysfsWasCaptured() {
        let scratch = ScratchRoot()
        scratch.write("sys/class/net/lo/type", "772\n")
        #expect(throws: FactError.absent("/sys/bus/pci/devices")) { try FactStore(root: scratch.root).get(Facts.pci) }
    }

    @Test func noSysfsAtAllIsNotCaptured() {
        // A copied disk's /sys is an empty mount point: the bus is unknown, not missing.
        #expect(throws: FactError.notCaptured(what: "/sys/bus/pci/devices", source: "directory root")) {
            try FactStore(root: ScratchRoot().root).get(Facts.pci)
        }
    }
}

@Suite struct UdevTests {
    @Test func directoryRootsUseSysfs() {
        #expect(throws: FactError.self) { try FactStore(root: ScratchRoot().root).get(Facts.udev) }
    }

    /// Depends on this machine: udev and the sysfs driver chains name the same drivers.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/sys/class/net"), "no sysfs here"))
    func udevAgreesWithSysfs() throws {
        let store = FactStore(root: .live)
        guard let udev = try? store.get(Facts.udev) else { return }  // libudev absent: nothing to compare
        let sysfs = try store.get(Facts.guestDevices)
        for nic in sysfs.nics {
            let seen = udev.net.first { $0.name == nic.name }
            #expect(seen != nil, "\(nic.name)")
            if let driver = seen?.driver { #expect(nic.drivers.contains(driver), "\(nic.name): udev \(driver), sysfs \(nic.drivers)") }
        }
    }
}
