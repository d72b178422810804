import DoctorCore
import Foundation

/// Device nodes virtualization depends on, and the IOMMU state for device assignment.
public struct VirtualizationDevices: Codable, Sendable, Equatable {
    /// /dev/kvm, /dev/vhost-net, /dev/net/tun: nil when absent.
    public var nodes: [String: DeviceNode]
    public var absent: [String]

    static let paths = ["/dev/kvm", "/dev/vhost-net", "/dev/net/tun", "/dev/vhost-vsock"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<VirtualizationDevices> {
        // A root without /dev (a copied disk, a sos report) cannot say which nodes exist.
        guard try root.captured("/dev") else { throw .absent("/dev") }
        var devices = VirtualizationDevices(nodes: [:], absent: [])
        for path in paths {
            if let node = try? DeviceNode.inspect(path, root: root) { devices.nodes[path] = node } else { devices.absent.append(path) }
        }
        return Sourced(devices, sources: paths)
    }
}

/// The IOMMU as the kernel set it up: units (DMAR on Intel, AMD-Vi/IVRS on AMD), groups, and the
/// command line that asked for it.
public struct IOMMUState: Codable, Sendable, Equatable {
    public var units: [String]
    public var groupCount: Int
    public var commandLine: [String]
    public var kernelMessages: [String]

    static func read(_ store: FactStore) throws(FactError) -> Sourced<IOMMUState> {
        let root = store.root
        guard try root.captured("/sys") else { throw .absent("/sys") }
        // A folder missing from a partial /sys (a sos report, which copies only some of it) says nothing:
        // that is not captured, not "no IOMMU". Other errors still read as none, as before.
        func names(_ path: String) throws(FactError) -> [String] {
            do {
                return try root.list(path)
            } catch .notCaptured(let what, let source) {
                throw .notCaptured(what: what, source: source)
            } catch {
                return []
            }
        }
        let units = try names("/sys/class/iommu")
        let groups = try names("/sys/kernel/iommu_groups")
        let cmdline = ((try? store.get(Facts.kernelCommandLine)) ?? []).filter { $0.hasPrefix("intel_iommu") || $0.hasPrefix("amd_iommu") || $0.hasPrefix("iommu") }
        let messages = ((try? store.get(Facts.kernelLog))?.lines ?? []).filter { line in
            ["DMAR:", "AMD-Vi:", "IOMMU", "iommu:"].contains { line.contains($0) }
        }
        return Sourced(IOMMUState(units: units, groupCount: groups.count, commandLine: cmdline, kernelMessages: Array(messages.prefix(10))),
                       sources: ["/sys/class/iommu", "/sys/kernel/iommu_groups", "/proc/cmdline"])
    }
}

extension Facts {
    public static let virtualizationDevices = FactKey<VirtualizationDevices>("dev.virtualization", "Device nodes /dev/kvm, /dev/vhost-net, /dev/net/tun, /dev/vhost-vsock: type, mode, group, access") { store throws(FactError) in
        try VirtualizationDevices.read(store.root)
    }

    public static let iommu = FactKey<IOMMUState>("iommu.state", "IOMMU units, groups and the kernel parameters that enable them") { store throws(FactError) in
        try IOMMUState.read(store)
    }
}
