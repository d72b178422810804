import Foundation
import DoctorCore

/// sysctl settings that survive a reboot, in the order systemd-sysctl applies them: `*.conf` files from
/// /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and /lib/sysctl.d, sorted by
/// file name (a file in /etc hides one of the same name further down), then /etc/sysctl.conf last.
///
///     # /etc/sysctl.d/99-libvirt.conf
///     net.ipv4.ip_forward = 1
///     net/bridge/bridge-nf-call-iptables=0
public struct PersistedSysctls: Codable, Sendable, Equatable {
    public struct Setting: Codable, Sendable, Equatable {
        public var value: String
        public var file: String
        public var line: Int
    }

    /// Final value per key (dots, never slashes), with the file that set it last.
    public var settings: [String: Setting]
    public var filesRead: [String]
    /// /etc/sysctl.conf when it exists but nothing applies it at boot: systemd-sysctl runs and no sysctl.d
    /// entry links to it (Debian 13 and newer Fedora no longer ship /etc/sysctl.d/99-sysctl.conf).
    public var ignoredFile: String? = nil
    /// What the ignored file would set.
    public var ignoredSettings: [String: Setting] = [:]

    public static let sysctlConf = "/etc/sysctl.conf"
    /// Unit files of systemd-sysctl.service, small enough for a bundle to carry.
    static let systemdSysctlUnits = ["/usr/lib/systemd/system/systemd-sysctl.service", "/lib/systemd/system/systemd-sysctl.service"]

    /// Whether this root boots with systemd-sysctl, which reads only the sysctl.d directories (systemd 207
    /// and later): its unit file, or a sos report's list of unit files naming it.
    static func bootsWithSystemdSysctl(_ root: HostRoot) -> Bool {
        for unit in systemdSysctlUnits where (try? root.readTextIfPresent(unit, limit: 1 << 16)) != nil { return true }
        if let units = try? root.readTextIfPresent("/sos_commands/systemd/systemctl_list-unit-files", limit: 4 << 20) {
            return units.contains("systemd-sysctl.service")
        }
        return false
    }

    public static let directories = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"]

    public static func parse(_ text: String, file: String, into settings: inout [String: Setting]) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = TextChecks.trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            // "-key = value" means: ignore errors setting it. The key is the same.
            if line.hasPrefix("-") { line.removeFirst() }
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
            settings[normalizeKey(key)] = Setting(value: value, file: file, line: number + 1)
        }
    }

    public static func normalizeKey(_ key: String) -> String {
        // sysctl accepts both "net.ipv4.ip_forward" and "net/ipv4/ip_forward".
        key.contains("/") ? key.replacingOccurrences(of: "/", with: ".") : key
    }
}
