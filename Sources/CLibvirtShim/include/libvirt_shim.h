#ifndef VIRT_DOCTOR_LIBVIRT_SHIM_H
#define VIRT_DOCTOR_LIBVIRT_SHIM_H

#include <stddef.h>

/// libvirt loaded with dlopen on first use, so the same binary runs where libvirt.so.0 is absent (most
/// guests and containers). Handles are opaque; every string returned must be released with vd_free.

/// Loads libvirt.so.0 and resolves every function used. Returns 1 on success; on failure writes the
/// reason (dlopen's or the missing symbol) into `error`.
int vd_libvirt_load(char *error, size_t error_size);

/// virConnectOpenReadOnly. NULL on failure, with libvirt's message in `error`.
void *vd_libvirt_open(const char *uri, char *error, size_t error_size);
void vd_libvirt_close(void *connection);

/// Each returns malloc'd text (release with vd_free) or NULL with the error in `error`.
char *vd_libvirt_capabilities(void *connection, char *error, size_t error_size);
char *vd_libvirt_connection_uri(void *connection);
/// Hypervisor driver name ("QEMU"), hypervisor version and libvirt version (major*1,000,000+minor*1,000+release).
int vd_libvirt_versions(void *connection, char *type, size_t type_size, unsigned long *hypervisor, unsigned long *library);

struct vd_node_info {
    char model[32];
    unsigned long memory_kib;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int nodes;
    unsigned int sockets;
    unsigned int cores;
    unsigned int threads;
};
int vd_libvirt_node_info(void *connection, struct vd_node_info *info, char *error, size_t error_size);

/// Lists all domains / networks / storage pools; returns the count (or -1) and an array to release with
/// vd_libvirt_free_list after releasing each element with the matching *_free.
int vd_libvirt_list_domains(void *connection, void ***domains, char *error, size_t error_size);
int vd_libvirt_list_networks(void *connection, void ***networks, char *error, size_t error_size);
int vd_libvirt_list_pools(void *connection, void ***pools, char *error, size_t error_size);
void vd_libvirt_free_list(void **list);

char *vd_libvirt_domain_xml(void *domain, char *error, size_t error_size);
/// State as virDomainState (1 running, 2 blocked, 3 paused, 4 shutdown, 5 shutoff, 6 crashed, 7 pmsuspended).
int vd_libvirt_domain_state(void *domain, int *state, int *reason);
int vd_libvirt_domain_autostart(void *domain);
void vd_libvirt_domain_free(void *domain);

char *vd_libvirt_network_xml(void *network, char *error, size_t error_size);
int vd_libvirt_network_active(void *network);
int vd_libvirt_network_autostart(void *network);
void vd_libvirt_network_free(void *network);

char *vd_libvirt_pool_xml(void *pool, char *error, size_t error_size);
int vd_libvirt_pool_active(void *pool);
void vd_libvirt_pool_free(void *pool);

void vd_free(void *pointer);

#endif
