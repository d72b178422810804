import DoctorCore
import HostFacts

/// kvm.coexistence: VirtualBox (vboxdrv) or VMware Workstation (vmmon) loaded beside KVM. Only one
/// hypervisor can hold VT-x/AMD-V at a time; since Linux 6.12 KVM takes it when its module loads
/// (kvm.enable_virt_at_load=1, the default), so the other cannot start a single VM.
enum KVMCoexistence: CheckEvaluator {
    static let id = "kvm.coexistence"

    enum Condition: String, CaseIterable {
        case alone
        /// The other hypervisor's driver is loaded, KVM's vendor module is not.
        case kvmNotLoaded = "kvm-not-loaded"
        /// Both loaded, and KVM holds VT-x from load on.
        case virtAtLoad = "virt-at-load"
        /// Both loaded; KVM takes VT-x only while its guests run (kernel before 6.12, or the parameter off).
        case shared
    }

    static let others: [(module: String, product: String)] = [("vboxdrv", "VirtualBox"), ("vmmon", "VMware Workstation/Player")]
    static let kvmVendors = ["kvm_intel", "kvm_amd"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let modules = try context.fact(Facts.kernelModules)
        let present = others.filter { modules.value.isPresent($0.module) }
        let products = present.map { "\($0.product) (\($0.module))" }
        var evidence = [Evidence(source: modules.sources.joined(separator: ", "),
                                 value: products.isEmpty ? "no vboxdrv, no vmmon" : "loaded: \(present.map(\.module).joined(separator: ", "))")]
        guard !present.isEmpty else { return .pass(.alone, evidence: evidence) }
        let vendors = kvmVendors.filter { modules.value.isPresent($0) }
        var variables = ["others": products.joined(separator: ", "), "other": present[0].product,
                         "module": present[0].module, "kvm": vendors.first ?? "kvm_intel"]
        guard !vendors.isEmpty else { return .pass(.kvmNotLoaded, variables, evidence: evidence) }
        evidence.append(Evidence(source: modules.sources.first ?? "/proc/modules", value: "KVM: \(vendors.joined(separator: ", "))"))

        // Does KVM hold VT-x from load on?
        let release = context.optionalFact(Facts.kernelRelease)?.value
        let atLoad = context.optionalFact(Facts.kvmVirtAtLoad)?.value
        var holds: Bool?
        if let parameter = atLoad?.parameter, let value = KVMVirtAtLoad.boolean(parameter) {
            holds = value
            evidence.append(Evidence(source: "/sys/module/kvm/parameters/enable_virt_at_load", value: parameter))
        } else if let release, let recent = KernelVersion.isAtLeast(release, 6, 12) {
            // No parameter file in this evidence: the kernel's default (on since 6.12), unless the command line says otherwise.
            let fromCommandLine = atLoad?.commandLine.flatMap(KVMVirtAtLoad.boolean)
            holds = recent && (fromCommandLine ?? true)
            evidence.append(Evidence(source: "kernel \(release)", value: recent ? "6.12 or later" : "before 6.12",
                                     note: atLoad?.commandLine.map { "kvm.enable_virt_at_load=\($0) on the command line" }))
        }
        if let release { variables["release"] = release }
        if holds == true { return .fail(.virtAtLoad, variables, evidence: evidence) }
        return .warn(.shared, variables, evidence: evidence)
    }
}
