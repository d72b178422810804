import CSystemShims
import DoctorCore
import Foundation

/// A network interface or disk and the chain of kernel drivers behind it, nearest first
/// (`virtio_net, virtio-pci` for a virtio NIC; `sd, ata_piix` for an emulated IDE disk).
public struct DeviceWithDrivers: Codable, Sendable, Equatable {
    public var name: String
    public var drivers: [String]
    /// The sysfs path the link resolved to, for evidence.
    public var sysfsPath: String
    /// Block devices: the active I/O scheduler (the bracketed entry) and whether it claims to rotate.
    public var scheduler: String?
    public var rotational: Bool?
}

/// The guest's NICs and disks with their drivers, read from sysfs links, so paravirtual and emulated
/// hardware can be told apart.
public struct GuestDevices: Codable, Sendable, Equatable {
    public var nics: [DeviceWithDrivers]
    public var disks: [DeviceWithDrivers]

    /// Block devices that are not disks a hypervisor gives a guest.
    static let ignoredBlockPrefixes = ["loop", "ram", "zram", "dm-", "md", "sr", "nbd", "fd"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<GuestDevices> {
        var devices = GuestDevices(nics: [], disks: [])
        let interfaces = try root.list("/sys/class/net")
        for name in interfaces where name != "lo" {
            // Bridges, veth, tun and loopback live under /sys/devices/virtual: not hardware a hypervisor emulates.
            let path = resolvedLink(root, "/sys/class/net/\(name)") ?? "/sys/class/net/\(name)"
            guard !path.contains("/devices/virtual/") else { continue }
            devices.nics.append(DeviceWithDrivers(name: name, drivers: driverChain(root, devicePath: path), sysfsPath: path))
        }
        for name in (try? root.list("/sys/block")) ?? [] where !ignoredBlockPrefixes.contains(where: name.hasPrefix) {
            let path = resolvedLink(root, "/sys/block/\(name)") ?? "/sys/block/\(name)"
            let schedulerText = (try? root.readText("/sys/block/\(name)/queue/scheduler")) ?? ""
            let scheduler = schedulerText.split(separator: " ").first { $0.hasPrefix("[") }.map { String($0.dropFirst().dropLast()) }
                ?? (schedulerText.isEmpty ? nil : TextChecks.trimmed(schedulerText))
            let rotational = (try? root.readText("/sys/block/\(name)/queue/rotational")).map { TextChecks.trimmed($0) == "1" }
            devices.disks.append(DeviceWithDrivers(name: name, drivers: driverChain(root, devicePath: path), sysfsPath: path,
                                                   scheduler: scheduler, rotational: rotational))
        }
        return Sourced(devices, sources: ["/sys/class/net", "/sys/block"])
    }

    /// Follows a /sys/class or /sys/block link to its /sys/devices path.
    static func resolvedLink(_ root: HostRoot, _ path: String) -> String? {
        guard let target = root.readLink(path) else { return nil }
        var components = path.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            if part == ".." { if !components.isEmpty { components.removeLast() } } else if part != "." { components.append(String(part)) }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The `driver` link of the device and of every ancestor up to the PCI bus: the whole stack.
    static func driverChain(_ root: HostRoot, devicePath: String) -> [String] {
        var drivers: [String] = []
        var components = devicePath.split(separator: "/").map(String.init)
        while components.count > 2 {
            let directory = "/" + components.joined(separator: "/")
            if let target = root.readLink(directory + "/driver") ?? root.readLink(directory + "/device/driver") {
                let name = String(target.split(separator: "/").last ?? "")
                if !name.isEmpty && drivers.last != name { drivers.append(name) }
            }
            components.removeLast()
        }
        return drivers
    }
}

/// Names of running processes (/proc/<pid>/comm), for daemons such as chronyd or qemu-ga.
public struct ProcessNames: Codable, Sendable, Equatable {
    public var names: [String]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<ProcessNames> {
        let entries = try root.list("/proc")
        var names = Set<String>()
        for pid in entries where pid.allSatisfy(\.isNumber) {
            if let comm = try? root.readText("/proc/\(pid)/comm", limit: 256) { names.insert(TextChecks.trimmed(comm)) }
        }
        // A copy whose /proc holds no process at all (a sos report without its ps output, a mounted disk)
        // never saw the processes: "none running" would be a guess.
        if names.isEmpty, !root.isLive, root.evidence.isUncaptured("/proc/1") {
            throw root.liveOnly("the process list (/proc/<pid>/comm or `ps` output)")
        }
        return Sourced(ProcessNames(names: names.sorted()), sources: ["/proc/*/comm"])
    }
}

/// Whether the clock is kept by a time service, and whether the kernel considers it synchronised.
public struct TimeSync: Codable, Sendable, Equatable {
    /// Services seen running (chronyd, ntpd, systemd-timesyncd, openntpd, ptp4l).
    public var running: [String]
    /// Services with a configuration file present.
    public var configured: [String]
    /// The kernel's view (adjtimex(2) without changing anything): false means STA_UNSYNC / TIME_ERROR.
    public var kernelSynchronized: Bool?
    public var synchronizedSource: String?
    /// True when the evidence never held the process list (a sos report without `ps`): `running` is then
    /// empty for want of evidence, not because nothing runs. Optional so older documents still decode.
    public var processesUnknown: Bool?
    /// Where `running` was read when not from the process list (`systemctl list-units (...)`); nil for
    /// /proc/*/comm. Optional so older documents still decode.
    public var runningSource: String?

    /// adjtimex(2)'s answer as `adjtimex.txt` ("synchronized=yes|no"), writer beside reader; see LiveRecordings.
    public static func recordedText(synchronized: Bool) -> String {
        "synchronized=\(synchronized ? "yes" : "no")\n"
    }

    static func parseRecorded(_ text: String) -> Bool {
        text.contains("synchronized=yes")
    }

    /// Each service: its process name (/proc/<pid>/comm, 15 bytes at most), the name reports use, its
    /// configuration files, and the systemd units that run it (distributions name chrony's and ntp's differently).
    static let services: [(process: String, name: String, configs: [String], units: [String])] = [
        ("chronyd", "chronyd", ["/etc/chrony.conf", "/etc/chrony/chrony.conf"], ["chronyd.service", "chrony.service"]),
        ("ntpd", "ntpd", ["/etc/ntp.conf", "/etc/ntpsec/ntp.conf"], ["ntpd.service", "ntp.service", "ntpsec.service"]),
        ("systemd-timesyn", "systemd-timesyncd", ["/etc/systemd/timesyncd.conf"], ["systemd-timesyncd.service"]),
        ("openntpd", "openntpd", ["/etc/openntpd/ntpd.conf"], ["openntpd.service"]),
        ("ptp4l", "ptp4l", ["/etc/ptp4l.conf"], ["ptp4l.service"]),
    ]

    static func read(_ store: FactStore) throws(FactError) -> Sourced<TimeSync> {
        let root = store.root
        var sync = TimeSync(running: [], configured: [], kernelSynchronized: nil, synchronizedSource: nil)
        let processes: ProcessNames?
        var processesError: FactError?
        do throws(FactError) {
            processes = try store.get(Facts.processes)
        } catch {
            processes = nil
            // Whether a service runs cannot be read from its configuration: unknown processes leave it unknown.
            if error.isUnknownFromEvidence { sync.processesUnknown = true; processesError = error }
        }
        var sources: [String] = []
        for service in services {
            if processes?.names.contains(service.process) == true { sync.running.append(service.name) }
            if service.configs.contains(where: root.exists) { sync.configured.append(service.name) }
        }
        if processes != nil { sources.append("/proc/*/comm") }
        if sync.processesUnknown == true, let units = try? store.sourced(Facts.serviceUnits).get() {
            // Without a process list, systemd's record of active units says what runs (a sos report keeps
            // `systemctl list-units` even when its process plugin did not run).
            let source = "systemctl list-units (" + units.sources.joined(separator: ", ") + ")"
            for service in services where service.units.contains(where: units.value.isActive) {
                sync.running.append(service.name)
            }
            if !sync.running.isEmpty {
                sync.runningSource = source
                sources.append(source)
            }
        }
        if root.isLive {
            let result = vd_clock_synchronized()
            if result >= 0 {
                sync.kernelSynchronized = result == 1
                sync.synchronizedSource = "adjtimex(2)"
                sources.append("adjtimex(2)")
            }
        } else if root.exists("/run/systemd/timesync/synchronized") {
            sync.kernelSynchronized = true
            sync.synchronizedSource = "/run/systemd/timesync/synchronized"
        } else if let recorded = try? root.readText("/adjtimex.txt") {
            sync.kernelSynchronized = TimeSync.parseRecorded(recorded)
            sync.synchronizedSource = "/adjtimex.txt"
        }
        if processes == nil && sync.running.isEmpty && sync.configured.isEmpty && sync.kernelSynchronized == nil {
            // Evidence that never held the process list says so, rather than "nothing is there".
            throw processesError ?? .absent("/proc and time service configuration")
        }
        return Sourced(sync, sources: sources.isEmpty ? ["time service configuration"] : sources)
    }
}

/// CPU time the hypervisor gave to other guests while this one wanted to run (steal), from /proc/stat.
///
///     cpu  44517 0 10528 306817 2531 0 223 318 0 0
///          user nice system idle iowait irq softirq steal guest guest_nice
public struct StealTime: Codable, Sendable, Equatable {
    public var stealTicks: Int
    public var totalTicks: Int
    public var percent: Double

    static func parse(_ text: String, source: String = "/proc/stat") throws(FactError) -> StealTime {
        try TextChecks.requireText(text, source: source)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            throw .unparsable(source: source, detail: "no aggregate 'cpu' line")
        }
        let words = line.split(separator: " ").dropFirst()
        guard words.count >= 8 else {
            throw .unparsable(source: source, detail: "the 'cpu' line has no steal column")
        }
        // Tick counters are never negative; a number that does not fit in 64 bits is not a counter either.
        let fields = words.map { CheckedNumbers.integer($0, in: 0...Int.max) }
        guard fields.allSatisfy({ $0 != nil }) else {
            throw .unparsable(source: source, detail: "the 'cpu' line holds a value that is not a non-negative 64-bit tick count")
        }
        let numbers = fields.map { $0! }
        // guest and guest_nice are already counted in user and nice.
        guard let total = CheckedNumbers.sum(numbers.prefix(8)) else {
            throw .unparsable(source: source, detail: "the 'cpu' tick counters add up to more than a 64-bit count can hold")
        }
        return StealTime(stealTicks: numbers[7], totalTicks: total,
                         percent: total > 0 ? Double(numbers[7]) * 100 / Double(total) : 0)
    }
}

extension Facts {
    public static let guestDevices = FactKey<GuestDevices>("guest.devices", "Network interfaces and disks with their driver chains and I/O schedulers") { store throws(FactError) in
        try GuestDevices.read(store.root)
    }

