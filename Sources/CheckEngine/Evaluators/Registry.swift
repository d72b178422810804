import DoctorCore

/// Every evaluator a check file may name. The catalog conformance test checks that each `evaluator:` in
/// checks/ resolves here, and that each entry here is used by some check.
public enum Evaluators {
    public static let registry: [String: Evaluator] = [
        "cpu.virtualization-flags": CPUEvaluators.virtualizationFlags,
        "cpu.firmware-virtualization": CPUEvaluators.firmwareVirtualization,
        "kvm.modules": KVMEvaluators.modules,
        "kvm.device": KVMEvaluators.device,
        "hypervisor.kernel-type": HypervisorEvaluators.kernelType,
        "hypervisor.boot-default": HypervisorEvaluators.bootDefault,
        "time.host-frequency-scaling": TimeEvaluators.hostFrequencyScaling,
        "storage.loop-devices": StorageEvaluators.loopDevices,
        "network.bridge-netfilter": NetworkEvaluators.bridgeNetfilter,
        "network.ip-forwarding": NetworkEvaluators.ipForwarding,
        "network.libvirt-default-network": NetworkEvaluators.defaultNetwork,
        "selinux.mode": SELinuxEvaluators.mode,
        "selinux.image-labels": SELinuxEvaluators.imageLabels,
        "selinux.persistent-contexts": SELinuxEvaluators.persistentContexts,
        "guest.virtualization-type": GuestEvaluators.virtualizationType,
        "guest.paravirtual-drivers": GuestEvaluators.paravirtualDrivers,
        "guest.clocksource": GuestEvaluators.clocksource,
        "time.synchronization": GuestEvaluators.timeSynchronization,
        "guest.kernel-timing-parameters": GuestEvaluators.kernelTimingParameters,
        "guest.agent": GuestEvaluators.guestAgent,
        "guest.steal-time": GuestEvaluators.stealTime,
        "guest.io-scheduler": GuestEvaluators.ioScheduler,
        "libvirt.reachable": LibvirtEvaluators.reachable,
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
