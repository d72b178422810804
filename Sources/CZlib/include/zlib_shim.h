#ifndef VIRT_DOCTOR_ZLIB_SHIM_H
#define VIRT_DOCTOR_ZLIB_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// gzip-compresses `input` into a malloc'd buffer (*output, *output_size). Returns 0, or a zlib error code.
int vd_gzip(const uint8_t *input, size_t input_size, uint8_t **output, size_t *output_size);

/// Decompresses a gzip stream, refusing to produce more than `limit` bytes (a gzip bomb stops there).
/// Returns 0; 1 when the limit was reached; 2 when the stream is truncated; a negative zlib code otherwise.
int vd_gunzip(const uint8_t *input, size_t input_size, size_t limit, uint8_t **output, size_t *output_size);

void vd_zfree(void *pointer);

#endif

#ifndef VIRT_DOCTOR_ZLIB_TEST_H
#define VIRT_DOCTOR_ZLIB_TEST_H
#endif
