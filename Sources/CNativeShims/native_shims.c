#include "native_shims.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* libpci: dlopen'd, so the binary runs where pciutils' library is missing. Built only when its headers
 * (libpci-dev) are present, because the scan reads libpci's public structures. */
#if __has_include(<pci/pci.h>)
#include <pci/pci.h>

static jmp_buf pci_escape;
static char pci_error[256];

/* libpci's default error handler exits the process; ours jumps back and reports. */
__attribute__((noreturn)) static void pci_fail(char *message, ...) {
    va_list arguments;
    va_start(arguments, message);
    vsnprintf(pci_error, sizeof pci_error, message, arguments);
    va_end(arguments);
    longjmp(pci_escape, 1);
}

static void pci_quiet(char *message, ...) { (void)message; }

int vd_libpci_scan(struct vd_pci_device *devices, int capacity, char *error, size_t error_size) {
    void *library = dlopen("libpci.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(error, error_size, "libpci.so.3 could not be loaded (%s)", dlerror());
        return -1;
    }
    __typeof__(&pci_alloc) p_alloc = (__typeof__(&pci_alloc))dlsym(library, "pci_alloc");
    __typeof__(&pci_init) p_init = (__typeof__(&pci_init))dlsym(library, "pci_init");
    __typeof__(&pci_scan_bus) p_scan = (__typeof__(&pci_scan_bus))dlsym(library, "pci_scan_bus");
    __typeof__(&pci_fill_info) p_fill = (__typeof__(&pci_fill_info))dlsym(library, "pci_fill_info");
    __typeof__(&pci_lookup_name) p_lookup = (__typeof__(&pci_lookup_name))dlsym(library, "pci_lookup_name");
    __typeof__(&pci_get_string_property) p_property = (__typeof__(&pci_get_string_property))dlsym(library, "pci_get_string_property");
    __typeof__(&pci_cleanup) p_cleanup = (__typeof__(&pci_cleanup))dlsym(library, "pci_cleanup");
    if (!p_alloc || !p_init || !p_scan || !p_fill || !p_lookup || !p_cleanup) {
        snprintf(error, error_size, "libpci.so.3 lacks a needed function (too old)");
        return -1;
    }
    struct pci_access *access = p_alloc();
    access->error = pci_fail;
    access->warning = pci_quiet;
    access->debug = pci_quiet;
    if (setjmp(pci_escape) != 0) {
        snprintf(error, error_size, "libpci: %s", pci_error);
        return -1;
    }
    p_init(access);
    p_scan(access);
    int count = 0;
    for (struct pci_dev *device = access->devices; device && count < capacity; device = device->next) {
        int wanted = PCI_FILL_IDENT | PCI_FILL_CLASS;
#ifdef PCI_FILL_DRIVER
        wanted |= PCI_FILL_DRIVER | PCI_FILL_IOMMU_GROUP;
#endif
        p_fill(device, wanted);
        struct vd_pci_device *out = &devices[count++];
        memset(out, 0, sizeof *out);
        out->domain = device->domain;
        out->bus = device->bus;
        out->dev = device->dev;
        out->func = device->func;
        out->vendor_id = device->vendor_id;
        out->device_id = device->device_id;
        out->device_class = device->device_class;
        p_lookup(access, out->vendor_name, sizeof out->vendor_name, PCI_LOOKUP_VENDOR, device->vendor_id);
        p_lookup(access, out->device_name, sizeof out->device_name, PCI_LOOKUP_DEVICE, device->vendor_id, device->device_id);
        p_lookup(access, out->class_name, sizeof out->class_name, PCI_LOOKUP_CLASS, device->device_class);
#ifdef PCI_FILL_DRIVER
        if (p_property) {
            const char *driver = p_property(device, PCI_FILL_DRIVER);
            if (driver) {
                const char *slash = strrchr(driver, '/');
                snprintf(out->driver, sizeof out->driver, "%s", slash ? slash + 1 : driver);
            }
            const char *group = p_property(device, PCI_FILL_IOMMU_GROUP);
            if (group) snprintf(out->iommu_group, sizeof out->iommu_group, "%s", group);
        }
#endif
    }
    p_cleanup(access);
    return count;
}
#else
int vd_libpci_scan(struct vd_pci_device *devices, int capacity, char *error, size_t error_size) {
    (void)devices;
    (void)capacity;
    snprintf(error, error_size, "built without libpci headers (install libpci-dev and rebuild)");
    return -1;
}
#endif

