import DoctorCore
import HostFacts

/// guest.xenbus-no-driver: "XENBUS: Device with no driver" in a Xen guest's kernel log, and whether the
/// block and network front-ends (xen-blkfront, xen-netfront) came later.
enum GuestXenbusNoDriver: CheckEvaluator {
    static let id = "guest.xenbus-no-driver"

    enum Condition: String, CaseIterable {
        case notXen = "not-xen"
        case noMessages = "no-messages"
        case driversLoadedLater = "drivers-loaded-later"
        case missingDrivers = "missing-drivers"
    }

    /// `device/vbd/51712` -> ("vbd", "51712").
    static func device(in line: String) -> (kind: String, id: String)? {
        guard let range = line.range(of: "device/") else { return nil }
        let parts = line[range.upperBound...].split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let id = parts[1].prefix { $0.isNumber }
        guard !id.isEmpty, id.count <= 10 else { return nil }
        return (String(parts[0]), String(id))
    }

    /// A Xen virtual block device number as the disk name it stands for: 51712 = 202 * 256 -> xvda.
    static func diskName(_ id: String) -> String? {
        guard let number = CheckedNumbers.integer(id, in: 0...Int(Int32.max)) else { return nil }
        let major = number >> 8, minor = number & 0xff
        let prefix: String
        let perDisk: Int
        switch major {
        case 202: prefix = "xvd"; perDisk = 16
        case 3: prefix = "hd"; perDisk = 64
        case 8: prefix = "sd"; perDisk = 16
        default: return nil
        }
        let index = minor / perDisk
        guard index < 26, let letter = UnicodeScalar(0x61 + index) else { return nil }
        return prefix + String(Character(letter))
    }

    static let frontends = ["vbd": "xen_blkfront", "vif": "xen_netfront"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.hypervisorVendor == "Xen", report.hypervisorHost == nil else { return .skip(.notXen) }
        let log = try context.fact(Facts.kernelLog)
        let lines = log.value.contains("xenbus: device with no driver")
        var evidence = [Evidence(source: log.sources.joined(separator: ", "),
                                 value: lines.isEmpty ? "no 'XENBUS: Device with no driver' lines" : lines.prefix(8).joined(separator: " | "))]
        guard !lines.isEmpty else { return .pass(.noMessages, evidence: evidence) }
        var devices: [String] = []
        var needed: [String] = []
        for line in lines {
            guard let (kind, id) = device(in: line) else { continue }
            let shown = "device/\(kind)/\(id)" + (kind == "vbd" ? diskName(id).map { " (\($0))" } ?? "" : (kind == "vif" ? " (eth\(id))" : ""))
            if !devices.contains(shown) { devices.append(shown) }
            if let driver = frontends[kind], !needed.contains(driver) { needed.append(driver) }
        }
        let modules = context.optionalFact(Facts.kernelModules)
        let present = needed.filter { modules?.value.isPresent($0) == true }
        if let modules {
            evidence.append(Evidence(source: modules.sources.joined(separator: ", "),
                                     value: needed.map { "\($0): \(present.contains($0) ? "present" : "absent")" }.joined(separator: ", ")))
        }
        var variables = ["devices": devices.joined(separator: ", ")]
        if !needed.isEmpty && present.count == needed.count {
            variables["drivers"] = present.map { $0.replacingOccurrences(of: "_", with: "-") }.joined(separator: ", ")
            return .pass(.driversLoadedLater, variables, evidence: evidence)
        }
        let missing = needed.filter { !present.contains($0) }
        variables["drivers"] = (missing.isEmpty ? ["xen-blkfront", "xen-netfront"] : missing.map { $0.replacingOccurrences(of: "_", with: "-") }).joined(separator: ", ")
        return .warn(.missingDrivers, variables, evidence: evidence)
    }
}
