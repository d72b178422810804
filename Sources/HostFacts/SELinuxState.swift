import DoctorCore
import Foundation

/// SELinux mode now (selinuxfs) and at next boot (/etc/selinux/config).
///
///     # /etc/selinux/config
///     SELINUX=enforcing
///     SELINUXTYPE=targeted
public struct SELinuxState: Codable, Sendable, Equatable {
    /// enforcing, permissive or disabled (selinuxfs not mounted).
    public var runtimeMode: String
    public var configuredMode: String?
    public var policyType: String?
    public var runtimeSource: String

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<SELinuxState> {
        var sources: [String] = []
        var configured: String?
        var policy: String?
        if let text = try root.readTextIfPresent("/etc/selinux/config") {
            sources.append("/etc/selinux/config")
            for line in text.split(separator: "\n") {
                guard let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
                if key == "SELINUX" { configured = TextChecks.unquoted(value).lowercased() }
                if key == "SELINUXTYPE" { policy = TextChecks.unquoted(value) }
            }
        }
        var runtime = "disabled"
        var runtimeSource = "selinuxfs not mounted (/sys/fs/selinux absent)"
        for path in ["/sys/fs/selinux/enforce", "/selinux/enforce"] {
            let found: String?
            do throws(FactError) {
                found = try root.readTextIfPresent(path)
            } catch .notCaptured(let what, let source) {
                // Without the config file SELinux is not installed (the file comes with its packages);
                // with it, the mode at run time is simply unknown in this evidence.
                if sources.isEmpty { throw .absent("/etc/selinux/config and /sys/fs/selinux") }
                throw .notCaptured(what: what, source: source)
            }
            if let text = found {
                switch TextChecks.trimmed(text) {
                case "1": runtime = "enforcing"
                case "0": runtime = "permissive"
                default: throw .unparsable(source: path, detail: "expected 0 or 1, found '\(TextChecks.trimmed(text).prefix(20))'")
                }
                runtimeSource = path
                sources.append(path)
                break
            }
        }
        // Neither a config file nor selinuxfs: SELinux is not part of this system (Debian, Ubuntu).
        guard !sources.isEmpty else { throw .absent("/etc/selinux/config and /sys/fs/selinux") }
        return Sourced(SELinuxState(runtimeMode: runtime, configuredMode: configured, policyType: policy,
                                    runtimeSource: runtimeSource), sources: sources)
    }
}
