import DoctorCore
import Foundation
import HostFacts

/// Whether KVM works on this host, as kvm.device-usable decides it: the /dev/kvm probe (live, or recorded
/// in kvm-probe.txt) first; where no probe answer exists (a copied disk, a sos report), the device node with
/// a loaded KVM module. Used by checks for which a guest without KVM is only a problem when KVM works
/// (dom.accel, kvm.capabilities-stale). issue 13: hit-a
enum KVMWorks {
    enum Answer: Equatable {
        /// KVM works; the words say how it is known.
        case works(String)
        /// KVM does not work here; the words say why.
        case notWorking(String)
        /// The evidence cannot tell.
        case unknown(String)
    }

    static func assess(_ context: EvaluationContext) -> (answer: Answer, evidence: [Evidence]) {
        switch context.facts.sourced(Facts.kvmAPI) {
        case .success(let probe):
            let source = probe.sources.joined(separator: ", ")
            if probe.value.usable {
                return (.works("/dev/kvm answers KVM_GET_API_VERSION with 12"), [Evidence(source: source, value: "API version 12")])
            }
            let failure = probe.value.failure ?? "API version \(probe.value.apiVersion ?? 0)"
            // This user may not open the node (not root): the node is there and libvirt's qemu user opens it.
            if probe.value.errorNumber == EACCES || failure.lowercased().contains("permission denied") {
                return (.works("/dev/kvm is present (this user may not open it, libvirt's QEMU user may)"), [Evidence(source: source, value: failure)])
            }
            return (.notWorking("/dev/kvm does not work: \(failure)"), [Evidence(source: source, value: failure)])
        case .failure(.absent):
            return (.notWorking("/dev/kvm is missing"), [Evidence(source: "/dev/kvm", value: "missing")])
        case .failure(let error):
            // No probe answer in this evidence: the node and the modules say what they can.
            let modules = context.optionalFact(Facts.kernelModules)?.value
            let vendor = KVMSupport.vendorModules.first { modules?.isPresent($0) == true }
            let node = try? context.root.captured("/dev/kvm")
            var evidence = [Evidence(source: "/dev/kvm probe", value: error.description)]
            if let modules {
                evidence.append(Evidence(source: "kernel modules", value: (["kvm"] + KVMSupport.vendorModules).filter(modules.isPresent).joined(separator: ", ")))
            }
            if let vendor, node != false {
                return (.works("\(vendor) is loaded" + (node == true ? " and /dev/kvm is present" : "")), evidence)
            }
            if node == false, let modules, !modules.isPresent("kvm") {
                return (.notWorking("no KVM module is loaded and /dev/kvm is missing"), evidence)
            }
            return (.unknown(error.description), evidence)
        }
    }
}
