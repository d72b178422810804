import DoctorCore
import HostFacts

/// guest.agent: the hypervisor's guest agent runs inside the guest, so the host can quiesce, shut down and
/// query it.
enum GuestAgent: CheckEvaluator {
    static let id = "guest.agent"

    enum Condition: String, CaseIterable {
        case notAVM = "not-a-vm"
        /// A virtual machine on a hypervisor this check knows no agent for: `{hypervisor}` names it.
        case unknownAgent = "unknown-agent"
        /// A virtual machine whose hypervisor is not named.
        case unknownHypervisor = "unknown-hypervisor"
        case notRunning = "not-running"
        case running
    }

    /// The remediation step for each agent is chosen by the vendor's tag.
    static let tags = ["kvm", "qemu", "xen", "vmware", "microsoft"]

    static let agents: [String: (processes: [String], package: String, tag: String)] = [
        "KVM": (["qemu-ga", "qemu-guest-agen"], "qemu-guest-agent", "kvm"),
        "QEMU": (["qemu-ga", "qemu-guest-agen"], "qemu-guest-agent", "qemu"),
        "Xen": (["xe-daemon", "xen-guest-agent"], "xe-guest-utilities", "xen"),
        "VMware": (["vmtoolsd"], "open-vm-tools", "vmware"),
        "Microsoft": (["hv_kvp_daemon", "hypervkvpd"], "hyperv-daemons", "microsoft"),
    ]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine, let vendor = report.hypervisorVendor, let agent = agents[vendor] else {
            guard report.virtualMachine else { return .skip(.notAVM) }
            guard let name = report.hypervisorName else { return .skip(.unknownHypervisor) }
            return .skip(.unknownAgent, ["hypervisor": name])
        }
        let processes = try context.fact(Facts.processes).value
        let running = agent.processes.filter(processes.names.contains)
        // comm keeps only 15 characters of a name, hence "qemu-guest-agen" in the list; the evidence names the package.
        let lookedFor = "looked for \(agent.processes.joined(separator: ", ")) in /proc/*/comm"
        var evidence = [Evidence(source: "/proc/*/comm", value: running.isEmpty ? "no process of \(agent.package) running (\(lookedFor))" : "running: \(running.joined(separator: ", "))")]
        if vendor == "KVM" || vendor == "QEMU" {
            let channel = try? context.root.captured("/dev/virtio-ports/org.qemu.guest_agent.0")
            evidence.append(Evidence(source: "/dev/virtio-ports/org.qemu.guest_agent.0",
                                     value: channel.map { $0 ? "present" : "absent (the VM has no guest agent channel)" } ?? "not captured in this evidence"))
        }
        let hypervisor = report.hypervisorName ?? vendor
        if running.isEmpty {
            return .warn(.notRunning, ["hypervisor": hypervisor, "package": agent.package], evidence: evidence, tags: [agent.tag])
        }
        return .pass(.running, ["hypervisor": hypervisor, "processes": running.joined(separator: ", ")], evidence: evidence)
    }
}
