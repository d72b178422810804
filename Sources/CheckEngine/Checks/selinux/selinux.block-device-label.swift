import DoctorCore
import HostFacts

/// selinux.block-device-label: block devices (disks, partitions, logical volumes) given to guests carry a
/// label QEMU may use. On KVM, sVirt relabels a fixed_disk_device_t node when the guest starts; on Xen,
/// the device needs xen_image_t itself.
enum SELinuxBlockDeviceLabel: CheckEvaluator {
    static let id = "selinux.block-device-label"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        case disabled
        case noBlockDisks = "no-block-disks"
        /// No label of any guest block device is in this evidence.
        case labelsUnknown = "labels-unknown"
        case labelled
        /// Wrong types; warn (KVM, or permissive).
        case mislabeled
        /// Wrong types on an enforcing Xen host: those guests fail to start.
        case mislabeledXen = "mislabeled-xen"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: SELinuxState
        do throws(FactError) {
            state = try context.fact(Facts.selinux).value
        } catch .absent {
            return .skip(.notInstalled)
        }
        guard state.runtimeMode != "disabled" else { return .skip(.disabled) }
        let disks = try context.fact(Facts.guestImages).value.blockDisks
        guard !disks.isEmpty else { return .skip(.noBlockDisks) }
        let xen = context.optionalFact(Facts.xen)?.value.isDom0 == true
        var allowed = SELinuxSupport.imageTypes
        // sVirt gives a stopped guest's device its per-guest label when the guest starts.
        if !xen { allowed.insert("fixed_disk_device_t") }
        let labelled = disks.filter { $0.context != nil }
        var evidence = disks.prefix(20).map {
            Evidence(source: $0.path, value: $0.context ?? "no label in this evidence",
                     note: "disk of \($0.guest)" + ($0.resolved.map { " (\($0))" } ?? ""))
        }
        guard !labelled.isEmpty else { return .skip(.labelsUnknown, evidence: evidence) }
        let wrong = labelled.filter { !allowed.contains(SELinuxSupport.type(of: $0.context) ?? "") }
        let types = Set(labelled.compactMap { SELinuxSupport.type(of: $0.context) }).sorted().joined(separator: ", ")
        evidence.append(Evidence(source: "block devices", value: "\(labelled.count) labelled, \(wrong.count) with a type QEMU may not use",
                                 note: xen ? "Xen host: xen_image_t needed" : "KVM: sVirt relabels fixed_disk_device_t at guest start"))
        guard !wrong.isEmpty else {
            return .pass(.labelled, ["count": String(labelled.count), "types": types], evidence: evidence)
        }
        let variables = ["count": String(wrong.count), "devices": StorageSupport.list(wrong.map(\.path)),
                         "device": wrong[0].path, "type": xen ? "xen_image_t" : "virt_image_t",
                         "found": Set(wrong.compactMap { SELinuxSupport.type(of: $0.context) }).sorted().joined(separator: ", ")]
        if xen && state.runtimeMode == "enforcing" {
            return .fail(.mislabeledXen, variables, evidence: evidence)
        }
        return .warn(.mislabeled, variables, evidence: evidence)
    }
}
