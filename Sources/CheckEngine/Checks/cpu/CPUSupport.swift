import HostFacts

/// What cpu.virt-flags and cpu.virt-bios-disabled both show as evidence.
enum CPUSupport {
    /// The virtualization flag per logical CPU, as evidence (data, not a sentence).
    static func describeFlags(_ cpu: CPUInfo) -> String {
        let count = cpu.processors.count
        if let flag = cpu.virtualizationExtension {
            let lacking = cpu.cpus(lacking: flag)
            return lacking.isEmpty
                ? "'\(flag)' on all \(count) CPUs"
                : "'\(flag)' on \(count - lacking.count) of \(count) CPUs; missing on CPU \(lacking.map(String.init).joined(separator: ", "))"
        }
        return "neither 'vmx' nor 'svm' on any of \(count) CPUs"
    }

    /// The product name of a flag; the same in every language, so it is passed as a value.
    static func extensionName(_ flag: String) -> String {
        flag == "vmx" ? "Intel VT-x (vmx)" : "AMD-V (svm)"
    }
}
