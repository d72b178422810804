/* memmem is a GNU extension: ask for it before any header is read. */
#define _GNU_SOURCE 1
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

#include <string.h>
#if defined(__i386__) || defined(__x86_64__)
#include <cpuid.h>
#endif

int vd_cpuid_hypervisor_signature(unsigned int leaf, char signature[13]) {
    memset(signature, 0, 13);
#if defined(__i386__) || defined(__x86_64__)
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    /* __cpuid (not __get_cpuid): the hypervisor range is outside the basic leaf limit __get_cpuid checks. */
    __cpuid(leaf, eax, ebx, ecx, edx);
    memcpy(signature, &ebx, 4);
    memcpy(signature + 4, &ecx, 4);
    memcpy(signature + 8, &edx, 4);
    return 1;
#else
    (void)leaf;
    return 0;
#endif
}


const void *vd_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

#if defined(__linux__)
#include <sys/timex.h>
#endif

int vd_clock_synchronized(void) {
#if defined(__linux__)
    struct timex state;
    memset(&state, 0, sizeof state);   /* modes = 0: read only */
    int result = adjtimex(&state);
    if (result < 0) return -1;
    return (result == TIME_ERROR || (state.status & STA_UNSYNC)) ? 0 : 1;
#else
    return -1;
#endif
}

/* issue 13: detect */
int vd_cpuid_registers(unsigned int leaf, unsigned int subleaf, unsigned int registers[4]) {
    memset(registers, 0, 4 * sizeof(unsigned int));
#if defined(__i386__) || defined(__x86_64__)
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    __cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
    registers[0] = eax;
    registers[1] = ebx;
    registers[2] = ecx;
    registers[3] = edx;
    return 1;
#else
    (void)leaf;
    (void)subleaf;
    return 0;
#endif
}
