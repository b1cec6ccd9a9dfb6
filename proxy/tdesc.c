/* Target descriptions fetched from the backend and served to GDB. */
#define _GNU_SOURCE  /* memmem */
#include "tdesc.h"

#include <stdlib.h>
#include <string.h>

void tdesc_init(struct tdesc *t)
{
    memset(t, 0, sizeof *t);
}

void tdesc_free(struct tdesc *t)
{
    for (unsigned i = 0; i < t->nfiles; i++)
        free(t->files[i].data);
    tdesc_init(t);
}

/* Copies target.xml with "<osabi>none</osabi>" after </architecture>
 * (gdb-target.dtd: architecture?, osabi?, compatible*, feature*). */
static char *inject_osabi(const char *data, size_t len, size_t *out_len)
{
    static const char end_arch[] = "</architecture>";
    static const char osabi[] = "<osabi>none</osabi>";
    const char *at = memmem(data, len, end_arch, sizeof end_arch - 1);
    size_t cut = at ? (size_t)(at - data) + sizeof end_arch - 1 : 0;
    if (!at) {
        /* No architecture element: put it right after <target ...>. */
        const char *t = memmem(data, len, "<target", 7);
        const char *gt = t ? memchr(t, '>', len - (size_t)(t - data)) : NULL;
        if (!gt)
            return NULL;
        cut = (size_t)(gt - data) + 1;
    }
    char *out = malloc(len + sizeof osabi);
    if (!out)
        return NULL;
    memcpy(out, data, cut);
    memcpy(out + cut, osabi, sizeof osabi - 1);
    memcpy(out + cut + sizeof osabi - 1, data + cut, len - cut);
    *out_len = len + sizeof osabi - 1;
    out[*out_len] = '\0';
    return out;
}

int tdesc_add(struct tdesc *t, const char *name, const char *data, size_t len)
{
    if (t->nfiles == TDESC_MAX_FILES || strlen(name) >= TDESC_NAME_MAX)
        return -1;
    struct tdesc_file *f = &t->files[t->nfiles];
    bool is_main = strcmp(name, "target.xml") == 0;
    if (is_main && !memmem(data, len, "<osabi>", 7)) {
        f->data = inject_osabi(data, len, &f->len);
    } else {
        f->data = malloc(len + 1);
        if (f->data) {
            memcpy(f->data, data, len);
            f->data[len] = '\0';
            f->len = len;
        }
    }
    if (!f->data)
        return -1;
    strcpy(f->name, name);
    t->nfiles++;
    return 0;
}

const struct tdesc_file *tdesc_find(const struct tdesc *t, const char *name, size_t name_len)
{
    for (unsigned i = 0; i < t->nfiles; i++) {
        if (strlen(t->files[i].name) == name_len && memcmp(t->files[i].name, name, name_len) == 0)
            return &t->files[i];
    }
    return NULL;
}

void tdesc_each_include(const char *xml, size_t len,
                        void (*fn)(void *arg, const char *href, size_t href_len), void *arg)
{
    static const char tag[] = "<xi:include";
    const char *end = xml + len, *p = xml;
    while ((p = memmem(p, (size_t)(end - p), tag, sizeof tag - 1)) != NULL) {
        const char *close = memchr(p, '>', (size_t)(end - p));
        if (!close)
            return;
        const char *h = memmem(p, (size_t)(close - p), "href=\"", 6);
        if (h) {
            h += 6;
            const char *q = memchr(h, '"', (size_t)(close - h));
            if (q)
                fn(arg, h, (size_t)(q - h));
        }
        p = close;
    }
}

void xfer_reply(struct rsp_buf *reply, const void *data, size_t size,
                unsigned long long offset, unsigned long long length)
{
    if (offset >= size) {
        rsp_buf_append_str(reply, "l");
        return;
    }
    size_t n = size - (size_t)offset;
    if (n > length)
        n = (size_t)length;
    rsp_buf_append_str(reply, offset + n < size ? "m" : "l");
    rsp_buf_append(reply, (const char *)data + offset, n);
}
