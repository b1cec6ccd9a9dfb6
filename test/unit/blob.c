/* Test helpers: files read whole, and exact-size heap copies under ASan. */
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