/* libudev: the functions used are declared here (its ABI has been stable since 2012), loaded with dlopen. */
struct udev;
struct udev_enumerate;
struct udev_list_entry;
struct udev_device;

int vd_libudev_enumerate(const char *subsystem, struct vd_udev_device *devices, int capacity, char *error, size_t error_size) {
    void *library = dlopen("libudev.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(error, error_size, "libudev.so.1 could not be loaded (%s)", dlerror());
        return -1;
    }
    struct udev *(*p_new)(void) = dlsym(library, "udev_new");
    struct udev *(*p_unref)(struct udev *) = dlsym(library, "udev_unref");
    struct udev_enumerate *(*p_enum_new)(struct udev *) = dlsym(library, "udev_enumerate_new");
    struct udev_enumerate *(*p_enum_unref)(struct udev_enumerate *) = dlsym(library, "udev_enumerate_unref");
    int (*p_match)(struct udev_enumerate *, const char *) = dlsym(library, "udev_enumerate_add_match_subsystem");
    int (*p_scan)(struct udev_enumerate *) = dlsym(library, "udev_enumerate_scan_devices");
    struct udev_list_entry *(*p_first)(struct udev_enumerate *) = dlsym(library, "udev_enumerate_get_list_entry");
    struct udev_list_entry *(*p_next)(struct udev_list_entry *) = dlsym(library, "udev_list_entry_get_next");
    const char *(*p_name)(struct udev_list_entry *) = dlsym(library, "udev_list_entry_get_name");
    struct udev_device *(*p_from)(struct udev *, const char *) = dlsym(library, "udev_device_new_from_syspath");
    struct udev_device *(*p_dev_unref)(struct udev_device *) = dlsym(library, "udev_device_unref");
    const char *(*p_sysname)(struct udev_device *) = dlsym(library, "udev_device_get_sysname");
    const char *(*p_driver)(struct udev_device *) = dlsym(library, "udev_device_get_driver");
    const char *(*p_devnode)(struct udev_device *) = dlsym(library, "udev_device_get_devnode");
    const char *(*p_devtype)(struct udev_device *) = dlsym(library, "udev_device_get_devtype");
    struct udev_device *(*p_parent)(struct udev_device *) = dlsym(library, "udev_device_get_parent");
    const char *(*p_property)(struct udev_device *, const char *) = dlsym(library, "udev_device_get_property_value");
    if (!p_new || !p_unref || !p_enum_new || !p_enum_unref || !p_match || !p_scan || !p_first || !p_next || !p_name ||
        !p_from || !p_dev_unref || !p_sysname || !p_driver || !p_devnode || !p_devtype || !p_parent || !p_property) {
        snprintf(error, error_size, "libudev.so.1 lacks a needed function");
        return -1;
    }
    struct udev *context = p_new();
    if (!context) {
        snprintf(error, error_size, "udev_new failed");
        return -1;
    }
    struct udev_enumerate *enumerate = p_enum_new(context);
    p_match(enumerate, subsystem);
    p_scan(enumerate);
    int count = 0;
    for (struct udev_list_entry *entry = p_first(enumerate); entry && count < capacity; entry = p_next(entry)) {
        struct udev_device *device = p_from(context, p_name(entry));
        if (!device) continue;
        struct vd_udev_device *out = &devices[count++];
        memset(out, 0, sizeof *out);
        snprintf(out->sysname, sizeof out->sysname, "%s", p_sysname(device) ? p_sysname(device) : "");
        snprintf(out->syspath, sizeof out->syspath, "%s", p_name(entry));
        const char *node = p_devnode(device);
        if (node) snprintf(out->devnode, sizeof out->devnode, "%s", node);
        const char *type = p_devtype(device);
        if (type) snprintf(out->devtype, sizeof out->devtype, "%s", type);
        const char *net_driver = p_property(device, "ID_NET_DRIVER");
        if (net_driver) snprintf(out->id_net_driver, sizeof out->id_net_driver, "%s", net_driver);
        /* The driver sits on the device or its nearest parent (net/eth0 -> virtio0 -> virtio_net). */
        for (struct udev_device *current = device; current; current = p_parent(current)) {
            const char *driver = p_driver(current);
            if (driver) {
                snprintf(out->driver, sizeof out->driver, "%s", driver);
                break;
            }
        }
        p_dev_unref(device);
    }
    p_enum_unref(enumerate);
    p_unref(context);
    return count;
}
