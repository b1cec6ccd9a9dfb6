/* Test helpers: files read whole, and exact-size heap copies under ASan. */
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

#endif
