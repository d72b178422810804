import DoctorCore
import HostFacts

/// What the migration checks read on both sides, in one place: versions of the virtualization stack and
/// the names the hosts go by. Each value says where it was read, for the evidence lines.
enum MigrationSides {
    struct Version {
        var value: String
        var source: String
        /// From a running libvirt (x.y.z), not from a package record (with its distribution suffix).
        var fromLibvirt: Bool
    }

    /// Package names carrying each component, in order of preference (rpm first, then Debian's).
    static let packageNames: [String: [String]] = [
        "libvirt": ["libvirt-daemon", "libvirt-daemon-kvm", "libvirt", "libvirt-daemon-system", "libvirt0"],
        "QEMU": ["qemu-kvm-core", "qemu-kvm", "qemu-system-x86", "qemu-system-x86-64", "qemu-system-aarch64", "qemu-system-ppc",
                 "qemu-system-s390x", "qemu-system-arm"],
        "VDSM": ["vdsm"],
    ]

    static func version(of component: String, in store: FactStore) -> Version? {
        if component != "VDSM", let live = try? store.sourced(Facts.libvirt).get() {
            let snapshot = live.value
            let text = component == "libvirt" ? snapshot.libvirtVersion : (snapshot.driver.uppercased() == "QEMU" ? snapshot.hypervisorVersion : "")
            if !text.isEmpty, text != "0.0.0" { return Version(value: text, source: live.sources.first ?? "libvirt", fromLibvirt: true) }
        }
        guard let packages = try? store.sourced(Facts.packages).get() else { return nil }
        for name in packageNames[component] ?? [] {
            if let version = packages.value.versions(of: name).max(by: { VersionOrder.compare($0, $1) < 0 }) {
                return Version(value: version, source: "\(packages.sources.first ?? "packages"): \(name)", fromLibvirt: false)
            }
        }
        return nil
    }

    /// A package version's upstream part ("1:9.0.0-4+deb12u2" -> "9.0.0"), for comparing with libvirt's x.y.z.
    static func upstream(_ version: String) -> String {
        var text = Substring(version)
        if let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy(\.isNumber) { text = text[text.index(after: colon)...] }
        if let dash = text.firstIndex(of: "-") { text = text[..<dash] }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        return String(text)
    }

    /// -1 when the destination is older, 0 equal, 1 newer; both sides compared on the same footing.
    static func order(source: Version, destination: Version) -> Int {
        if source.fromLibvirt != destination.fromLibvirt {
            return VersionOrder.compare(upstream(destination.value), upstream(source.value))
        }
        return VersionOrder.compare(destination.value, source.value)
    }

    /// How a host is named in sentences: its host name, else the evidence's label.
    static func name(_ store: FactStore) -> String {
        (try? store.get(Facts.hostname)) ?? store.root.evidence.hostname ?? store.root.label
    }
}

extension MigrationSides {
    /// A guest as the migration checks see it: its definition on the source, from libvirt's XML files or,
    /// where there are none (a live connection), from libvirt's answer.
    struct Guest {
        var name: String
        var memoryKiB: Int
        var cpu: LibvirtDomain.CPU?
        var interfaces: [LibvirtDomain.Interface]
        var disks: [LibvirtDomain.Disk]
        /// Where the definition was read, for the evidence lines.
        var source: String
    }

    /// The guest being judged (`context.guest`) on the source; a skip when it has no libvirt definition.
    static func guest(_ context: EvaluationContext) throws(FactError) -> Guest {
        guard let name = context.guest else { throw .absent("a guest to judge (this check runs per guest: virt-doctor migrate)") }
        if let files = try? context.facts.get(Facts.libvirtDomains), let domain = files.domains.first(where: { $0.name == name }) {
            return Guest(name: name, memoryKiB: domain.memoryKiB, cpu: domain.cpu, interfaces: domain.interfaces, disks: domain.disks,
                         source: domain.file)
        }
        if let live = try? context.facts.sourced(Facts.libvirt).get(), let domain = live.value.domains.first(where: { $0.name == name }) {
            return Guest(name: name, memoryKiB: domain.memoryKiB, cpu: domain.cpu, interfaces: domain.interfaces, disks: domain.disks,
                         source: live.sources.first ?? "libvirt")
        }
        throw .absent("a libvirt definition of guest \(name) (a Xen guest without libvirt has no device list to compare)")
    }

    /// CPU flags as /proc/cpuinfo lists them (the first CPU's; hosts have one CPU model), with the model name.
    static func cpu(_ store: FactStore) -> (model: String, vendor: String, flags: Set<String>)? {
        guard let info = try? store.get(Facts.cpuInfo), !info.processors.isEmpty else { return nil }
        return (info.modelName ?? "", info.vendor ?? "", Set(info.flagsOnAllCPUs))
    }
}
