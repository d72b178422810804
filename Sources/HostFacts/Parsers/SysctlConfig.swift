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
