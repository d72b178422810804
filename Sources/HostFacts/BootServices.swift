import DoctorCore

/// Services set to start at boot, from the links that say so: systemd's `*.wants/` directories under
/// /etc/systemd/system and SysV init's `S??name` links in the runlevel 3 and 5 directories. Names are
/// given without `.service` and without the `S??` prefix (`smartd`, `xend`).
public struct BootServices: Codable, Sendable, Equatable {
    /// Service name -> the link that enables it.
    public var enabled: [String: String]

    public func isEnabled(_ name: String) -> Bool { enabled[name] != nil }

    static let systemdDirectory = "/etc/systemd/system"
    static let sysvDirectories = ["/etc/rc.d/rc3.d", "/etc/rc.d/rc5.d", "/etc/rc3.d", "/etc/rc5.d"]

    /// `S40smartd` -> `smartd`; nil for a name that is not a start link.
    public static func sysvService(_ link: String) -> String? {
        guard link.hasPrefix("S"), link.count > 3 else { return nil }
        let digits = link.dropFirst().prefix(2)
        guard digits.count == 2, digits.allSatisfy(\.isNumber) else { return nil }
        let name = String(link.dropFirst(3))
        return name.isEmpty || name.contains("/") ? nil : name
    }

    /// `smartd.service` -> `smartd`; nil for other unit types and template instances.
    public static func systemdService(_ link: String) -> String? {
        guard link.hasSuffix(".service"), link.count > ".service".count else { return nil }
        let name = String(link.dropLast(".service".count))
        return name.hasSuffix("@") ? nil : name
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<BootServices> {
        var services = BootServices(enabled: [:])
        var sources: [String] = []
        if let entries = try? root.list(systemdDirectory) {
            sources.append(systemdDirectory)
            for directory in entries.sorted().prefix(1024) where directory.hasSuffix(".wants") {
                let path = "\(systemdDirectory)/\(directory)"
                for link in ((try? root.list(path)) ?? []).sorted().prefix(4096) {
                    guard let name = systemdService(link), services.enabled[name] == nil else { continue }
                    services.enabled[name] = "\(path)/\(link)"
                }
            }
        }
        for directory in sysvDirectories {
            guard let links = try? root.list(directory) else { continue }
            sources.append(directory)
            for link in links.sorted().prefix(4096) {
                guard let name = sysvService(link), services.enabled[name] == nil else { continue }
                services.enabled[name] = "\(directory)/\(link)"
            }
        }
        guard !sources.isEmpty else { throw .absent("/etc/systemd/system and /etc/rc.d (boot-time service links)") }
        return Sourced(services, sources: sources)
    }
}

extension Facts {
    public static let bootServices = FactKey<BootServices>("services.boot-enabled", "Services enabled at boot (systemd .wants links, SysV S?? links in runlevels 3 and 5)") { store throws(FactError) in
        try BootServices.read(store.root)
    }
}
