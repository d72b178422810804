import DoctorCore
import Foundation
import HostFacts

/// kvm.device-usable: /dev/kvm exists, is a character device, this user may open it, and it answers
/// KVM_GET_API_VERSION with 12.
enum KVMDeviceUsable: CheckEvaluator {
    static let id = "kvm.device-usable"

    enum Condition: String, CaseIterable {
        case missing
        case notADevice = "not-a-device"
        /// This user may not open the node; it belongs to a group (usually kvm) libvirt's qemu user is in.
        case permission
        /// This user may not open the node and only root may: the udev rule is missing.
        case permissionRootOnly = "permission-root-only"
        /// Opening or asking the device failed with an error.
        case broken
        case wrongAPIVersion = "wrong-api-version"
        case timedOut = "timed-out"
        /// It works. The sentence adds the vCPU limit when the device reports one, and, when cpuinfo lists
        /// no vmx/svm, which engine runs KVM (kvm_pvm, or another module): one condition per combination.
        case works
        case worksMaxVCPUs = "works-max-vcpus"
        case worksPVM = "works-pvm"
        case worksMaxVCPUsPVM = "works-max-vcpus-pvm"
        case worksUnflagged = "works-unflagged"
        case worksMaxVCPUsUnflagged = "works-max-vcpus-unflagged"
        /// A directory root: the node is there, but nobody could ask it.
        case notProbed = "not-probed"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let node: Sourced<DeviceNode>
        do throws(FactError) {
            node = try context.fact(Facts.kvmDevice)
        } catch .absent {
            return .fail(.missing, evidence: [Evidence(source: "/dev/kvm", value: "missing")])
        }
        let device = node.value
        var evidence = [Evidence(source: "/dev/kvm", value: "\(device.kind.rawValue) device \(device.major.map(String.init) ?? "?"):\(device.minor.map(String.init) ?? "?"), mode \(device.mode), owner \(device.owner), group \(device.groupName ?? String(device.group))")]
        guard device.kind == .charDevice else {
            return .fail(.notADevice, ["kind": device.kind.rawValue], evidence: evidence)
        }
        let probeResult = context.facts.sourced(Facts.kvmAPI)
        let cpu = context.optionalFact(Facts.cpuInfo)?.value
        switch probeResult {
        case .success(let probe):
            if let failure = probe.value.failure {
                evidence.append(Evidence(source: probe.sources.joined(separator: ", "), value: failure))
                if failure.lowercased().contains("permission denied") || probe.value.errorNumber == EACCES {
                    let group = device.groupName ?? String(device.group)
                    // A root-only node (0600 root:root) is not fixed by joining its group: it needs the udev rule
                    // distributions ship (0660 root:kvm).
                    let rootOnly = device.group == 0 || device.mode.hasSuffix("00")
                    // `group` is the group the remediation adds the user to; `node_group` the node's own.
                    let variables = ["user": String(device.currentUser), "mode": device.mode, "node_group": group,
                                     "group": rootOnly ? "kvm" : group]
                    return .warn(rootOnly ? .permissionRootOnly : .permission, variables, evidence: evidence, tags: ["needs-root"])
                }
                return .fail(.broken, ["failure": failure], evidence: evidence)
            }
            let capabilities = probe.value.capabilities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            evidence.append(Evidence(source: probe.sources.joined(separator: ", "),
                                     value: "API version \(probe.value.apiVersion ?? 0)" + (capabilities.isEmpty ? "" : "; \(capabilities)")))
            guard probe.value.apiVersion == 12 else {
                return .fail(.wrongAPIVersion, ["version": String(probe.value.apiVersion ?? 0)], evidence: evidence)
            }
            var variables: [String: String] = [:]
            let maxVCPUs = probe.value.capabilities["KVM_CAP_MAX_VCPUS"].flatMap { $0 > 0 ? $0 : nil }
            if let maxVCPUs { variables["vcpus"] = String(maxVCPUs) }
            enum Engine { case flagged, pvm, unflagged }
            var engine = Engine.flagged
            if let cpu, cpu.family == "x86", cpu.virtualizationExtension == nil {
                let modules = context.optionalFact(Facts.kernelModules)?.value
                engine = modules?.isPresent("kvm_pvm") == true ? .pvm : .unflagged
            }
            let condition: Condition = switch (maxVCPUs != nil, engine) {
            case (false, .flagged): .works
            case (true, .flagged): .worksMaxVCPUs
            case (false, .pvm): .worksPVM
            case (true, .pvm): .worksMaxVCPUsPVM
            case (false, .unflagged): .worksUnflagged
            case (true, .unflagged): .worksMaxVCPUsUnflagged
            }
            return .pass(condition, variables, evidence: evidence)
        case .failure(let error) where error.isUnknownFromEvidence:
            // The node is there, but only the live host can say whether it answers.
            evidence.append(Evidence(source: "/dev/kvm", value: error.description))
            return .skip(.notProbed, ["reason": error.description], evidence: evidence)
        case .failure(let error):
            evidence.append(Evidence(source: "/dev/kvm", value: error.description))
            if case .timedOut = error {
                return .fail(.timedOut, ["reason": error.description], evidence: evidence)
            }
            throw error
        }
    }
}
