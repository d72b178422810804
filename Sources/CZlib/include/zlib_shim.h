#ifndef VIRT_DOCTOR_ZLIB_SHIM_H
#define VIRT_DOCTOR_ZLIB_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// gzip-compresses `input` into a malloc'd buffer (*output, *output_size). Returns 0, or a zlib error code.
int vd_gzip(const uint8_t *input, size_t input_size, uint8_t **output, size_t *output_size);

/// An incremental gunzip: the caller feeds compressed bytes and takes decompressed bytes in chunks it sizes
/// itself, so an archive is read without ever holding it whole (a gzip bomb costs time, not memory).
typedef struct vd_inflater vd_inflater;

/// NULL when zlib cannot start (out of memory).
vd_inflater *vd_inflater_open(void);

/// Inflates from `input` into `output` (both at most UINT32_MAX bytes). Sets *consumed and *produced.
/// Returns 0 when it made progress, 1 at the end of the gzip stream, 2 when it needs more input to go on,
/// or a negative zlib code (-3: corrupt data, including a CRC or length mismatch in the trailer).
int vd_inflater_step(vd_inflater *inflater, const uint8_t *input, size_t input_size, size_t *consumed,
                     uint8_t *output, size_t output_size, size_t *produced);

void vd_inflater_close(vd_inflater *inflater);

void vd_zfree(void *pointer);

#endif
