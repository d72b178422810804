#ifndef VIRT_DOCTOR_BZIP2_SHIM_H
#define VIRT_DOCTOR_BZIP2_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// libbz2 through dlopen. Linking it would put its SONAME in the binary, and that differs by distribution
/// (Debian libbz2.so.1.0, Fedora and RHEL libbz2.so.1): a binary built here would not even start on the
/// RHEL hosts `collect` runs on. Loaded on first use, trying both names; only .tar.bz2 reading needs it.

/// Returns 1 when libbz2 is usable; otherwise 0 with the reason in `error`.
int vd_bzip2_load(char *error, size_t error_size);

/// An incremental bunzip2 with the contract of CZlib's gunzip and CLzma's xz decoder.
typedef struct vd_bzip2_decoder vd_bzip2_decoder;

enum {
    VD_BZIP2_PROGRESS = 0,
    VD_BZIP2_END = 1,            /* the last stream ended at the end of the input, every CRC verified */
    VD_BZIP2_NEEDS_INPUT = 2,    /* no progress possible with the input given */
    VD_BZIP2_CORRUPT = -1,       /* bad data, including a block or stream CRC mismatch */
    VD_BZIP2_NOT_BZIP2 = -2,     /* no "BZh" signature */
    VD_BZIP2_OUT_OF_MEMORY = -3,
    VD_BZIP2_TRAILING_DATA = -4, /* bytes after a stream that do not start another one */
    VD_BZIP2_INTERNAL = -5,      /* libbz2 refused its parameters, or is not loaded: should not happen */
};

/// NULL when libbz2 is not loaded or cannot start (out of memory).
vd_bzip2_decoder *vd_bzip2_decoder_open(void);

/// Decodes from `input` into `output`; `input_ended` says nothing follows what is given. Concatenated
/// streams (what pbzip2 writes) are read one after another, as bzip2(1) does.
int vd_bzip2_decoder_step(vd_bzip2_decoder *decoder, const uint8_t *input, size_t input_size, int input_ended,
                          size_t *consumed, uint8_t *output, size_t output_size, size_t *produced);

void vd_bzip2_decoder_close(vd_bzip2_decoder *decoder);

/// One bzip2 stream of `input` in a malloc'd buffer (release with vd_bzip2_free); for tests and fuzzing seeds.
/// Returns 0, or a libbz2 error code (-100 when libbz2 is not loaded).
int vd_bzip2_compress(const uint8_t *input, size_t input_size, int block_size_100k, uint8_t **output,
                      size_t *output_size);

void vd_bzip2_free(void *pointer);

#endif
