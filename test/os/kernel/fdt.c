/* Reads the boot arguments and the RAM range from a flattened device tree
 * (Devicetree Specification v0.4, chapter 5: big-endian header, a structure
 * block of tokens, and a strings block holding property names). */
#include "fdt.h"

#include "fmt.h"

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_MAX_DEPTH  32

struct cursor {
    const uint8_t *base;       /* start of the structure block */
    uint32_t size;             /* its size */
    uint32_t pos;
    const char *strings;
    uint32_t strings_size;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads `cells` big-endian 32-bit cells (1 or 2) as one number. */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++)
        v = v << 32 | be32(p + 4 * i);
    return v;
}

static int next_u32(struct cursor *c, uint32_t *v)
{
    if (c->size - c->pos < 4)
        return -1;
    *v = be32(c->base + c->pos);
    c->pos += 4;
    return 0;
}

/* Length of the NUL-terminated string at `s` within `avail` bytes, or -1. */
static long bounded_strlen(const char *s, uint32_t avail)
{
    for (uint32_t i = 0; i < avail; i++) {
        if (s[i] == '\0')
            return i;
    }
    return -1;
}

static int name_is(const char *name, const char *want)
{
    while (*want && *name == *want)
        name++, want++;
    return *want == '\0' && (*name == '\0' || *name == '@');
}

struct walk {
    const char *node[FDT_MAX_DEPTH];   /* names along the current path */
    int depth;                         /* 0 = inside the root node */
    uint32_t addr_cells, size_cells;   /* the root's #address-cells/#size-cells */
};

static void on_prop(struct walk *w, const char *name, const uint8_t *val,
                    uint32_t len, struct fdt_info *info)
{
    if (w->depth == 0) {
        if (len == 4 && name_is(name, "#address-cells"))
            w->addr_cells = be32(val);
        else if (len == 4 && name_is(name, "#size-cells"))
            w->size_cells = be32(val);
        return;
    }
    if (w->depth != 1)
        return;
    if (name_is(w->node[1], "chosen") && name_is(name, "bootargs") && len > 0 &&
        val[len - 1] == '\0') {
        info->bootargs = (const char *)val;
    } else if (name_is(w->node[1], "memory") && name_is(name, "reg") &&
               info->mem_size == 0 && w->addr_cells >= 1 && w->addr_cells <= 2 &&
               w->size_cells >= 1 && w->size_cells <= 2 &&
               len >= 4 * (w->addr_cells + w->size_cells)) {
        info->mem_base = read_cells(val, w->addr_cells);
        info->mem_size = read_cells(val + 4 * w->addr_cells, w->size_cells);
    }
}

#define FAIL(...) \
    do { fmt_snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int fdt_parse(const void *blob, size_t max_size, struct fdt_info *info,
              char *err, size_t errlen)
{
    const uint8_t *b = blob;
    *info = (struct fdt_info){0};
    if (max_size < 40)
        FAIL("fdt: blob of %zu bytes is smaller than the 40-byte header", max_size);
    if (be32(b) != FDT_MAGIC)
        FAIL("fdt: bad magic 0x%08x (want 0xd00dfeed)", be32(b));
    uint32_t total = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
    uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (total > max_size)
        FAIL("fdt: totalsize %u exceeds the %zu bytes available", total, max_size);
    if (off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings)
        FAIL("fdt: structure or strings block outside totalsize %u", total);

    struct cursor c = { b + off_struct, size_struct, 0,
                        (const char *)b + off_strings, size_strings };
    struct walk w = { .depth = -1, .addr_cells = 2, .size_cells = 1 };
    for (;;) {
        uint32_t tok, at = c.pos;
        if (next_u32(&c, &tok) != 0)
            FAIL("fdt: structure block ends without FDT_END at offset %u", at);
        switch (tok) {
        case FDT_BEGIN_NODE: {
            const char *name = (const char *)c.base + c.pos;
            long len = bounded_strlen(name, c.size - c.pos);
            if (len < 0)
                FAIL("fdt: unterminated node name at offset %u", at);
            if (++w.depth >= FDT_MAX_DEPTH)
                FAIL("fdt: nodes nested deeper than %d at offset %u", FDT_MAX_DEPTH, at);
            w.node[w.depth] = name;
            c.pos += ((uint32_t)len + 1 + 3) & ~3U;
            if (c.pos > c.size)
                FAIL("fdt: node name runs past the structure block at offset %u", at);
            break;
        }
        case FDT_END_NODE:
            if (w.depth < 0)
                FAIL("fdt: FDT_END_NODE without a node at offset %u", at);
            w.depth--;
            break;
        case FDT_PROP: {
            uint32_t len, nameoff;
            if (next_u32(&c, &len) != 0 || next_u32(&c, &nameoff) != 0 ||
                len > c.size - c.pos)
                FAIL("fdt: property runs past the structure block at offset %u", at);
            if (w.depth < 0)
                FAIL("fdt: property outside any node at offset %u", at);
            if (nameoff >= c.strings_size ||
                bounded_strlen(c.strings + nameoff, c.strings_size - nameoff) < 0)
                FAIL("fdt: property name offset %u outside the strings block", nameoff);
            on_prop(&w, c.strings + nameoff, c.base + c.pos, len, info);
            c.pos += (len + 3) & ~3U;
            if (c.pos > c.size)
                c.pos = c.size;
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
            if (w.depth != -1)
                FAIL("fdt: FDT_END inside an open node at offset %u", at);
            return 0;
        default:
            FAIL("fdt: unknown token 0x%x at offset %u", tok, at);
        }
    }
}
