#ifndef VIRT_DOCTOR_NATIVE_SHIMS_H
#define VIRT_DOCTOR_NATIVE_SHIMS_H

#include <stddef.h>

/// One PCI function as libpci reports it, with names from its ID database.
struct vd_pci_device {
    int domain;
    unsigned int bus, dev, func;
    unsigned int vendor_id, device_id, device_class;
    char vendor_name[128];
    char device_name[256];
    char class_name[128];
    char driver[64];
    char iommu_group[16];
};

/// Scans the PCI bus with libpci (loaded with dlopen: libpci.so.3). Returns the number of devices written
/// (at most `capacity`), or -1 with the reason in `error` (library missing, scan failed).
int vd_libpci_scan(struct vd_pci_device *devices, int capacity, char *error, size_t error_size);

/// A network or block device as libudev reports it.
struct vd_udev_device {
    char sysname[64];
    char syspath[512];
    char driver[64];
    char devnode[128];
    char devtype[32];
    char id_net_driver[64];
};

/// Enumerates a subsystem ("net", "block") with libudev (dlopen: libudev.so.1). Same conventions as above.
int vd_libudev_enumerate(const char *subsystem, struct vd_udev_device *devices, int capacity, char *error, size_t error_size);

#endif
