import DoctorCore
import Foundation

/// CPU frequency scaling as the kernel exposes it, plus the legacy `/etc/sysconfig/cpuspeed` settings.
public struct CPUFrequency: Codable, Sendable, Equatable {
    public struct PerCPU: Codable, Sendable, Equatable {
        public var cpu: String
        public var governor: String?
        public var minKHz: Int?
        public var maxKHz: Int?
        public var hardwareMinKHz: Int?
        public var hardwareMaxKHz: Int?
        public var availableKHz: [Int]

        /// The frequency can change at run time (the window between the limits is open).
        public var canVary: Bool {
            if governor == "performance" || governor == "powersave" && minKHz == maxKHz { return false }
            if let minKHz, let maxKHz { return minKHz < maxKHz }
            return governor != nil
        }
    }

    public var cpus: [PerCPU]
    /// MIN_SPEED / MAX_SPEED in /etc/sysconfig/cpuspeed (RHEL 5 era).
    public var cpuspeedMin: Int?
    public var cpuspeedMax: Int?

    public var scalingActive: Bool { cpus.contains { $0.canVary } }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<CPUFrequency> {
        var cpus: [PerCPU] = []
        var sources: [String] = []
        let names = try root.list("/sys/devices/system/cpu")
        for name in names where name.hasPrefix("cpu") && name.dropFirst(3).allSatisfy(\.isNumber) && name.count > 3 {
            let base = "/sys/devices/system/cpu/\(name)/cpufreq"
            guard root.exists(base) else { continue }
            func number(_ file: String) -> Int? {
                (try? root.readText("\(base)/\(file)")).flatMap { Int(TextChecks.trimmed($0)) }
            }
            let governor = (try? root.readText("\(base)/scaling_governor")).map { TextChecks.trimmed($0) }
            let available = (try? root.readText("\(base)/scaling_available_frequencies"))?
                .split(whereSeparator: \.isWhitespace).compactMap { Int($0) } ?? []
            cpus.append(PerCPU(cpu: name, governor: governor, minKHz: number("scaling_min_freq"), maxKHz: number("scaling_max_freq"),
                               hardwareMinKHz: number("cpuinfo_min_freq"), hardwareMaxKHz: number("cpuinfo_max_freq"),
                               availableKHz: available))
            sources.append(base)
        }
        cpus.sort { (Int($0.cpu.dropFirst(3)) ?? 0) < (Int($1.cpu.dropFirst(3)) ?? 0) }
        var result = CPUFrequency(cpus: cpus)
        if let text = try? root.readText("/etc/sysconfig/cpuspeed") {
            sources.append("/etc/sysconfig/cpuspeed")
            for line in text.split(separator: "\n") {
                guard let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
                let number = Int(TextChecks.unquoted(value))
                if key == "MIN_SPEED" { result.cpuspeedMin = number }
                if key == "MAX_SPEED" { result.cpuspeedMax = number }
            }
        }
        if sources.isEmpty { sources = ["/sys/devices/system/cpu/cpu*/cpufreq (none present)"] }
        return Sourced(result, sources: sources)
    }
}
