import DoctorCore

/// Guests defined the xm/xl way: one configuration file per guest directly in /etc/xen (`name = "guest4"`),
/// with links in /etc/xen/auto for the ones started at boot. The daemon's own files there (xend-config.sxp,
/// xl.conf, scripts/) are not guests.
///
///     name = "guest4"
///     memory = 1024
///     builder = "hvm"
public struct XenGuestConfigs: Codable, Sendable, Equatable {
    public struct Guest: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        /// "hvm" for a fully virtualized guest (builder = "hvm" or type = "hvm"), else "pv".
        public var kind: String
        public var autostart: Bool
    }

    public var guests: [Guest]

    /// The guest a configuration file defines, or nil when the text names none. Total on any text.
    public static func parse(_ text: String, file: String) -> Guest? {
        var name: String?
        var hvm = false
        for line in text.split(separator: "\n").prefix(2000) {
            let trimmed = TextChecks.trimmed(line)
            if trimmed.hasPrefix("#") { continue }
            guard let (key, value) = TextChecks.splitKeyValue(trimmed, separator: "=") else { continue }
            let unquoted = TextChecks.unquoted(value).prefix(256)
            switch key {
            case "name": name = String(unquoted)
            case "builder", "type": if unquoted == "hvm" { hvm = true }
            default: break
            }
        }
        guard let name, !name.isEmpty else { return nil }
        return Guest(name: name, file: file, kind: hvm ? "hvm" : "pv", autostart: false)
    }

    static let directory = "/etc/xen"
    static let notGuests: Set<String> = ["xend-config.sxp", "xl.conf", "xend-pci-permissive.sxp", "xend-pci-quirks.sxp",
                                         "cpupool", "README", "README.incompatibilities", "xlexample.hvm", "xlexample.pvlinux"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<XenGuestConfigs> {
        let names = try root.list(directory)
        let autostart = Set(((try? root.list(directory + "/auto")) ?? []).compactMap { root.readLink(directory + "/auto/" + $0).map(lastPathComponent) ?? $0 })
        var guests: [Guest] = []
        for name in names.sorted().prefix(5000) where !notGuests.contains(name) && !name.hasPrefix(".") && !name.hasSuffix(".sxp") {
            let path = directory + "/" + name
            guard let info = try? root.fileInfo(path), info.kind == .regular,
                  let text = try? root.readText(path, limit: 1 << 16),
                  var guest = parse(text, file: path) else { continue }
            guest.autostart = autostart.contains(name)
            guests.append(guest)
        }
        return Sourced(XenGuestConfigs(guests: guests), sources: [directory])
    }
}

private func lastPathComponent(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

extension Facts {
    public static let xenGuestConfigs = FactKey<XenGuestConfigs>("xen.guest-configs", "Guests defined by xm/xl configuration files in /etc/xen") { store throws(FactError) in
        try XenGuestConfigs.read(store.root)
    }
}
