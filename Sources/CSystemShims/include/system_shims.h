#ifndef VIRT_DOCTOR_SYSTEM_SHIMS_H
#define VIRT_DOCTOR_SYSTEM_SHIMS_H

#include <sys/types.h>

/// getxattr(2), which Swift's Glibc module does not export. Returns the length or -1 with errno set.
ssize_t vd_getxattr(const char *path, const char *name, void *value, size_t size);

#endif
