import Foundation
import DoctorCore

/// `/proc/modules`: one loaded module a line.
///
///     kvm_intel 286720 0 - Live 0x0000000000000000
///     kvm 1146880 1 kvm_intel, Live 0x0000000000000000
///
/// Built-in modules never appear there; the inventory adds those seen under `/sys/module` without an
/// `initstate` file (a built-in module with parameters), so a kernel with KVM compiled in is not mistaken
/// for one without it.
public struct KernelModules: Codable, Sendable, Equatable {
    public struct Module: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int
        public var useCount: Int
        public var usedBy: [String]
        public var state: String?
    }

    /// Modules listed in /proc/modules.
    public var loaded: [Module]
    /// Modules compiled into the kernel (under /sys/module, not in /proc/modules).
    public var builtIn: [String]
    /// False when the kernel has no module support at all (no /proc/modules).
    public var loadableModulesSupported: Bool

    public func isPresent(_ name: String) -> Bool {
        let normalized = name.replacingOccurrences(of: "-", with: "_")
        return loaded.contains { $0.name == normalized } || builtIn.contains(normalized)
    }

    public static func parseProcModules(_ text: String, source: String = "/proc/modules") throws(FactError) -> [Module] {
        if text.isEmpty { return [] }   // a kernel with nothing loaded prints nothing
        try TextChecks.requireText(text, source: source)
        var modules: [Module] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, let size = Int(fields[1]), let count = Int(fields[2]) else {
                throw .unparsable(source: source, detail: "line \(number + 1) is not 'name size count ...': \(line.prefix(80))")
            }
            let usedBy = fields.count > 3 && fields[3] != "-"
                ? fields[3].split(separator: ",").map(String.init).filter { !$0.isEmpty } : []
            modules.append(Module(
                name: String(fields[0]), size: size, useCount: count, usedBy: usedBy,
                state: fields.count > 4 ? String(fields[4]) : nil))
        }
        return modules
    }
}
