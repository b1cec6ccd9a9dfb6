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

/* ------------------------------------------------- register numbers */

/* An attribute's value inside one tag [p, close), or NULL. */
static const char *attr_value(const char *p, const char *close, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *a = p; (a = memmem(a, (size_t)(close - a), name, n)) != NULL; a += n) {
        if (a[-1] != ' ' && a[-1] != '\t' && a[-1] != '\n')
            continue;
        const char *v = a + n;
        if (v >= close || *v != '"')
            continue;
        const char *q = memchr(v + 1, '"', (size_t)(close - v - 1));
        if (!q)
            return NULL;
        *len = (size_t)(q - v - 1);
        return v + 1;
    }
    return NULL;
}

struct regnum_walk {
    const struct tdesc *t;
    const char *name;
    unsigned next;      /* the number the next <reg> gets */
    int found;          /* its number, or -1 */
    unsigned depth;
};

static void walk_file(struct regnum_walk *w, const char *xml, size_t len);

/* Registers are numbered in document order, includes expanded in place;
 * regnum="N" sets a register's number and continues from N + 1. */
static void walk_file(struct regnum_walk *w, const char *xml, size_t len)
{
    const char *end = xml + len, *p = xml;
    while (w->found < 0 && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        const char *close = memchr(p, '>', (size_t)(end - p));
        if (!close)
            return;
        size_t vlen;
        if ((size_t)(close - p) > 11 && memcmp(p, "<xi:include", 11) == 0) {
            const char *href = attr_value(p, close, "href=", &vlen);
            const struct tdesc_file *f = href ? tdesc_find(w->t, href, vlen) : NULL;
            if (f && w->depth < 4) {
                w->depth++;
                walk_file(w, f->data, f->len);
                w->depth--;
            }
        } else if ((size_t)(close - p) > 5 && memcmp(p, "<reg ", 5) == 0) {
            const char *num = attr_value(p, close, "regnum=", &vlen);
            const char *nm = attr_value(p, close, "name=", &vlen);
            if (num)
                w->next = (unsigned)strtoul(num, NULL, 10);
            if (nm && vlen == strlen(w->name) && memcmp(nm, w->name, vlen) == 0)
                w->found = (int)w->next;
            w->next++;
        }
        p = close;
    }
}

int tdesc_regnum(const struct tdesc *t, const char *name, unsigned *num)
{
    const struct tdesc_file *top = tdesc_find(t, "target.xml", 10);
    struct regnum_walk w = { .t = t, .name = name, .found = -1 };
    if (!top)
        return -1;
    walk_file(&w, top->data, top->len);
    if (w.found < 0)
        return -1;
    *num = (unsigned)w.found;
    return 0;
}
