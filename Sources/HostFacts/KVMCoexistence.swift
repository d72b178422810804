import DoctorCore

// issue 13 (hit-b): KVM beside VirtualBox or VMware Workstation on one host.

/// `kvm.enable_virt_at_load` (Linux 6.12+): whether KVM turns VT-x/AMD-V on when its module loads rather
/// than when the first guest starts. The parameter file, and any `kvm.enable_virt_at_load=` on the kernel
/// command line.
public struct KVMVirtAtLoad: Codable, Sendable, Equatable {
    /// The parameter as /sys/module/kvm/parameters/enable_virt_at_load shows it (Y or N); nil when the kernel
    /// has no such parameter or the file was not captured.
    public var parameter: String?
    /// The value the kernel command line gives, when it does.
    public var commandLine: String?

    static let parameterPath = "/sys/module/kvm/parameters/enable_virt_at_load"

    /// Y/N/1/0 (and the words the kernel's bool parser accepts) as a Bool; nil for anything else.
    public static func boolean(_ text: String) -> Bool? {
        switch TextChecks.trimmed(text).lowercased() {
        case "y", "yes", "1", "on", "true": true
        case "n", "no", "0", "off", "false": false
        default: nil
        }
    }

    /// The last `kvm.enable_virt_at_load=` word of a command line (the kernel applies the last one).
    public static func commandLineValue(_ words: [String]) -> String? {
        words.last { $0.hasPrefix("kvm.enable_virt_at_load=") }.map { String($0.dropFirst("kvm.enable_virt_at_load=".count).prefix(16)) }
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<KVMVirtAtLoad> {
        var result = KVMVirtAtLoad()
        var sources: [String] = []
        do throws(FactError) {
            let text = try root.readText(parameterPath, limit: 1 << 12)
            let value = TextChecks.trimmed(text)
            if !value.isEmpty { result.parameter = String(value.prefix(16)); sources.append(parameterPath) }
        } catch .absent {
        } catch .notCaptured {
        }
        if let line = try? root.readTextIfPresent("/proc/cmdline", limit: 1 << 16) {
            result.commandLine = commandLineValue(line.split(whereSeparator: \.isWhitespace).map(String.init))
            if result.commandLine != nil { sources.append("/proc/cmdline") }
        }
        return Sourced(result, sources: sources.isEmpty ? [parameterPath] : sources)
    }
}

/// The major and minor number of a kernel release ("6.12.0-55.el10.x86_64" -> 6.12).
public enum KernelVersion {
    public static func majorMinor(_ release: String) -> (major: Int, minor: Int)? {
        let numbers = release.prefix(64).split(whereSeparator: { !$0.isNumber }).prefix(2)
        guard release.first?.isNumber == true, numbers.count == 2,
              let major = CheckedNumbers.integer(numbers[numbers.startIndex], in: 0...999),
              let minor = CheckedNumbers.integer(numbers[numbers.index(after: numbers.startIndex)], in: 0...9999) else { return nil }
        return (major, minor)
    }

    /// Whether `release` is at least major.minor; nil when the release is not a version.
    public static func isAtLeast(_ release: String, _ major: Int, _ minor: Int) -> Bool? {
        guard let version = majorMinor(release) else { return nil }
        return version.major > major || (version.major == major && version.minor >= minor)
    }
}

extension Facts {
    public static let kvmVirtAtLoad = FactKey<KVMVirtAtLoad>("kvm.enable-virt-at-load", "Whether KVM enables VT-x/AMD-V when it loads (kvm.enable_virt_at_load, Linux 6.12+)") { store throws(FactError) in
        try KVMVirtAtLoad.read(store.root)
    }
}
