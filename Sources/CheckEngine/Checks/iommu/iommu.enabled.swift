import DoctorCore
import HostFacts

/// iommu.enabled: PCI passthrough and SR-IOV need an active IOMMU (units and groups in sysfs).
enum IOMMUEnabled: CheckEvaluator {
    static let id = "iommu.enabled"

    enum Condition: String, CaseIterable {
        /// Units and groups exist; the sentence counts the units (`count`).
        case active
        /// No unit, and the evidence cannot say what the firmware offers (no ACPI tables in the root).
        case disabled
        /// x86: the ACPI table of the CPU's vendor (DMAR for Intel VT-d, IVRS for AMD-Vi) is absent, so the
        /// firmware does not offer an IOMMU; Arm: neither IORT nor an SMMU. A kernel parameter cannot help.
        case noFirmwareTable = "no-firmware-table"
        /// The firmware describes the IOMMU (its table is there), the kernel did not enable it.
        case kernelOff = "kernel-off"
        /// Arm: the firmware describes an SMMU (IORT or device tree), but no SMMU driver took it.
        case smmuDriverMissing = "smmu-driver-missing"
        /// This system is itself a VM (cpuinfo's hypervisor flag) and its virtual firmware has no IOMMU table:
        /// the fix is the VM's definition, not a firmware setting.
        case noVirtualIOMMU = "no-virtual-iommu"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state = try context.fact(Facts.iommu).value
        var evidence = [Evidence(source: "/sys/class/iommu", value: state.units.isEmpty ? "no IOMMU units" : state.units.joined(separator: ", ")),
                        Evidence(source: "/sys/kernel/iommu_groups", value: "\(state.groupCount) groups")]
        if !state.commandLine.isEmpty { evidence.append(Evidence(source: "/proc/cmdline", value: state.commandLine.joined(separator: " "))) }
        for line in state.kernelMessages.prefix(3) { evidence.append(Evidence(source: "kernel log", value: line)) }
        let groups = String(state.groupCount)
        if !state.units.isEmpty && state.groupCount > 0 {
            return .pass(.active, ["count": String(state.units.count), "groups": groups], evidence: evidence)
        }
        let cpu = context.optionalFact(Facts.cpuInfo)?.value
        let vendor = cpu?.vendor ?? ""
        let amd = vendor.contains("AMD") || vendor.contains("Hygon") || cpu?.virtualizationExtension == "svm"
        let parameter = amd ? "amd_iommu=on iommu=pt" : "intel_iommu=on iommu=pt"
        var variables = ["parameter": parameter, "groups": groups]
        // What the firmware offers decides between a firmware setting and a kernel parameter (virt-host-validate
        // reads the same tables); a root without the ACPI tables keeps the older, undivided finding.
        let firmware = context.optionalFact(Facts.iommuFirmware)?.value
        if let firmware {
            if let tables = firmware.acpiTables {
                evidence.append(Evidence(source: "/sys/firmware/acpi/tables", value: tables.isEmpty ? "no DMAR, IVRS or IORT table" : tables.joined(separator: ", ")))
            }
            for sign in firmware.smmu.prefix(3) { evidence.append(Evidence(source: "SMMU", value: sign)) }
        }
        switch cpu?.family {
        case "x86":
            guard let tables = firmware?.acpiTables else { break }
            let table = amd ? "IVRS" : "DMAR"
            variables["table"] = table
            variables["feature"] = amd ? "AMD-Vi (IOMMU)" : "VT-d"
            if !tables.contains(table) && cpu?.hasAnywhere("hypervisor") == true {
                evidence.append(Evidence(source: "/proc/cpuinfo", value: "hypervisor flag: this system is a virtual machine"))
                return .warn(.noVirtualIOMMU, variables, evidence: evidence)
            }
            return .warn(tables.contains(table) ? .kernelOff : .noFirmwareTable, variables, evidence: evidence)
        case "arm":
            guard let firmware, firmware.acpiTables != nil || !firmware.smmu.isEmpty else { break }
            variables["table"] = "IORT"
            variables["feature"] = "the SMMU"
            if firmware.acpiTables?.contains("IORT") == true || !firmware.smmu.isEmpty {
                return .warn(.smmuDriverMissing, variables, evidence: evidence)
            }
            return .warn(.noFirmwareTable, variables, evidence: evidence)
        default:
            break
        }
        return .warn(.disabled, variables, evidence: evidence)
    }
}
