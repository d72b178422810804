#ifndef VIRT_DOCTOR_LZMA_SHIM_H
#define VIRT_DOCTOR_LZMA_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// An incremental .xz decoder with the same contract as the gunzip in CZlib: the caller feeds compressed
/// bytes and takes decompressed bytes in chunks it sizes itself, so an archive is never held whole.
typedef struct vd_xz_decoder vd_xz_decoder;

/// Step results. Errors are negative.
enum {
    VD_XZ_PROGRESS = 0,       /* consumed or produced something */
    VD_XZ_END = 1,            /* every stream ended, its index and check verified */
    VD_XZ_NEEDS_INPUT = 2,    /* no progress possible with the input given */
    VD_XZ_CORRUPT = -1,       /* bad data, including a check (CRC32/CRC64/SHA-256) mismatch or garbage after a stream */
    VD_XZ_MEMORY_LIMIT = -2,  /* the stream needs a bigger dictionary than the limit allows */
    VD_XZ_OUT_OF_MEMORY = -3,
    VD_XZ_NOT_XZ = -4,        /* no .xz stream header */
    VD_XZ_UNSUPPORTED = -5,   /* a filter or option this liblzma does not know */
    VD_XZ_INTERNAL = -6,      /* a liblzma programming error: should not happen */
};

/// NULL when liblzma cannot start (out of memory). `memory_limit` bounds what the decoder may allocate
/// (its dictionary mostly): a header asking for more ends in VD_XZ_MEMORY_LIMIT rather than a huge allocation.
vd_xz_decoder *vd_xz_decoder_open(uint64_t memory_limit);

/// Decodes from `input` into `output`. `input_ended` says no input follows what is given: only then can the
/// decoder tell a finished file (VD_XZ_END) from a truncated one. Concatenated .xz streams and stream padding
/// are read as xz(1) reads them. Sets *consumed and *produced.
int vd_xz_decoder_step(vd_xz_decoder *decoder, const uint8_t *input, size_t input_size, int input_ended,
                       size_t *consumed, uint8_t *output, size_t output_size, size_t *produced);

void vd_xz_decoder_close(vd_xz_decoder *decoder);

/// Compresses `input` into one .xz stream in a malloc'd buffer (release with vd_xz_free), with the given
/// preset (0-9) and check (liblzma's lzma_check: 0 none, 1 CRC32, 4 CRC64, 10 SHA-256). For tests and
/// fuzzing seeds. Returns 0, or a liblzma error code.
int vd_xz_compress(const uint8_t *input, size_t input_size, uint32_t preset, int check, uint8_t **output,
                   size_t *output_size);

void vd_xz_free(void *pointer);

#endif
