#include "lzma_shim.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>

struct vd_xz_decoder {
    lzma_stream stream;
};

vd_xz_decoder *vd_xz_decoder_open(uint64_t memory_limit) {
    vd_xz_decoder *decoder = calloc(1, sizeof *decoder);
    if (!decoder) return NULL;
    lzma_stream initial = LZMA_STREAM_INIT;
    decoder->stream = initial;
    /* LZMA_CONCATENATED: read every stream of the file, as `xz -d` does, so data after the first stream is
     * either more archive or a reported error, never silently dropped. No LZMA_IGNORE_CHECK: the check of
     * every block is verified. */
    if (lzma_stream_decoder(&decoder->stream, memory_limit, LZMA_CONCATENATED) != LZMA_OK) {
        free(decoder);
        return NULL;
    }
    return decoder;
}

int vd_xz_decoder_step(vd_xz_decoder *decoder, const uint8_t *input, size_t input_size, int input_ended,
                       size_t *consumed, uint8_t *output, size_t output_size, size_t *produced) {
    lzma_stream *stream = &decoder->stream;
    stream->next_in = input;
    stream->avail_in = input_size;
    stream->next_out = output;
    stream->avail_out = output_size;
    /* LZMA_FINISH once the input has ended: with LZMA_CONCATENATED it is what tells the decoder that no
     * further stream follows, so that it can report the end (or a truncation). */
    lzma_ret status = lzma_code(stream, input_ended ? LZMA_FINISH : LZMA_RUN);
    *consumed = input_size - stream->avail_in;
    *produced = output_size - stream->avail_out;
    int progressed = *consumed || *produced;
    switch (status) {
    case LZMA_STREAM_END: return VD_XZ_END;
    /* liblzma says LZMA_OK for the first call that cannot progress and LZMA_BUF_ERROR for the second; the
     * caller decides what no progress means (more input, or a truncated file). */
    case LZMA_OK:
    case LZMA_BUF_ERROR: return progressed ? VD_XZ_PROGRESS : VD_XZ_NEEDS_INPUT;
    case LZMA_DATA_ERROR: return VD_XZ_CORRUPT;
    case LZMA_MEMLIMIT_ERROR: return VD_XZ_MEMORY_LIMIT;
    case LZMA_MEM_ERROR: return VD_XZ_OUT_OF_MEMORY;
    case LZMA_FORMAT_ERROR: return VD_XZ_NOT_XZ;
    case LZMA_OPTIONS_ERROR: return VD_XZ_UNSUPPORTED;
    default: return VD_XZ_INTERNAL;
    }
}

void vd_xz_decoder_close(vd_xz_decoder *decoder) {
    if (!decoder) return;
    lzma_end(&decoder->stream);
    free(decoder);
}

int vd_xz_compress(const uint8_t *input, size_t input_size, uint32_t preset, int check, uint8_t **output,
                   size_t *output_size) {
    size_t capacity = lzma_stream_buffer_bound(input_size);
    if (capacity == 0) return LZMA_BUF_ERROR;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) return LZMA_MEM_ERROR;
    size_t written = 0;
    lzma_ret status = lzma_easy_buffer_encode(preset, (lzma_check)check, NULL, input, input_size, buffer, &written, capacity);
    if (status != LZMA_OK) {
        free(buffer);
        return (int)status;
    }
    *output = buffer;
    *output_size = written;
    return 0;
}

void vd_xz_free(void *pointer) { free(pointer); }
