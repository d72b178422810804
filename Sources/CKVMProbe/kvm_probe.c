#include "kvm_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/kvm.h>
#endif

#ifndef KVM_CAP_NESTED_STATE
#define KVM_CAP_NESTED_STATE 157
#endif
#ifndef KVM_CAP_TSC_CONTROL
#define KVM_CAP_TSC_CONTROL 60
#endif

static const char *capability_names[VD_CAP_COUNT] = {
    "KVM_CAP_USER_MEMORY", "KVM_CAP_SET_TSS_ADDR", "KVM_CAP_NR_VCPUS", "KVM_CAP_MAX_VCPUS",
    "KVM_CAP_IRQCHIP", "KVM_CAP_EXT_CPUID", "KVM_CAP_NESTED_STATE", "KVM_CAP_TSC_CONTROL",
};

const char *vd_kvm_capability_name(int index) {
    if (index < 0 || index >= VD_CAP_COUNT) return "";
    return capability_names[index];
}

void vd_kvm_probe(const char *device_path, struct vd_kvm_probe_result *result) {
    memset(result, 0, sizeof(*result));
    result->failed_call = "";
#if defined(__linux__)
    static const int capability_ids[VD_CAP_COUNT] = {
        KVM_CAP_USER_MEMORY, KVM_CAP_SET_TSS_ADDR, KVM_CAP_NR_VCPUS, KVM_CAP_MAX_VCPUS,
        KVM_CAP_IRQCHIP, KVM_CAP_EXT_CPUID, KVM_CAP_NESTED_STATE, KVM_CAP_TSC_CONTROL,
    };
    int fd = open(device_path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        result->error_number = errno;
        result->failed_call = "open";
        return;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version < 0) {
        result->error_number = errno;
        result->failed_call = "KVM_GET_API_VERSION";
        close(fd);
        return;
    }
    result->api_version = version;
    for (int i = 0; i < VD_CAP_COUNT; i++) {
        int answer = ioctl(fd, KVM_CHECK_EXTENSION, capability_ids[i]);
        result->capabilities[i] = answer < 0 ? 0 : answer;
    }
    close(fd);
#else
    result->error_number = ENOSYS;
    result->failed_call = "open";
#endif
}
