import DoctorCore
import HostFacts

/// storage.persistent-names: guest disks given as kernel names (/dev/sdc) point at whatever the kernel
/// enumerates under that name after the next boot or rescan, and another host may see the same LUN under a
/// different name; persistent names (by-id, WWN, multipath aliases, LVM) do not move.
enum StoragePersistentNames: CheckEvaluator {
    static let id = "storage.persistent-names"

    enum Condition: String, CaseIterable {
        case noBlockDisks = "no-block-disks"
        case persistent
        /// Kernel names (`{disks}`) on shared (FC/iSCSI) storage.
        case kernelNamesShared = "kernel-names-shared"
        /// Kernel names on local or unknown transport.
        case kernelNames = "kernel-names"
    }

    /// sda, sdab1, hdc, vdb2, xvda: names the kernel hands out in discovery order.
    static func isKernelName(_ path: String) -> Bool {
        guard path.hasPrefix("/dev/"), path.dropFirst(5).firstIndex(of: "/") == nil else { return false }
        let name = path.dropFirst(5)
        for prefix in ["sd", "hd", "vd", "xvd"] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let letters = rest.prefix { $0.isLetter && $0.isLowercase }
            let digits = rest.dropFirst(letters.count)
            if !letters.isEmpty, letters.count <= 3, digits.allSatisfy(\.isNumber) { return true }
        }
        return false
    }

    /// "iSCSI" or "Fibre Channel" when sysfs places the disk behind such a transport; nil otherwise.
    static func transport(_ path: String, root: HostRoot) -> String? {
        let name = path.dropFirst(5)
        let disk = String(name.reversed().drop { $0.isNumber }.reversed())
        guard let device = root.canonicalPath("/sys/block/\(disk)") else { return nil }
        if device.contains("/session") || device.contains("iscsi") { return "iSCSI" }
        if device.contains("/rport-") || device.contains("fc_host") { return "Fibre Channel" }
        return nil
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let disks = try context.fact(Facts.guestImages).value.blockDisks
        guard !disks.isEmpty else { return .skip(.noBlockDisks) }
        let kernel = disks.filter { isKernelName($0.path) }
        var evidence = disks.prefix(20).map { Evidence(source: "guest \($0.guest)", value: $0.path, note: isKernelName($0.path) ? "kernel name" : "persistent name") }
        guard !kernel.isEmpty else {
            return .pass(.persistent, ["count": String(disks.count)], evidence: evidence)
        }
        let shared = kernel.compactMap { disk in transport(disk.path, root: context.root).map { (disk, $0) } }
        for (disk, kind) in shared { evidence.append(Evidence(source: "/sys/block", value: "\(disk.path): \(kind)")) }
        if let config = context.optionalFact(Facts.storageConfiguration)?.value, !config.udevNamingRules.isEmpty {
            for (file, lines) in config.udevNamingRules.sorted(by: { $0.key < $1.key }) {
                evidence.append(Evidence(source: file, value: lines.first ?? "", note: "\(lines.count) naming rule(s)"))
            }
        }
        var variables = ["count": String(kernel.count), "disks": StorageSupport.list(kernel.map { "\($0.path) (\($0.guest))" }),
                         "device": kernel[0].path, "guest": kernel[0].guest]
        if !shared.isEmpty {
            variables["transport"] = Array(Set(shared.map(\.1))).sorted().joined(separator: ", ")
            return .warn(.kernelNamesShared, variables, evidence: evidence)
        }
        return .warn(.kernelNames, variables, evidence: evidence)
    }
}
