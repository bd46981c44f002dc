// Non-variadic entry points into libvips: Swift cannot call C's variadic functions, which is how
// libvips takes its optional arguments, so each operation Almanac needs has one fixed signature here.
#ifndef ALMANAC_VIPS_H
#define ALMANAC_VIPS_H

#include <stddef.h>

/// Starts libvips once per process: no operation cache (files are read once), one thread per
/// operation (Almanac runs one operation per core itself). Returns 0 on success.
int almanac_vips_start(void);

/// Grey levels (0-255) of the file shrunk to exactly `width` x `height`, decoding at a reduced
/// scale where the format allows it (JPEG shrink-on-load). `out` holds width * height bytes.
int almanac_vips_grey(const char *path, int width, int height, unsigned char *out, char *error, size_t error_size);

/// The same for an encoded image in memory.
int almanac_vips_grey_buffer(const void *data, size_t length, int width, int height, unsigned char *out, char *error, size_t error_size);

/// Decodes an image (from `data` when it is not NULL, else from `path`) at reduced scale where the
/// format allows it (JPEG's DCT shrink to at least `min_side` pixels on the short side), for
/// perceptual hashes: one loader sniff, no resampling pipeline. `*pixels` is width * height *
/// bands bytes, freed with almanac_vips_free: 8-bit grey or sRGB, with alpha as the last band when
/// `bands` is 2 or 4. `full_width` and `full_height` are the image's own size, `loader` the loader's name.
int almanac_vips_decode_grey(const char *path, const void *data, size_t length, int min_side, unsigned char **pixels, int *bands,
                             int *width, int *height, int *full_width, int *full_height, char *loader, size_t loader_size, char *error,
                             size_t error_size);

/// Encodes the file as WebP at `quality` (libwebp through libvips), first shrinking it with a
/// Lanczos filter to at most `max_pixels` pixels when `max_pixels` > 0 and the image is larger.
/// `format` 0 writes WebP, 1 writes the file's own kind (JPEG at `quality`, PNG lossless).
/// The caller frees `*data` with almanac_vips_free.
int almanac_vips_encode(const char *path, int format, int quality, double max_pixels, void **data, size_t *length,
                        int *width, int *height, char *error, size_t error_size);

void almanac_vips_free(void *data);

#endif
