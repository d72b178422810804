import DoctorCore

/// What the firmware tells the kernel about IOMMUs, whether or not the kernel enabled them: the ACPI tables
/// DMAR (Intel VT-d), IVRS (AMD-Vi) and IORT (Arm, which names the SMMUs), and Arm SMMUs seen in the device
/// tree, among the IOMMU units, or in the kernel log.
public struct IOMMUFirmware: Codable, Sendable, Equatable {
    /// The IOMMU tables among /sys/firmware/acpi/tables; nil when that directory is not in the root (no ACPI,
    /// or a copy without it), so absence cannot be told from "not captured".
    public var acpiTables: [String]?
    /// Arm SMMU signs: device-tree nodes (smmu@…, iommu@… with an arm,smmu compatible), smmu units, log lines.
    public var smmu: [String]

    static let tableNames = ["DMAR", "IVRS", "IORT"]

    /// The IOMMU tables in a listing of /sys/firmware/acpi/tables (DMAR, IVRS, IORT; numbered copies such as
    /// DMAR1 count as their table).
    public static func iommuTables(in names: [String]) -> [String] {
        var found = Set<String>()
        for name in names.prefix(10_000) {
            for table in tableNames where name == table || name.hasPrefix(table) && name.dropFirst(table.count).allSatisfy(\.isNumber) {
                found.insert(table)
            }
        }
        return tableNames.filter(found.contains)
    }

    /// Whether a device-tree `compatible` value (NUL-separated strings) names an Arm SMMU.
    public static func isSMMUCompatible(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(4096).split(separator: 0).contains { entry in
            let text = String(decoding: entry, as: UTF8.self)
            return text.hasPrefix("arm,smmu") || text.hasPrefix("arm,mmu-") || text.contains(",smmu")
        }
    }

    static func read(_ store: FactStore) throws(FactError) -> Sourced<IOMMUFirmware> {
        let root = store.root
        guard try root.captured("/sys") else { throw .absent("/sys") }
        var sources: [String] = []
        var state = IOMMUFirmware(acpiTables: nil, smmu: [])
        if let names = try? root.list("/sys/firmware/acpi/tables") {
            state.acpiTables = iommuTables(in: names)
            sources.append("/sys/firmware/acpi/tables")
        }
        // Arm without ACPI describes its SMMUs in the device tree: top-level and one bus level down.
        for directory in ["/proc/device-tree", "/proc/device-tree/soc"] {
            guard let names = try? root.list(directory) else { continue }
            for name in names.prefix(2000) where name.hasPrefix("smmu@") || name.hasPrefix("iommu@") {
                let path = "\(directory)/\(name)"
                if name.hasPrefix("smmu@") || (try? root.readBytes(path + "/compatible", limit: 4096)).map(isSMMUCompatible) == true {
                    state.smmu.append(path)
                }
            }
            sources.append(directory)
        }
        if let units = try? root.list("/sys/class/iommu") {
            state.smmu += units.filter { $0.hasPrefix("smmu") || $0.contains("smmu") }.map { "/sys/class/iommu/\($0)" }
        }
        if let log = try? store.get(Facts.kernelLog) {
            state.smmu += log.lines.filter { $0.contains("arm-smmu") }.prefix(3).map { "kernel log: \($0.prefix(160))" }
        }
        return Sourced(state, sources: sources.isEmpty ? ["/sys/firmware/acpi/tables"] : sources)
    }
}

extension Facts {
    public static let iommuFirmware = FactKey<IOMMUFirmware>("iommu.firmware", "IOMMU tables the firmware offers (ACPI DMAR, IVRS, IORT) and Arm SMMUs") { store throws(FactError) in
        try IOMMUFirmware.read(store)
    }
}
