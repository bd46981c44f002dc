#include "almanac_vips.h"

#include <math.h>
#include <string.h>
#include <vips/vips.h>

static void take_error(char *error, size_t error_size) {
    if (error && error_size > 0) {
        const char *text = vips_error_buffer();
        strncpy(error, text && *text ? text : "libvips failed", error_size - 1);
        error[error_size - 1] = 0;
        size_t n = strlen(error);
        while (n > 0 && (error[n - 1] == '\n' || error[n - 1] == ' ')) error[--n] = 0;
    }
    vips_error_clear();
}

int almanac_vips_start(void) {
    if (VIPS_INIT("almanac")) return -1;
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    return 0;
}

/// Flattens alpha onto white and turns the image into one 8-bit grey band; `steps` keeps the
/// intermediate images for the caller to release. NULL on failure, with libvips's error set.
static VipsImage *grey8(VipsImage *image, VipsImage *steps[4]) {
    VipsImage *current = image;
    if (vips_image_hasalpha(current)) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int failed = vips_flatten(current, &steps[0], "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (failed) return NULL;
        current = steps[0];
    }
    if (vips_colourspace(current, &steps[1], VIPS_INTERPRETATION_B_W, NULL)) return NULL;
    current = steps[1];
    if (vips_image_get_bands(current) > 1) {
        if (vips_extract_band(current, &steps[2], 0, NULL)) return NULL;
        current = steps[2];
    }
    if (vips_image_get_format(current) != VIPS_FORMAT_UCHAR) {
        if (vips_cast(current, &steps[3], VIPS_FORMAT_UCHAR, "shift", vips_image_get_format(current) == VIPS_FORMAT_USHORT, NULL)) return NULL;
        current = steps[3];
    }
    return current;
}

static void release(VipsImage *steps[4]) {
    for (int i = 0; i < 4; i++)
        if (steps[i]) g_object_unref(steps[i]);
}

/// The grey pixels of a thumbnail forced to `width` x `height`, copied to `out`.
static int grey_pixels(VipsImage *image, int width, int height, unsigned char *out, char *error, size_t error_size) {
    VipsImage *steps[4] = {NULL, NULL, NULL, NULL};
    int status = -1;
    VipsImage *current = grey8(image, steps);
    if (!current) goto done;
    if (vips_image_get_width(current) != width || vips_image_get_height(current) != height) {
        vips_error("almanac", "reduced to %dx%d, not %dx%d", vips_image_get_width(current), vips_image_get_height(current), width, height);
        goto done;
    }
    size_t size = 0;
    void *pixels = vips_image_write_to_memory(current, &size);
    if (!pixels) goto done;
    if (size == (size_t)width * (size_t)height) {
        memcpy(out, pixels, size);
        status = 0;
    } else {
        vips_error("almanac", "unexpected pixel buffer of %zu bytes", size);
    }
    g_free(pixels);
done:
    if (status != 0) take_error(error, error_size);
    release(steps);
    return status;
}

