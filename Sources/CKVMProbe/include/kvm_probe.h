#ifndef VIRT_DOCTOR_KVM_PROBE_H
#define VIRT_DOCTOR_KVM_PROBE_H

/// Capabilities asked of /dev/kvm. Each answer is KVM_CHECK_EXTENSION's return value (0 = absent).
enum vd_kvm_capability_index {
    VD_CAP_USER_MEMORY = 0,
    VD_CAP_SET_TSS_ADDR,
    VD_CAP_NR_VCPUS,
    VD_CAP_MAX_VCPUS,
    VD_CAP_IRQCHIP,
    VD_CAP_EXT_CPUID,
    VD_CAP_NESTED_STATE,
    VD_CAP_TSC_CONTROL,
    VD_CAP_COUNT
};

struct vd_kvm_probe_result {
    /// 0 on success; otherwise the errno of the step that failed.
    int error_number;
    /// Which call failed: "open", "KVM_GET_API_VERSION", or "" on success.
    const char *failed_call;
    int api_version;
    int capabilities[VD_CAP_COUNT];
};

/// Opens the device read-write (as QEMU would, so permission problems show exactly as QEMU meets them)
/// and asks read-only questions: the API version and a few extensions. Creates no VM, changes nothing.
void vd_kvm_probe(const char *device_path, struct vd_kvm_probe_result *result);

/// The KVM name of a capability index, e.g. "KVM_CAP_USER_MEMORY".
const char *vd_kvm_capability_name(int index);

#endif