    public static let processes = FactKey<ProcessNames>("proc.names", "Names of running processes") { store throws(FactError) in
        try ProcessNames.read(store.root)
    }

    public static let timeSync = FactKey<TimeSync>("time.sync", "Time services running or configured, and the kernel's synchronisation flag") { store throws(FactError) in
        try TimeSync.read(store)
    }

    public static let stealTime = FactKey<StealTime>("cpu.steal", "CPU steal time since boot (/proc/stat)") { store throws(FactError) in
        Sourced(try StealTime.parse(try store.root.readText("/proc/stat")), sources: ["/proc/stat"])
    }
}

/// /proc/meminfo totals, in KiB.
///
///     MemTotal:       24576000 kB
///     SwapTotal:       8388604 kB
public struct MemoryInfo: Codable, Sendable, Equatable {
    public var memTotalKiB: Int
    public var swapTotalKiB: Int
    public var swapFreeKiB: Int

    static func parse(_ text: String, source: String = "/proc/meminfo") throws(FactError) -> MemoryInfo {
        try TextChecks.requireText(text, source: source)
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: ":"), ["MemTotal", "SwapTotal", "SwapFree"].contains(key) else { continue }
            let number = value.split(separator: " ").first ?? ""
            // Bounded so that RAM plus swap, and totals over guests, stay far from Int.max.
            guard let kib = CheckedNumbers.integer(number, in: 0...LibvirtUnits.maximumKiB) else {
                throw .unparsable(source: source, detail: "\(key) '\(number.prefix(40))' is not a size in kB between 0 and 16 EiB")
            }
            values[key] = kib
        }
        guard let total = values["MemTotal"] else { throw .unparsable(source: source, detail: "no MemTotal line") }
        return MemoryInfo(memTotalKiB: total, swapTotalKiB: values["SwapTotal"] ?? 0, swapFreeKiB: values["SwapFree"] ?? 0)
    }
}

extension Facts {
    public static let memory = FactKey<MemoryInfo>("host.memory", "Memory and swap totals (/proc/meminfo)") { store throws(FactError) in
        Sourced(try MemoryInfo.parse(try store.root.readText("/proc/meminfo")), sources: ["/proc/meminfo"])
    }

    /// Settings of /etc/libvirt/qemu.conf that decide console exposure and TLS (vnc_listen, vnc_tls ...).
    public static let qemuConfiguration = FactKey<[String: String]>("libvirt.qemu-conf", "Console and TLS settings in /etc/libvirt/qemu.conf") { store throws(FactError) in
        let text = try store.root.readText("/etc/libvirt/qemu.conf", limit: 1 << 20)
        var settings: [String: String] = [:]
        for (key, value) in CertificateDiscovery.settings(text) where key.hasPrefix("vnc_") || key.hasPrefix("spice_") || key.hasSuffix("_tls_x509_cert_dir") {
            // Passwords are never kept: only whether one is set.
            settings[key] = key.hasSuffix("password") ? (value.isEmpty ? "" : "(set)") : value
        }
        return Sourced(settings, sources: ["/etc/libvirt/qemu.conf"])
    }
}
