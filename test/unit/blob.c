/* Test helpers: files read whole, exact-size heap copies under ASan, and
 * little-endian fields of binary files. */
#include "blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *dup_exact(const void *src, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "dup_exact: out of memory for %zu bytes\n", n);
        abort();
    }
    if (n > 0)
        memcpy(p, src, n);
    return p;
}

int read_file(const char *path, struct blob *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n;
    out->data = malloc(cap);
    out->size = 0;
    while (out->data && (n = fread(out->data + out->size, 1, cap - out->size, f)) > 0) {
        out->size += n;
        if (out->size == cap) {
            uint8_t *bigger = realloc(out->data, cap *= 2);
            if (!bigger)
                free(out->data);
            out->data = bigger;
        }
    }
    int ok = out->data && !ferror(f);
    fclose(f);
    return ok ? 0 : -1;
}

uint64_t get_le(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = width; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

void put_le(uint8_t *p, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++, v >>= 8)
        p[i] = (uint8_t)v;
}
