#include "system_shims.h"

#if defined(__linux__)
#include <sys/xattr.h>
#endif
#include <errno.h>

ssize_t vd_getxattr(const char *path, const char *name, void *value, size_t size) {
#if defined(__linux__)
    return getxattr(path, name, value, size);
#else
    errno = ENOTSUP;
    return -1;
#endif
}
