#include "zlib_shim.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int vd_gzip(const uint8_t *input, size_t input_size, uint8_t **output, size_t *output_size) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* 15 + 16: a gzip header and trailer rather than raw zlib. */
    int status = deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (status != Z_OK) return status;
    size_t capacity = deflateBound(&stream, (uLong)input_size) + 64;
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

int vd_gunzip(const uint8_t *input, size_t input_size, size_t limit, uint8_t **output, size_t *output_size) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    int status = inflateInit2(&stream, 15 + 16);
    if (status != Z_OK) return status;
    size_t capacity = input_size * 4 + 4096;
    if (capacity > limit + 1) capacity = limit + 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&stream); return Z_MEM_ERROR; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_size;
    int result = 0;
    for (;;) {
        if (stream.total_out >= capacity) {
            if (capacity > limit) { result = 1; break; }
            size_t grown = capacity * 2;
            if (grown > limit + 1) grown = limit + 1;
            uint8_t *larger = realloc(buffer, grown);
            if (!larger) { result = Z_MEM_ERROR; break; }
            buffer = larger;
            capacity = grown;
        }
        stream.next_out = buffer + stream.total_out;
        stream.avail_out = (uInt)(capacity - stream.total_out);
        status = inflate(&stream, Z_NO_FLUSH);
        if (status == Z_STREAM_END) break;
        if (status == Z_BUF_ERROR && stream.avail_in == 0) { result = 2; break; }  /* input ended early */
        if (status != Z_OK && status != Z_BUF_ERROR) { result = status < 0 ? status : -100; break; }
        if (stream.total_out > limit) { result = 1; break; }
    }
    if (result != 0) { free(buffer); inflateEnd(&stream); return result; }
    *output = buffer;
    *output_size = stream.total_out;
    inflateEnd(&stream);
    return 0;
}

void vd_zfree(void *pointer) { free(pointer); }
