/* Test helpers: files read whole, exact-size heap copies under ASan, and
 * little-endian fields of binary files. */
#ifndef TEST_BLOB_H
#define TEST_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob {
    uint8_t *data;
    size_t size;
};

/* A heap copy of exactly `n` bytes, so ASan catches a read at data[n].
 * Aborts the test program if memory runs out. */
uint8_t *dup_exact(const void *src, size_t n);

/* Reads the whole file at `path` into `out` (free out->data). 0, or -1. */
int read_file(const char *path, struct blob *out);

/* The `width`-byte little-endian value at p / stored at p. */
uint64_t get_le(const uint8_t *p, unsigned width);
void put_le(uint8_t *p, unsigned width, uint64_t v);

#endif
