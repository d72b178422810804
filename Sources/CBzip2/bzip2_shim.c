#include "bzip2_shim.h"

#include <bzlib.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bzlib.h is included for bz_stream and the prototypes (the compiler checks the pointer types below against
 * them); the functions themselves are resolved at run time. */
#define VD_BZIP2_SYMBOLS(X) \
    X(BZ2_bzDecompressInit) X(BZ2_bzDecompress) X(BZ2_bzDecompressEnd) X(BZ2_bzBuffToBuffCompress)

#define VD_DECLARE(name) static __typeof__(&name) p_##name;
VD_BZIP2_SYMBOLS(VD_DECLARE)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[512];

static void load(void) {
    static const char *const names[] = {"libbz2.so.1.0", "libbz2.so.1"};
    void *handle = NULL;
    const char *reason = NULL;
    for (size_t index = 0; index < sizeof names / sizeof names[0] && !handle; index++) {
        handle = dlopen(names[index], RTLD_NOW | RTLD_LOCAL);
        if (!handle) reason = dlerror();
    }
    if (!handle) {
        snprintf(load_error, sizeof load_error, "libbz2 could not be loaded (%s)", reason ? reason : "not installed");
        return;
    }
#define VD_RESOLVE(name)                                                                   \
    p_##name = (__typeof__(&name))dlsym(handle, #name);                                    \
    if (!p_##name) {                                                                       \
        snprintf(load_error, sizeof load_error, "libbz2 lacks %s", #name);                 \
        return;                                                                            \
    }
    VD_BZIP2_SYMBOLS(VD_RESOLVE)
    loaded = 1;
}

int vd_bzip2_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (!loaded && error && error_size) snprintf(error, error_size, "%s", load_error);
    return loaded;
}

struct vd_bzip2_decoder {
    bz_stream stream;
    /* A stream is initialized and not yet at its end. Between streams the next bytes must start another
     * one ("BZh") or be the end of the input. */
    int in_stream;
};

static int start_stream(vd_bzip2_decoder *decoder) {
    memset(&decoder->stream, 0, sizeof decoder->stream);
    /* small = 0: the fast decoder, about 3.7 MB of state for a 900k block, whatever the input says. */
    if (p_BZ2_bzDecompressInit(&decoder->stream, 0, 0) != BZ_OK) return 0;
    decoder->in_stream = 1;
    return 1;
}

vd_bzip2_decoder *vd_bzip2_decoder_open(void) {
    if (!vd_bzip2_load(NULL, 0)) return NULL;
    vd_bzip2_decoder *decoder = calloc(1, sizeof *decoder);
    if (!decoder) return NULL;
    if (!start_stream(decoder)) {
        free(decoder);
        return NULL;
    }
    return decoder;
}

int vd_bzip2_decoder_step(vd_bzip2_decoder *decoder, const uint8_t *input, size_t input_size, int input_ended,
                          size_t *consumed, uint8_t *output, size_t output_size, size_t *produced) {
    *consumed = 0;
    *produced = 0;
    if (!loaded) return VD_BZIP2_INTERNAL;
    if (!decoder->in_stream) {
        /* Three bytes decide whether another stream follows; with fewer, wait unless the input has ended. */
        if (input_size < 3) {
            if (!input_ended) return VD_BZIP2_NEEDS_INPUT;
            return input_size == 0 ? VD_BZIP2_END : VD_BZIP2_TRAILING_DATA;
        }
        if (memcmp(input, "BZh", 3) != 0) return VD_BZIP2_TRAILING_DATA;
        if (!start_stream(decoder)) return VD_BZIP2_OUT_OF_MEMORY;
    }
    /* libbz2 counts in unsigned int; a larger buffer is simply offered in part. */
    unsigned int offered_in = input_size > UINT_MAX ? UINT_MAX : (unsigned int)input_size;
    unsigned int offered_out = output_size > UINT_MAX ? UINT_MAX : (unsigned int)output_size;
    bz_stream *stream = &decoder->stream;
    stream->next_in = (char *)input;
    stream->avail_in = offered_in;
    stream->next_out = (char *)output;
    stream->avail_out = offered_out;
    int status = p_BZ2_bzDecompress(stream);
    *consumed = offered_in - stream->avail_in;
    *produced = offered_out - stream->avail_out;
    int progressed = *consumed || *produced;
    switch (status) {
    case BZ_STREAM_END:
        /* The stream's combined CRC matched. Whether the file ends here is decided by the next call. */
        p_BZ2_bzDecompressEnd(stream);
        decoder->in_stream = 0;
        return VD_BZIP2_PROGRESS;
    case BZ_OK: return progressed ? VD_BZIP2_PROGRESS : VD_BZIP2_NEEDS_INPUT;
    case BZ_DATA_ERROR: return VD_BZIP2_CORRUPT;
    case BZ_DATA_ERROR_MAGIC: return VD_BZIP2_NOT_BZIP2;
    case BZ_MEM_ERROR: return VD_BZIP2_OUT_OF_MEMORY;
    default: return VD_BZIP2_INTERNAL;
    }
}

void vd_bzip2_decoder_close(vd_bzip2_decoder *decoder) {
    if (!decoder) return;
    if (decoder->in_stream && loaded) p_BZ2_bzDecompressEnd(&decoder->stream);
    free(decoder);
}

int vd_bzip2_compress(const uint8_t *input, size_t input_size, int block_size_100k, uint8_t **output,
                      size_t *output_size) {
    if (!vd_bzip2_load(NULL, 0)) return -100;
    /* bzip2's documented worst case: 1% larger plus 600 bytes. */
    if (input_size > UINT_MAX / 2) return BZ_OUTBUFF_FULL;
    unsigned int capacity = (unsigned int)(input_size + input_size / 100 + 600);
    char *buffer = malloc(capacity);
    if (!buffer) return BZ_MEM_ERROR;
    int status = p_BZ2_bzBuffToBuffCompress(buffer, &capacity, (char *)input, (unsigned int)input_size, block_size_100k, 0, 0);
    if (status != BZ_OK) {
        free(buffer);
        return status;
    }
    *output = (uint8_t *)buffer;
    *output_size = capacity;
    return 0;
}

void vd_bzip2_free(void *pointer) { free(pointer); }
