import DoctorCore
import Foundation

/// Loop devices: the limit, what is configured, which devices exist and what file each one serves.
/// Xen guests with `file:` disks take one loop device per disk; on kernels with /dev/loop-control
/// (Linux 3.1+) new devices are created on demand and the limit rarely bites.
public struct LoopDevices: Codable, Sendable, Equatable {
    public struct Device: Codable, Sendable, Equatable {
        public var name: String
        /// The file the device is attached to; nil when the device is free.
        public var backingFile: String?
    }

    /// `max_loop` module parameter at run time (0 = no fixed limit).
    public var maxLoop: Int?
    /// `options loop max_loop=N` from modprobe configuration, or `max_loop=` on the kernel command line.
    public var configuredMaxLoop: Int?
    public var configuredIn: String?
    public var devices: [Device]
    /// /dev/loop-control exists: devices are created when needed.
    public var onDemand: Bool
    /// Guest disks that need a loop device (Xen `file:` disks, libvirt `<driver name='file'/>`).
    public var loopBackedGuestDisks: [String]

    public var inUse: [Device] { devices.filter { $0.backingFile != nil } }
    public var free: Int { devices.count - inUse.count }

    /// The kernel numbers loop devices with 20-bit minors; a max_loop beyond that (or negative) is not a
    /// setting the kernel accepts, and is read as no setting rather than carried into arithmetic.
    static let maximumDevices = 1 << 20

    static func read(_ store: FactStore) throws(FactError) -> Sourced<LoopDevices> {
        let root = store.root
        var sources: [String] = []
        var result = LoopDevices(maxLoop: nil, configuredMaxLoop: nil, configuredIn: nil, devices: [], onDemand: false,
                                 loopBackedGuestDisks: [])
        if let text = try root.readTextIfPresent("/sys/module/loop/parameters/max_loop") {
            // 0 means "no fixed limit" (devices are made on demand).
            result.maxLoop = CheckedNumbers.integer(TextChecks.trimmed(text), in: 1...LoopDevices.maximumDevices)
            sources.append("/sys/module/loop/parameters/max_loop")
        }
        // Kernel command line wins over modprobe options when loop is built in.
        if let arguments = try? store.get(Facts.kernelCommandLine),
           let argument = arguments.first(where: { $0.hasPrefix("max_loop=") || $0.hasPrefix("loop.max_loop=") }) {
            result.configuredMaxLoop = CheckedNumbers.integer(argument.split(separator: "=").last ?? "", in: 0...LoopDevices.maximumDevices)
            result.configuredIn = "/proc/cmdline"
        }
        var modprobeFiles = ["/etc/modprobe.conf"]
        if let names = try? root.list("/etc/modprobe.d") {
            modprobeFiles += names.filter { $0.hasSuffix(".conf") }.map { "/etc/modprobe.d/\($0)" }
        }
        for path in modprobeFiles where result.configuredIn == nil {
            guard let text = try? root.readText(path) else { continue }
            for line in text.split(separator: "\n") {
                let words = line.split(whereSeparator: \.isWhitespace)
                guard words.count >= 3, words[0] == "options", words[1] == "loop" else { continue }
                if let option = words.dropFirst(2).first(where: { $0.hasPrefix("max_loop=") }) {
                    result.configuredMaxLoop = CheckedNumbers.integer(option.dropFirst("max_loop=".count), in: 0...LoopDevices.maximumDevices)
                    result.configuredIn = path
                }
            }
        }
        if let blocks = try? root.list("/sys/block") {
            sources.append("/sys/block")
            for name in blocks where name.hasPrefix("loop") && name.dropFirst(4).allSatisfy(\.isNumber) {
                let backing = (try? root.readText("/sys/block/\(name)/loop/backing_file")).map { TextChecks.trimmed($0) }
                result.devices.append(Device(name: name, backingFile: backing?.isEmpty == false ? backing : nil))
            }
        } else if let nodes = try? root.list("/dev") {
            // No sysfs in this root: count the device nodes; which ones are busy is unknown.
            result.devices = nodes.filter { $0.hasPrefix("loop") && $0.dropFirst(4).allSatisfy(\.isNumber) && $0.count > 4 }
                .map { Device(name: $0, backingFile: nil) }
            sources.append("/dev")
        }
        result.devices.sort { (Int($0.name.dropFirst(4)) ?? 0) < (Int($1.name.dropFirst(4)) ?? 0) }
        result.onDemand = (try? root.captured("/dev/loop-control")) ?? false

        if let domains = try? store.get(Facts.libvirtDomains) {
            for domain in domains.domains {
                for disk in domain.disks where disk.driver == "file" || disk.source?.hasPrefix("file:") == true {
                    result.loopBackedGuestDisks.append("\(domain.name): \(disk.source ?? "?")")
                }
            }
        }
        if let names = try? root.list("/etc/xen") {
            for name in names where !name.hasSuffix(".sxp") && !name.hasPrefix("xl.") {
                let path = "/etc/xen/\(name)"
                guard let text = try? root.readText(path, limit: 1 << 20), text.contains("disk") else { continue }
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                    // disk = [ 'file:/a.img,hda,w', 'file:/b.iso,hdc:cdrom,r' ]: one loop device per file: entry.
                    for entry in line.components(separatedBy: "file:").dropFirst() {
                        let image = entry.prefix { $0 != "," && $0 != "'" && $0 != "\"" }
                        result.loopBackedGuestDisks.append("\(path): \(image)")
                    }
                }
            }
        }
        // Nothing to judge: no device, no limit, no on-demand creation visible in this root.
        if result.devices.isEmpty && result.maxLoop == nil && result.configuredMaxLoop == nil && !result.onDemand {
            throw .absent("/sys/block/loop*")
        }
        return Sourced(result, sources: sources)
    }
}
