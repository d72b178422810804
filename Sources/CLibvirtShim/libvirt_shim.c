#include "libvirt_shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The prototypes below are libvirt's public API (the headers under include/libvirt). They are declared here rather
 * than included so the tool builds, and runs, where libvirt-dev is not installed; the library itself is
 * opened at run time. When the headers are present the compiler checks these declarations against them. */
#if __has_include(<libvirt/libvirt.h>)
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#else
typedef struct _virConnect *virConnectPtr;
typedef struct _virDomain *virDomainPtr;
typedef struct _virNetwork *virNetworkPtr;
typedef struct _virStoragePool *virStoragePoolPtr;
typedef struct _virError virError;
typedef virError *virErrorPtr;
typedef void (*virErrorFunc)(void *userData, virErrorPtr error);
typedef struct _virNodeInfo {
    char model[32];
    unsigned long memory;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int nodes;
    unsigned int sockets;
    unsigned int cores;
    unsigned int threads;
} virNodeInfo;
typedef virNodeInfo *virNodeInfoPtr;
int virInitialize(void);
void virSetErrorFunc(void *userData, virErrorFunc handler);
const char *virGetLastErrorMessage(void);
virConnectPtr virConnectOpenReadOnly(const char *name);
int virConnectClose(virConnectPtr conn);
char *virConnectGetCapabilities(virConnectPtr conn);
char *virConnectGetURI(virConnectPtr conn);
const char *virConnectGetType(virConnectPtr conn);
int virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer);
int virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer);
int virNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info);
int virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags);
int virConnectListAllNetworks(virConnectPtr conn, virNetworkPtr **nets, unsigned int flags);
int virConnectListAllStoragePools(virConnectPtr conn, virStoragePoolPtr **pools, unsigned int flags);
char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags);
int virDomainGetState(virDomainPtr domain, int *state, int *reason, unsigned int flags);
int virDomainGetAutostart(virDomainPtr domain, int *autostart);
int virDomainFree(virDomainPtr domain);
char *virNetworkGetXMLDesc(virNetworkPtr network, unsigned int flags);
int virNetworkIsActive(virNetworkPtr net);
int virNetworkGetAutostart(virNetworkPtr network, int *autostart);
int virNetworkFree(virNetworkPtr network);
char *virStoragePoolGetXMLDesc(virStoragePoolPtr pool, unsigned int flags);
int virStoragePoolIsActive(virStoragePoolPtr pool);
int virStoragePoolFree(virStoragePoolPtr pool);
#endif

#define VD_SYMBOLS(X) \
    X(virInitialize) X(virSetErrorFunc) X(virGetLastErrorMessage) X(virConnectOpenReadOnly) X(virConnectClose) \
    X(virConnectGetCapabilities) X(virConnectGetURI) X(virConnectGetType) X(virConnectGetVersion) \
    X(virConnectGetLibVersion) X(virNodeGetInfo) X(virConnectListAllDomains) X(virConnectListAllNetworks) \
    X(virConnectListAllStoragePools) X(virDomainGetXMLDesc) X(virDomainGetState) X(virDomainGetAutostart) \
    X(virDomainFree) X(virNetworkGetXMLDesc) X(virNetworkIsActive) X(virNetworkGetAutostart) X(virNetworkFree) \
    X(virStoragePoolGetXMLDesc) X(virStoragePoolIsActive) X(virStoragePoolFree)

#define VD_DECLARE(name) static __typeof__(&name) p_##name;
VD_SYMBOLS(VD_DECLARE)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[512];

/* libvirt prints every error to stderr by default; the tool reports them itself. */
static void quiet(void *user_data, virErrorPtr error) {
    (void)user_data;
    (void)error;
}

static void load(void) {
    /* VIRT_DOCTOR_LIBVIRT_LIBRARY names another library file: for unusual installations, and for the test
     * that proves the tool copes when libvirt is missing. */
    const char *library = getenv("VIRT_DOCTOR_LIBVIRT_LIBRARY");
    if (!library || !*library) library = "libvirt.so.0";
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "libvirt.so.0 could not be loaded (%s)", reason ? reason : "not installed");
        return;
    }
#define VD_RESOLVE(name)                                                                              \
    p_##name = (__typeof__(&name))dlsym(handle, #name);                                               \
    if (!p_##name) {                                                                                  \
        snprintf(load_error, sizeof load_error, "libvirt.so.0 lacks %s (libvirt too old)", #name);    \
        return;                                                                                       \
    }
    VD_SYMBOLS(VD_RESOLVE)
    p_virInitialize();
    p_virSetErrorFunc(NULL, quiet);
    loaded = 1;
}

int vd_libvirt_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (!loaded && error) snprintf(error, error_size, "%s", load_error);
    return loaded;
}

static void last_error(const char *function, char *error, size_t error_size) {
    if (!error) return;
    const char *message = loaded ? p_virGetLastErrorMessage() : NULL;
    snprintf(error, error_size, "%s: %s", function, message ? message : "unknown error");
}

