#include "zlib_shim.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int vd_gzip(const uint8_t *input, size_t input_size, uint8_t **output, size_t *output_size) {
    if (input_size > UINT_MAX) return Z_BUF_ERROR;  /* one deflate call takes at most uInt bytes */
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* 15 + 16: a gzip header and trailer rather than raw zlib. */
    int status = deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (status != Z_OK) return status;
    size_t capacity = deflateBound(&stream, (uLong)input_size) + 64;
    if (capacity > UINT_MAX) { deflateEnd(&stream); return Z_BUF_ERROR; }
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { deflateEnd(&stream); return Z_MEM_ERROR; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_size;
    stream.next_out = buffer;
    stream.avail_out = (uInt)capacity;
    status = deflate(&stream, Z_FINISH);
    if (status != Z_STREAM_END) { free(buffer); deflateEnd(&stream); return status == Z_OK ? Z_BUF_ERROR : status; }
    *output = buffer;
    *output_size = stream.total_out;
    deflateEnd(&stream);
    return 0;
}

struct vd_inflater {
    z_stream stream;
};

vd_inflater *vd_inflater_open(void) {
    vd_inflater *inflater = calloc(1, sizeof *inflater);
    if (!inflater) return NULL;
    /* 15 + 16: expect a gzip header and check the gzip trailer (CRC-32 and length). */
    if (inflateInit2(&inflater->stream, 15 + 16) != Z_OK) { free(inflater); return NULL; }
    return inflater;
}

int vd_inflater_step(vd_inflater *inflater, const uint8_t *input, size_t input_size, size_t *consumed,
                     uint8_t *output, size_t output_size, size_t *produced) {
    *consumed = 0;
    *produced = 0;
    if (input_size > UINT_MAX || output_size > UINT_MAX) return Z_BUF_ERROR;
    z_stream *stream = &inflater->stream;
    stream->next_in = (Bytef *)input;
    stream->avail_in = (uInt)input_size;
    stream->next_out = output;
    stream->avail_out = (uInt)output_size;
    int status = inflate(stream, Z_NO_FLUSH);
    *consumed = input_size - stream->avail_in;
    *produced = output_size - stream->avail_out;
    switch (status) {
    case Z_STREAM_END: return 1;
    case Z_OK: return 0;
    case Z_BUF_ERROR: return (*consumed || *produced) ? 0 : 2;
    case Z_NEED_DICT: return Z_DATA_ERROR;  /* a gzip stream never asks for a dictionary */
    default: return status < 0 ? status : Z_STREAM_ERROR;
    }
}

void vd_inflater_close(vd_inflater *inflater) {
    if (!inflater) return;
    inflateEnd(&inflater->stream);
    free(inflater);
}

void vd_zfree(void *pointer) { free(pointer); }
