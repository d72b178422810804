import DoctorCore

/// The cgroup hierarchy as the kernel and systemd set it up: cgroup v2 (unified), v1 (legacy) or both
/// (hybrid), the controllers each offers, and whether the kernel command line forced the legacy layout.
public struct CgroupControllers: Codable, Sendable, Equatable {
    public enum Layout: String, Codable, Sendable {
        /// cgroup2 mounted at /sys/fs/cgroup, no v1 controller hierarchies.
        case unified
        /// v1 controller hierarchies, with a cgroup2 file system beside them (/sys/fs/cgroup/unified).
        case hybrid
        /// Only v1 controller hierarchies.
        case legacy
        /// No cgroup file system mounted at all.
        case none
    }

    /// One row of /proc/cgroups.
    public struct V1Controller: Codable, Sendable, Equatable {
        public var name: String
        public var hierarchy: Int
        public var enabled: Bool
    }

    public var layout: Layout
    /// Where cgroup2 is mounted, when it is.
    public var unifiedMount: String?
    /// cgroup.controllers of the cgroup2 root: what the kernel offers on v2 (nil when not read).
    public var v2Controllers: [String]?
    /// cgroup.subtree_control of the cgroup2 root: what is handed down to the children.
    public var v2SubtreeControl: [String]?
    /// Controllers named in the options of cgroup (v1) mounts.
    public var v1Mounted: [String]
    /// /proc/cgroups: every controller the kernel has, and whether it is enabled (nil when not read).
    public var v1Kernel: [V1Controller]?
    /// `systemd.unified_cgroup_hierarchy=0` (or false/no/off) on the kernel command line.
    public var legacyForced: Bool
    /// cgroup_disable= and cgroup_no_v1= parameters, as evidence.
    public var commandLine: [String]

    // MARK: Parsers

    /// Parses /proc/cgroups: `#subsys_name hierarchy num_cgroups enabled`, one controller a line. Rows that
    /// are not four fields with numbers are skipped; no row at all is an error.
    public static func parseProcCgroups(_ text: String, source: String = "/proc/cgroups") throws(FactError) -> [V1Controller] {
        try TextChecks.requireText(text, source: source)
        var rows: [V1Controller] = []
        for line in text.split(separator: "\n").prefix(1000) {
            if line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 4,
                  let hierarchy = CheckedNumbers.integer(fields[1], in: 0...Int(Int32.max)),
                  CheckedNumbers.integer(fields[2], in: 0...Int.max) != nil,
                  let enabled = CheckedNumbers.integer(fields[3], in: 0...1),
                  fields[0].count <= 64, fields[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            rows.append(V1Controller(name: String(fields[0]), hierarchy: hierarchy, enabled: enabled == 1))
        }
        guard !rows.isEmpty else { throw .unparsable(source: source, detail: "no controller rows") }
        return rows
    }

    /// Parses cgroup.controllers or cgroup.subtree_control: controller names separated by spaces. An empty
    /// file is a valid answer (no controllers); names that are not controller words are dropped.
    public static func parseControllerList(_ text: String) -> [String] {
        let words = Substring(text.prefix(4096)).split(whereSeparator: { $0.isWhitespace })
        return words.filter { word in word.count <= 64 && word.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
            .map { String($0) }
    }

    /// The layout and v1 controllers the mount table shows.
    public static func fromMounts(_ mounts: [MountEntry]) -> (layout: Layout, unifiedMount: String?, v1Mounted: [String]) {
        let v2 = mounts.filter { $0.type == "cgroup2" }
        let v1 = mounts.filter { $0.type == "cgroup" }
        let known: Set<String> = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio", "perf_event",
                                  "net_prio", "hugetlb", "pids", "rdma", "misc"]
        var controllers = Set<String>()
        for mount in v1 { controllers.formUnion(mount.options.filter(known.contains)) }
        let unified = v2.first { $0.mountPoint == "/sys/fs/cgroup" } ?? v2.first
        let layout: Layout = controllers.isEmpty ? (unified == nil ? .none : .unified) : (unified == nil ? .legacy : .hybrid)
        return (layout, unified?.mountPoint, controllers.sorted())
    }

    /// Whether a kernel parameter value means "off" the way systemd reads booleans.
    static func isFalse(_ value: Substring) -> Bool {
        ["0", "no", "false", "off", "n"].contains(value.lowercased())
    }

    // MARK: Reading

    static func read(_ store: FactStore) throws(FactError) -> Sourced<CgroupControllers> {
        let root = store.root
        var sources: [String] = []
        // /proc/self/mounts first (this process's view, what libvirt sees); a copy (sos) holds /proc/mounts.
        var mountsText: String?
        if let text = try? root.readTextIfPresent("/proc/self/mounts", limit: 4 << 20) {
            mountsText = text
            sources.append("/proc/self/mounts")
        } else if let text = try root.readTextIfPresent("/proc/mounts", limit: 4 << 20) {
            mountsText = text
            sources.append("/proc/mounts")
        }
        guard let mountsText else { throw .absent("/proc/mounts") }
        let mounts = MountEntry.parse(mountsText)
        guard !mounts.isEmpty else { throw .unparsable(source: sources[0], detail: "no mount lines") }
        let (layout, unifiedMount, v1Mounted) = fromMounts(mounts)
        let cmdline = (try? store.get(Facts.kernelCommandLine)) ?? []
        var state = CgroupControllers(layout: layout, unifiedMount: unifiedMount, v2Controllers: nil, v2SubtreeControl: nil,
                                      v1Mounted: v1Mounted, v1Kernel: nil, legacyForced: false, commandLine: [])
        for parameter in cmdline {
            if parameter.hasPrefix("systemd.unified_cgroup_hierarchy") || parameter.hasPrefix("systemd.legacy_systemd_cgroup_controller")
                || parameter.hasPrefix("cgroup_disable=") || parameter.hasPrefix("cgroup_no_v1=") || parameter.hasPrefix("cgroup_enable=") {
                state.commandLine.append(String(parameter.prefix(200)))
            }
            if parameter.hasPrefix("systemd.unified_cgroup_hierarchy="),
               let value = parameter.split(separator: "=", maxSplits: 1).last, isFalse(value) {
                state.legacyForced = true
            }
        }
        if let unifiedMount {
            let controllersPath = unifiedMount + "/cgroup.controllers"
            if let text = try root.readTextIfPresent(controllersPath, limit: 1 << 16) {
                state.v2Controllers = parseControllerList(text)
                sources.append(controllersPath)
            }
            let subtreePath = unifiedMount + "/cgroup.subtree_control"
            if let text = try? root.readTextIfPresent(subtreePath, limit: 1 << 16) {
                state.v2SubtreeControl = parseControllerList(text)
                sources.append(subtreePath)
            }
            // On the unified layout the controllers file is the whole answer: without it nothing can be judged.
            if layout == .unified && state.v2Controllers == nil { throw .absent(controllersPath) }
        }
        if layout == .legacy || layout == .hybrid {
            if let text = try root.readTextIfPresent("/proc/cgroups", limit: 1 << 20) {
                state.v1Kernel = try parseProcCgroups(text)
                sources.append("/proc/cgroups")
            }
        }
        return Sourced(state, sources: sources)
    }
}

extension Facts {
    public static let cgroupControllers = FactKey<CgroupControllers>("cgroup.controllers", "cgroup layout (v2, v1, hybrid), the controllers each offers, a forced legacy hierarchy") { store throws(FactError) in
        try CgroupControllers.read(store)
    }
}