static VipsImage *open_image(const char *path, const void *data, size_t length, int shrink) {
    if (data) {
        return shrink > 1 ? vips_image_new_from_buffer(data, length, "", "access", VIPS_ACCESS_SEQUENTIAL, "shrink", shrink, NULL)
                          : vips_image_new_from_buffer(data, length, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    }
    return shrink > 1 ? vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "shrink", shrink, NULL)
                      : vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

int almanac_vips_decode_grey(const char *path, const void *data, size_t length, int min_side, unsigned char **pixels, int *bands,
                             int *width, int *height, int *full_width, int *full_height, char *loader, size_t loader_size, char *error,
                             size_t error_size) {
    VipsImage *image = open_image(path, data, length, 1);
    if (!image) {
        take_error(error, error_size);
        return -1;
    }
    const char *name = NULL;
    if (vips_image_get_string(image, "vips-loader", &name) || !name) name = "unknown";
    strncpy(loader, name, loader_size - 1);
    loader[loader_size - 1] = 0;
    *full_width = vips_image_get_width(image);
    *full_height = vips_image_get_height(image);
    int shortest = *full_width < *full_height ? *full_width : *full_height;
    int shrink = 1;
    if (strncmp(loader, "jpegload", 8) == 0)
        while (shrink < 8 && shortest / (shrink * 2) >= min_side) shrink *= 2;
    if (shrink > 1) {
        g_object_unref(image);
        image = open_image(path, data, length, shrink);
        if (!image) {
            take_error(error, error_size);
            return -1;
        }
    }
    VipsImage *steps[4] = {NULL, NULL, NULL, NULL};
    int status = -1;
    VipsImage *current = image;
    *bands = 1;
    // 8-bit grey or sRGB (with or without alpha), nearly every photo: the pixels as they are, turned
    // grey by the caller. A libvips colour conversion is several operations, which cost more than
    // the decode on a small JPEG shrunk on load.
    VipsInterpretation kind = vips_image_get_interpretation(image);
    int direct = vips_image_get_format(image) == VIPS_FORMAT_UCHAR && vips_image_get_bands(image) <= 4 &&
                 (kind == VIPS_INTERPRETATION_sRGB || kind == VIPS_INTERPRETATION_B_W || kind == VIPS_INTERPRETATION_RGB);
    if (direct) {
        *bands = vips_image_get_bands(image);
    } else {
        current = grey8(image, steps);
        if (!current) goto done;
    }
    size_t size = 0;
    *pixels = vips_image_write_to_memory(current, &size);
    if (!*pixels) goto done;
    *width = vips_image_get_width(current);
    *height = vips_image_get_height(current);
    status = 0;
done:
    if (status != 0) take_error(error, error_size);
    release(steps);
    g_object_unref(image);
    return status;
}

int almanac_vips_grey(const char *path, int width, int height, unsigned char *out, char *error, size_t error_size) {
    VipsImage *thumbnail = NULL;
    if (vips_thumbnail(path, &thumbnail, width, "height", height, "size", VIPS_SIZE_FORCE, NULL)) {
        take_error(error, error_size);
        return -1;
    }
    int status = grey_pixels(thumbnail, width, height, out, error, error_size);
    g_object_unref(thumbnail);
    return status;
}

int almanac_vips_grey_buffer(const void *data, size_t length, int width, int height, unsigned char *out, char *error, size_t error_size) {
    VipsImage *thumbnail = NULL;
    if (vips_thumbnail_buffer((void *)data, length, &thumbnail, width, "height", height, "size", VIPS_SIZE_FORCE, NULL)) {
        take_error(error, error_size);
        return -1;
    }
    int status = grey_pixels(thumbnail, width, height, out, error, error_size);
    g_object_unref(thumbnail);
    return status;
}

int almanac_vips_encode(const char *path, int format, int quality, double max_pixels, void **data, size_t *length,
                        int *width, int *height, char *error, size_t error_size) {
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!image) {
        take_error(error, error_size);
        return -1;
    }
    const char *loader = NULL;
    if (vips_image_get_string(image, "vips-loader", &loader)) loader = "";
    int is_png = loader && strncmp(loader, "png", 3) == 0;
    VipsImage *resized = NULL;
    VipsImage *current = image;
    double pixels = (double)vips_image_get_width(image) * (double)vips_image_get_height(image);
    int status = -1;
    if (max_pixels > 0 && pixels > max_pixels) {
        if (vips_resize(current, &resized, sqrt(max_pixels / pixels), "kernel", VIPS_KERNEL_LANCZOS3, NULL)) goto done;
        current = resized;
    }
    *width = vips_image_get_width(current);
    *height = vips_image_get_height(current);
    int failed;
    if (format == 0) failed = vips_webpsave_buffer(current, data, length, "Q", quality, NULL);
    else if (is_png) failed = vips_pngsave_buffer(current, data, length, NULL);
    else failed = vips_jpegsave_buffer(current, data, length, "Q", quality, NULL);
    status = failed ? -1 : 0;
done:
    if (status != 0) take_error(error, error_size);
    if (resized) g_object_unref(resized);
    g_object_unref(image);
    return status;
}

void almanac_vips_free(void *data) { g_free(data); }
