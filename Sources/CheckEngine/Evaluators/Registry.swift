import DoctorCore

/// Every evaluator of this build, by the check id it judges (or a shared evaluator's name). The catalog
/// conformance test checks that every check without a rule finds its evaluator here, that every entry here
/// is used, and that each evaluator's conditions and its check file's summaries agree.
public enum Evaluators {
    /// One type per check, in `Checks/<area>/<id>.swift`.
    static var checks: [any CheckEvaluator.Type] {
        [
            NetIPForward.self,
            GuestAgent.self,
            GuestStealTime.self,
            GuestIOScheduler.self,
            TimeGuestClocksource.self,
            TimeNTP.self,
            TimeGuestKernelParams.self,
            SELinuxMode.self,
            SELinuxImageLabel.self,
            SELinuxFcontextPersistent.self,
        ]
    }

    public static let registry: [String: RegisteredEvaluator] = {
        var all: [String: RegisteredEvaluator] = [:]
        for (name, evaluator) in legacy { all[name] = RegisteredEvaluator(legacy: name, evaluator) }
        for type in checks {
            let evaluator = RegisteredEvaluator(type)
            precondition(all[evaluator.id] == nil, "two evaluators are registered as \(evaluator.id)")
            all[evaluator.id] = evaluator
        }
        return all
    }()

    /// Evaluators whose sentences are still in Swift, by their old names; emptied as checks are converted.
    static let legacy: [String: Evaluator] = [
        "cpu.virtualization-flags": CPUEvaluators.virtualizationFlags,
        "cpu.firmware-virtualization": CPUEvaluators.firmwareVirtualization,
        "kvm.modules": KVMEvaluators.modules,
        "kvm.device": KVMEvaluators.device,
        "hypervisor.kernel-type": HypervisorEvaluators.kernelType,
        "hypervisor.boot-default": HypervisorEvaluators.bootDefault,
        "time.host-frequency-scaling": TimeEvaluators.hostFrequencyScaling,
        "storage.loop-devices": StorageEvaluators.loopDevices,
        "network.bridge-netfilter": NetworkEvaluators.bridgeNetfilter,
        "network.libvirt-default-network": NetworkEvaluators.defaultNetwork,
        "guest.virtualization-type": GuestEvaluators.virtualizationType,
        "guest.paravirtual-drivers": GuestEvaluators.paravirtualDrivers,
        "device.vhost-net": DeviceEvaluators.vhostNet,
        "device.tun": DeviceEvaluators.tun,
        "iommu.enabled": DeviceEvaluators.iommuEnabled,
        "libvirt.reachable": LibvirtEvaluators.reachable,
        "libvirt.console-tls": LibvirtEvaluators.consoleTLS,
        "libvirt.console-exposure": LibvirtEvaluators.consoleExposure,
        "libvirt.domain-states": LibvirtEvaluators.domainStates,
        "libvirt.vcpu-overcommit": LibvirtEvaluators.vcpuOvercommit,
        "libvirt.memory-overcommit": LibvirtEvaluators.memoryOvercommit,
        "certificate.expiry": CertificateEvaluators.expiry,
        "certificate.not-yet-valid": CertificateEvaluators.notYetValid,
        "certificate.key-match": CertificateEvaluators.keyMatch,
        "certificate.san": CertificateEvaluators.sanMissing,
        "certificate.host-consistency": CertificateEvaluators.hostConsistency,
        "certificate.subject": CertificateEvaluators.subject,
        "certificate.lifetime": CertificateEvaluators.lifetime,
    ]
}
