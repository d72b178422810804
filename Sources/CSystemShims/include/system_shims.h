#ifndef VIRT_DOCTOR_SYSTEM_SHIMS_H
#define VIRT_DOCTOR_SYSTEM_SHIMS_H

#include <sys/types.h>

/// getxattr(2), which Swift's Glibc module does not export. Returns the length or -1 with errno set.
ssize_t vd_getxattr(const char *path, const char *name, void *value, size_t size);

#endif

#ifndef VIRT_DOCTOR_CPUID_H
#define VIRT_DOCTOR_CPUID_H
/// Reads the hypervisor vendor signature of CPUID leaf `leaf` (0x40000000 + n*0x100) into `signature`
/// (13 bytes, NUL-terminated, 12 significant). Returns 1 on x86, 0 on other architectures.
int vd_cpuid_hypervisor_signature(unsigned int leaf, char signature[13]);
#endif

#ifndef VIRT_DOCTOR_MEMMEM_H
#define VIRT_DOCTOR_MEMMEM_H
#include <stddef.h>
/// memmem(3), a GNU extension Swift's Glibc module does not export.
const void *vd_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
#endif

#ifndef VIRT_DOCTOR_CLOCK_H
#define VIRT_DOCTOR_CLOCK_H
/// Asks the kernel whether the system clock is synchronised, without changing anything (adjtimex with
/// modes = 0). Returns 1 synchronised, 0 not synchronised, -1 when the call failed.
int vd_clock_synchronized(void);
#endif

#ifndef VIRT_DOCTOR_CPUID_REGISTERS_H
#define VIRT_DOCTOR_CPUID_REGISTERS_H
/// CPUID leaf `leaf`, subleaf `subleaf`: eax, ebx, ecx, edx into `registers`. Returns 1 on x86, 0 elsewhere
/// (registers zeroed). Used for the confidential-guest leaves (0, 1, 0x21, 0x8000001F, Hyper-V 0x40000003/C).
int vd_cpuid_registers(unsigned int leaf, unsigned int subleaf, unsigned int registers[4]);
#endif