void *vd_libvirt_open(const char *uri, char *error, size_t error_size) {
    if (!vd_libvirt_load(error, error_size)) return NULL;
    virConnectPtr connection = p_virConnectOpenReadOnly(uri);
    if (!connection) last_error("virConnectOpenReadOnly", error, error_size);
    return connection;
}

void vd_libvirt_close(void *connection) {
    if (connection && loaded) p_virConnectClose((virConnectPtr)connection);
}

char *vd_libvirt_capabilities(void *connection, char *error, size_t error_size) {
    char *xml = p_virConnectGetCapabilities((virConnectPtr)connection);
    if (!xml) last_error("virConnectGetCapabilities", error, error_size);
    return xml;
}

char *vd_libvirt_connection_uri(void *connection) {
    return p_virConnectGetURI((virConnectPtr)connection);
}

int vd_libvirt_versions(void *connection, char *type, size_t type_size, unsigned long *hypervisor, unsigned long *library) {
    const char *name = p_virConnectGetType((virConnectPtr)connection);
    snprintf(type, type_size, "%s", name ? name : "");
    *hypervisor = 0;
    *library = 0;
    int a = p_virConnectGetVersion((virConnectPtr)connection, hypervisor);
    int b = p_virConnectGetLibVersion((virConnectPtr)connection, library);
    return (a == 0 && b == 0) ? 0 : -1;
}

int vd_libvirt_node_info(void *connection, struct vd_node_info *info, char *error, size_t error_size) {
    virNodeInfo node;
    memset(&node, 0, sizeof node);
    if (p_virNodeGetInfo((virConnectPtr)connection, &node) != 0) {
        last_error("virNodeGetInfo", error, error_size);
        return -1;
    }
    memcpy(info->model, node.model, sizeof info->model);
    info->model[sizeof info->model - 1] = 0;
    info->memory_kib = node.memory;
    info->cpus = node.cpus;
    info->mhz = node.mhz;
    info->nodes = node.nodes;
    info->sockets = node.sockets;
    info->cores = node.cores;
    info->threads = node.threads;
    return 0;
}

int vd_libvirt_list_domains(void *connection, void ***domains, char *error, size_t error_size) {
    int count = p_virConnectListAllDomains((virConnectPtr)connection, (virDomainPtr **)domains, 0);
    if (count < 0) last_error("virConnectListAllDomains", error, error_size);
    return count;
}

int vd_libvirt_list_networks(void *connection, void ***networks, char *error, size_t error_size) {
    int count = p_virConnectListAllNetworks((virConnectPtr)connection, (virNetworkPtr **)networks, 0);
    if (count < 0) last_error("virConnectListAllNetworks", error, error_size);
    return count;
}

int vd_libvirt_list_pools(void *connection, void ***pools, char *error, size_t error_size) {
    int count = p_virConnectListAllStoragePools((virConnectPtr)connection, (virStoragePoolPtr **)pools, 0);
    if (count < 0) last_error("virConnectListAllStoragePools", error, error_size);
    return count;
}

void vd_libvirt_free_list(void **list) { free(list); }

char *vd_libvirt_domain_xml(void *domain, char *error, size_t error_size) {
    /* flags 0: no secure information (VNC/SPICE passwords stay hidden). */
    char *xml = p_virDomainGetXMLDesc((virDomainPtr)domain, 0);
    if (!xml) last_error("virDomainGetXMLDesc", error, error_size);
    return xml;
}

int vd_libvirt_domain_state(void *domain, int *state, int *reason) {
    return p_virDomainGetState((virDomainPtr)domain, state, reason, 0);
}

int vd_libvirt_domain_autostart(void *domain) {
    int autostart = 0;
    return p_virDomainGetAutostart((virDomainPtr)domain, &autostart) == 0 ? autostart : -1;
}

void vd_libvirt_domain_free(void *domain) { if (domain) p_virDomainFree((virDomainPtr)domain); }

char *vd_libvirt_network_xml(void *network, char *error, size_t error_size) {
    char *xml = p_virNetworkGetXMLDesc((virNetworkPtr)network, 0);
    if (!xml) last_error("virNetworkGetXMLDesc", error, error_size);
    return xml;
}

int vd_libvirt_network_active(void *network) { return p_virNetworkIsActive((virNetworkPtr)network); }

int vd_libvirt_network_autostart(void *network) {
    int autostart = 0;
    return p_virNetworkGetAutostart((virNetworkPtr)network, &autostart) == 0 ? autostart : -1;
}

void vd_libvirt_network_free(void *network) { if (network) p_virNetworkFree((virNetworkPtr)network); }

char *vd_libvirt_pool_xml(void *pool, char *error, size_t error_size) {
    char *xml = p_virStoragePoolGetXMLDesc((virStoragePoolPtr)pool, 0);
    if (!xml) last_error("virStoragePoolGetXMLDesc", error, error_size);
    return xml;
}

int vd_libvirt_pool_active(void *pool) { return p_virStoragePoolIsActive((virStoragePoolPtr)pool); }

void vd_libvirt_pool_free(void *pool) { if (pool) p_virStoragePoolFree((virStoragePoolPtr)pool); }

void vd_free(void *pointer) { free(pointer); }
