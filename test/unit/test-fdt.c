/* Unit tests for the device tree reader (test/os/kernel/fdt.c): a DTB dumped
 * by QEMU, its truncations and corruptions, and small synthetic trees.
 *
 * The real DTB comes from RSPMUX_TEST_DTB, produced by
 *   qemu-system-riscv64 -machine virt,dumpdtb=FILE -m 256M -append "test; compute 5"
 * Every blob handed to fdt_parse lives in a heap buffer of exactly the size
 * passed as max_size, so under ASan any read past the end is a failure. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blob.h"

#include "fdt.h"

#define ERR_LEN 160

/* Header fields (Devicetree Specification v0.4, 5.2), as byte offsets. */
#define HDR_SIZE          40
#define HDR_MAGIC         0
#define HDR_TOTALSIZE     4
#define HDR_OFF_STRUCT    8
#define HDR_OFF_STRINGS   12
#define HDR_OFF_RSVMAP    16
#define HDR_VERSION       20
#define HDR_LAST_COMP     24
#define HDR_SIZE_STRINGS  32
#define HDR_SIZE_STRUCT   36
#define RSVMAP_END_SIZE   16   /* the all-zero entry that ends the reserve map */

#define FDT_MAGIC       0xd00dfeedU
#define TOK_BEGIN_NODE  1
#define TOK_END_NODE    2
#define TOK_PROP        3
#define TOK_NOP         4
#define TOK_END         9

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}



static bool points_into(const char *p, const void *base, size_t size)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)base;
    return a >= lo && a - lo < size;
}

/* Parses an exact-size copy of the first `n` bytes of `src`; for failures
 * only, since the copy (and so info->bootargs) is gone on return. */
static int parse_prefix(const void *src, size_t n, char err[ERR_LEN])
{
    uint8_t *copy = dup_exact(src, n);
    struct fdt_info info;
    err[0] = '\0';
    int rc = fdt_parse(copy, n, &info, err, ERR_LEN);
    free(copy);
    return rc;
}

/* ------------------------------------------------------------ the real DTB */


/* Test setup: loads RSPMUX_TEST_DTB. A missing variable fails the test
 * rather than skipping it, so a broken runner cannot pass silently. */
static int load_real_dtb(void **state)
{
    const char *path = getenv("RSPMUX_TEST_DTB");
    if (!path || !*path) {
        print_error("RSPMUX_TEST_DTB is not set: point it at a DTB made by "
                    "`qemu-system-riscv64 -machine virt,dumpdtb=FILE -m 256M "
                    "-append \"test; compute 5\"`\n");
        return -1;
    }
    struct blob *b = calloc(1, sizeof *b);
    if (!b || read_file(path, b) != 0) {
        print_error("RSPMUX_TEST_DTB=%s: cannot read the file\n", path);
        if (b)
            free(b->data);
        free(b);
        return -1;
    }
    if (b->size < HDR_SIZE || get_be32(b->data + HDR_TOTALSIZE) > b->size) {
        print_error("RSPMUX_TEST_DTB=%s: %zu bytes, not a whole DTB\n", path, b->size);
        free(b->data);
        free(b);
        return -1;
    }
    /* QEMU dumps its whole 1 MiB FDT buffer; the tree is the first totalsize bytes. */
    b->size = get_be32(b->data + HDR_TOTALSIZE);
    *state = b;
    return 0;
}

static int free_real_dtb(void **state)
{
    struct blob *b = *state;
    free(b->data);
    free(b);
    return 0;
}

static void assert_qemu_virt_info(const struct fdt_info *info)
{
    assert_non_null(info->bootargs);
    assert_string_equal(info->bootargs, "test; compute 5");
    assert_int_equal(info->mem_base, 0x80000000ULL);
    assert_int_equal(info->mem_size, 256ULL << 20);
}

static void test_real_dtb_parses(void **state)
{
    const struct blob *b = *state;
    uint8_t *copy = dup_exact(b->data, b->size);
    struct fdt_info info;
    char err[ERR_LEN] = "";
    int rc = fdt_parse(copy, b->size, &info, err, sizeof err);
    if (rc != 0)
        print_error("fdt_parse: %s\n", err);
    assert_int_equal(rc, 0);
    assert_qemu_virt_info(&info);
    assert_true(points_into(info.bootargs, copy, b->size));
    /* SIZE_MAX means "trust the header"; the result must not change. */
    assert_int_equal(fdt_parse(copy, SIZE_MAX, &info, err, sizeof err), 0);
    assert_qemu_virt_info(&info);
    free(copy);
}

/* Every prefix shorter than totalsize, header untouched: the parser must
 * refuse it (the header promises more bytes than there are) and say why. */
static void test_real_dtb_every_truncation_fails(void **state)
{
    const struct blob *b = *state;
    for (size_t n = 0; n < b->size; n++) {
        char err[ERR_LEN];
        int rc = parse_prefix(b->data, n, err);
        if (rc != -1 || err[0] == '\0')
            fail_msg("max_size %zu of %zu: rc %d, err \"%s\"", n, b->size, rc, err);
    }
}

/* The same prefixes with totalsize rewritten to match, so the parser gets
 * past the first size check and must catch the blocks that no longer fit. */
static void test_real_dtb_truncation_with_matching_totalsize(void **state)
{
    const struct blob *b = *state;
    for (size_t n = HDR_SIZE; n < b->size; n++) {
        uint8_t *copy = dup_exact(b->data, n);
        put_be32(copy + HDR_TOTALSIZE, (uint32_t)n);
        struct fdt_info info;
        char err[ERR_LEN] = "";
        int rc = fdt_parse(copy, n, &info, err, sizeof err);
        free(copy);
        if (rc != -1 || err[0] == '\0')
            fail_msg("totalsize %zu: rc %d, err \"%s\"", n, rc, err);
    }
}

/* Rebuilds `src` as header | reserve map | one block | the other block, with
 * the last block cut to `last_len` bytes and the buffer ending right there:
 * reading one byte past either block's size is then an ASan error. */
static uint8_t *relayout(const struct blob *src, bool strings_last, uint32_t last_len,
                         size_t *size)
{
    const uint8_t *s = src->data;
    const uint8_t *st = s + get_be32(s + HDR_OFF_STRUCT);
    const uint8_t *strs = s + get_be32(s + HDR_OFF_STRINGS);
    uint32_t st_len = get_be32(s + HDR_SIZE_STRUCT), strs_len = get_be32(s + HDR_SIZE_STRINGS);
    if (strings_last)
        strs_len = last_len;
    else
        st_len = last_len;

    uint32_t first = HDR_SIZE + RSVMAP_END_SIZE;
    uint32_t second = first + (strings_last ? st_len : strs_len);
    *size = second + (strings_last ? strs_len : st_len);
    uint8_t *b = calloc(1, *size);
    assert_non_null(b);
    memcpy(b, s, HDR_SIZE);
    put_be32(b + HDR_TOTALSIZE, (uint32_t)*size);
    put_be32(b + HDR_OFF_RSVMAP, HDR_SIZE);
    put_be32(b + HDR_OFF_STRUCT, strings_last ? first : second);
    put_be32(b + HDR_OFF_STRINGS, strings_last ? second : first);
    put_be32(b + HDR_SIZE_STRUCT, st_len);
    put_be32(b + HDR_SIZE_STRINGS, strs_len);
    memcpy(b + get_be32(b + HDR_OFF_STRUCT), st, st_len);
    memcpy(b + get_be32(b + HDR_OFF_STRINGS), strs, strs_len);
    return b;
}

/* Cuts the structure block (then the strings block) to every shorter
 * length. The tree ends with FDT_END and every string is some property's
 * name, so no cut can leave a valid tree. */
static void test_real_dtb_block_truncations(void **state)
{
    const struct blob *b = *state;
    for (int strings_last = 0; strings_last <= 1; strings_last++) {
        uint32_t full = get_be32(b->data + (strings_last ? HDR_SIZE_STRINGS : HDR_SIZE_STRUCT));
        for (uint32_t len = 0; len <= full; len++) {
            size_t size;
            uint8_t *blob = relayout(b, strings_last, len, &size);
            struct fdt_info info;
            char err[ERR_LEN] = "";
            int rc = fdt_parse(blob, size, &info, err, sizeof err);
            if (len == full && rc == 0)
                assert_qemu_virt_info(&info);   /* the relayout itself is sound */
            free(blob);
            if (len == full && rc != 0)
                fail_msg("relayout (%s last) fails: %s", strings_last ? "strings" : "struct", err);
            if (len < full && (rc != -1 || err[0] == '\0'))
                fail_msg("%s block cut to %u of %u bytes: rc %d, err \"%s\"",
                         strings_last ? "strings" : "structure", len, full, rc, err);
        }
    }
}

/* One 32-bit word of the real blob overwritten, and the error expected. */
struct word_case {
    const char *name;
    bool in_struct;      /* `at` is relative to the structure block, else to the blob */
    uint32_t at;
    uint32_t value;
    bool value_is_strings_size;   /* use size_dt_strings as the value */
    const char *want;    /* substring of err */
};

/* The root node's name is empty, so its FDT_BEGIN_NODE takes 8 bytes and
 * its first property (QEMU's virt has several) starts at structure offset 8. */
#define FIRST_PROP     8
#define FIRST_NAMEOFF  (FIRST_PROP + 8)

#define IN_HEADER(at, v)     false, at, v, false
#define IN_STRUCT(at, v)     true, at, v, false
#define STRINGS_SIZE_AT(at)  true, at, 0, true   /* the first out-of-range offset */

static const struct word_case word_cases[] = {
    { "magic off by one", IN_HEADER(HDR_MAGIC, 0xd00dfeeeU), "bad magic 0xd00dfeee" },
    { "magic little-endian", IN_HEADER(HDR_MAGIC, 0xedfe0dd0U), "magic" },
    { "totalsize beyond buffer", IN_HEADER(HDR_TOTALSIZE, 0xffffffffU), "totalsize" },
    { "struct offset huge", IN_HEADER(HDR_OFF_STRUCT, 0xffffffffU), "outside totalsize" },
    { "struct size huge", IN_HEADER(HDR_SIZE_STRUCT, 0xffffffffU), "outside totalsize" },
    { "strings offset huge", IN_HEADER(HDR_OFF_STRINGS, 0xffffffffU), "outside totalsize" },
    { "strings size huge", IN_HEADER(HDR_SIZE_STRINGS, 0xffffffffU), "outside totalsize" },
    { "struct size zero", IN_HEADER(HDR_SIZE_STRUCT, 0), "without FDT_END" },
    { "root token corrupted", IN_STRUCT(0, 0xdeadbeefU), "unknown token 0xdeadbeef at offset 0" },
    { "first prop token 0", IN_STRUCT(FIRST_PROP, 0), "unknown token 0x0 at offset 8" },
    { "name offset = strings size", STRINGS_SIZE_AT(FIRST_NAMEOFF), "outside the strings block" },
    { "name offset huge", IN_STRUCT(FIRST_NAMEOFF, 0xffffffffU), "outside the strings block" },
    { "name offset 2^31-1", IN_STRUCT(FIRST_NAMEOFF, 0x7fffffffU), "outside the strings block" },
    { "prop length huge", IN_STRUCT(FIRST_PROP + 4, 0xfffffff0U), "property runs past" },
};

static void test_real_dtb_word_corruptions(void **state)
{
    const struct blob *b = *state;
    uint32_t off_struct = get_be32(b->data + HDR_OFF_STRUCT);
    /* The layout the table relies on (see FIRST_PROP). */
    assert_int_equal(get_be32(b->data + off_struct), TOK_BEGIN_NODE);
    assert_int_equal(get_be32(b->data + off_struct + FIRST_PROP), TOK_PROP);

    for (size_t i = 0; i < sizeof word_cases / sizeof word_cases[0]; i++) {
        const struct word_case *c = &word_cases[i];
        uint8_t *copy = dup_exact(b->data, b->size);
        uint32_t value = c->value_is_strings_size ? get_be32(copy + HDR_SIZE_STRINGS) : c->value;
        put_be32(copy + (c->in_struct ? off_struct : 0) + c->at, value);
        struct fdt_info info;
        char err[ERR_LEN] = "";
        int rc = fdt_parse(copy, b->size, &info, err, sizeof err);
        free(copy);
        if (rc != -1 || !strstr(err, c->want))
            fail_msg("%s: rc %d, err \"%s\", want \"%s\"", c->name, rc, err, c->want);
    }
}

/* ------------------------------------------------------- synthetic trees */

/* A tree is a script of ops; the builder turns it into a DTB laid out as
 * header | reserve map | strings | structure, so the structure block ends
 * at the end of the buffer. */
enum op_kind {
    OP_STOP,       /* end of the script (writes nothing) */
    OP_BEGIN,      /* FDT_BEGIN_NODE name */
    OP_END,        /* FDT_END_NODE */
    OP_PROP,       /* FDT_PROP with `len` bytes of `val` and name `name` */
    OP_CELLS,      /* FDT_PROP whose value is `ncells` big-endian cells */
    OP_RAW_PROP,   /* FDT_PROP header only: length `len`, name offset cells[0] */
    OP_TOKEN,      /* the bare word cells[0] */
    OP_BYTES,      /* `len` raw bytes of `val`, not padded */
    OP_NEST,       /* `len` nested nodes, opened then closed */
    OP_FINISH,     /* FDT_END */
};

struct op {
    enum op_kind kind;
    const char *name;
    const char *val;
    uint32_t len;
    uint32_t cells[6];
    uint32_t ncells;
};

#define BEGIN(n)        { .kind = OP_BEGIN, .name = (n) }
#define END             { .kind = OP_END }
#define PROP(n, v, l)   { .kind = OP_PROP, .name = (n), .val = (v), .len = (l) }
#define STR(n, s)       PROP(n, s, sizeof(s))   /* with the NUL */
#define CELLS(n, ...)   { .kind = OP_CELLS, .name = (n), .cells = { __VA_ARGS__ }, \
                          .ncells = sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t) }
#define RAW_PROP(l, o)  { .kind = OP_RAW_PROP, .len = (l), .cells = { (o) } }
#define TOKEN(t)        { .kind = OP_TOKEN, .cells = { (t) } }
#define BYTES(v, l)     { .kind = OP_BYTES, .val = (v), .len = (l) }
#define NEST(n)         { .kind = OP_NEST, .len = (n) }
#define FINISH          { .kind = OP_FINISH }
#define SCRIPT(...)     ((const struct op[]){ __VA_ARGS__, { .kind = OP_STOP } })

struct builder {
    uint8_t st[4096];
    uint32_t st_len;
    char strs[512];
    uint32_t strs_len;
};

static void emit_raw(struct builder *b, const void *p, uint32_t n)
{
    assert_true(b->st_len + n <= sizeof b->st);
    memcpy(b->st + b->st_len, p, n);
    b->st_len += n;
}

static void emit_word(struct builder *b, uint32_t v)
{
    uint8_t w[4];
    put_be32(w, v);
    emit_raw(b, w, 4);
}

static void emit_padded(struct builder *b, const void *p, uint32_t n)
{
    static const uint8_t zeros[4];
    emit_raw(b, p, n);
    emit_raw(b, zeros, (4 - n % 4) % 4);
}

static uint32_t add_string(struct builder *b, const char *s)
{
    uint32_t off = b->strs_len, n = (uint32_t)strlen(s) + 1;
    assert_true(off + n <= sizeof b->strs);
    memcpy(b->strs + off, s, n);
    b->strs_len += n;
    return off;
}

static void emit_prop(struct builder *b, const char *name, const void *val, uint32_t len)
{
    emit_word(b, TOK_PROP);
    emit_word(b, len);
    emit_word(b, add_string(b, name));
    emit_padded(b, val, len);
}

static void run_op(struct builder *b, const struct op *op)
{
    uint8_t cells[4 * 6];
    switch (op->kind) {
    case OP_STOP:
        break;
    case OP_BEGIN:
        emit_word(b, TOK_BEGIN_NODE);
        emit_padded(b, op->name, (uint32_t)strlen(op->name) + 1);
        break;
    case OP_END:
        emit_word(b, TOK_END_NODE);
        break;
    case OP_PROP:
        emit_prop(b, op->name, op->val, op->len);
        break;
    case OP_CELLS:
        for (uint32_t i = 0; i < op->ncells; i++)
            put_be32(cells + 4 * i, op->cells[i]);
        emit_prop(b, op->name, cells, 4 * op->ncells);
        break;
    case OP_RAW_PROP:
        emit_word(b, TOK_PROP);
        emit_word(b, op->len);
        emit_word(b, op->cells[0]);
        break;
    case OP_TOKEN:
        emit_word(b, op->cells[0]);
        break;
    case OP_BYTES:
        emit_raw(b, op->val, op->len);
        break;
    case OP_NEST:
        for (uint32_t i = 0; i < op->len; i++)
            run_op(b, &(struct op)BEGIN("n"));
        for (uint32_t i = 0; i < op->len; i++)
            emit_word(b, TOK_END_NODE);
        break;
    case OP_FINISH:
        emit_word(b, TOK_END);
        break;
    }
}

/* Returns a heap DTB of exactly *size bytes built from `script`. */
static uint8_t *build_fdt(const struct op *script, size_t *size)
{
    struct builder *b = calloc(1, sizeof *b);
    assert_non_null(b);
    for (const struct op *op = script; op->kind != OP_STOP; op++)
        run_op(b, op);

    uint32_t off_strings = HDR_SIZE + RSVMAP_END_SIZE;
    uint32_t off_struct = off_strings + b->strs_len;
    *size = off_struct + b->st_len;
    uint8_t *blob = calloc(1, *size);
    assert_non_null(blob);
    put_be32(blob + HDR_MAGIC, FDT_MAGIC);
    put_be32(blob + HDR_TOTALSIZE, (uint32_t)*size);
    put_be32(blob + HDR_OFF_STRUCT, off_struct);
    put_be32(blob + HDR_OFF_STRINGS, off_strings);
    put_be32(blob + HDR_OFF_RSVMAP, HDR_SIZE);
    put_be32(blob + HDR_VERSION, 17);
    put_be32(blob + HDR_LAST_COMP, 16);
    put_be32(blob + HDR_SIZE_STRINGS, b->strs_len);
    put_be32(blob + HDR_SIZE_STRUCT, b->st_len);
    memcpy(blob + off_strings, b->strs, b->strs_len);
    memcpy(blob + off_struct, b->st, b->st_len);
    free(b);
    return blob;
}

struct tree_case {
    const char *name;
    const struct op *script;
    int want_rc;
    const char *want;        /* rc 0: bootargs (NULL for none); rc -1: err substring */
    uint64_t mem_base, mem_size;
};

#define ROOT_CELLS(a, s)  CELLS("#address-cells", a), CELLS("#size-cells", s)

static const struct tree_case tree_cases[] = {
    /* what gets picked up */
    { "empty root",
      SCRIPT(BEGIN(""), END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs",
      SCRIPT(BEGIN(""), BEGIN("chosen"), STR("bootargs", "console=ttyS0 quiet"), END, END, FINISH),
      0, "console=ttyS0 quiet", 0, 0 },
    { "no /chosen",
      SCRIPT(BEGIN(""), ROOT_CELLS(2, 2), BEGIN("memory@80000000"), STR("device_type", "memory"),
             CELLS("reg", 0, 0x80000000, 0, 0x10000000), END, END, FINISH),
      0, NULL, 0x80000000, 0x10000000 },
    { "bootargs without NUL",
      SCRIPT(BEGIN(""), BEGIN("chosen"), PROP("bootargs", "abc", 3), END, END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs with an inner NUL only",
      SCRIPT(BEGIN(""), BEGIN("chosen"), PROP("bootargs", "a\0bc", 4), END, END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs empty value",
      SCRIPT(BEGIN(""), BEGIN("chosen"), PROP("bootargs", "", 0), END, END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs empty string",
      SCRIPT(BEGIN(""), BEGIN("chosen"), STR("bootargs", ""), END, END, FINISH),
      0, "", 0, 0 },
    { "bootargs in /soc/chosen",
      SCRIPT(BEGIN(""), BEGIN("soc"), BEGIN("chosen"), STR("bootargs", "x"), END, END, END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs in /chosen/sub",
      SCRIPT(BEGIN(""), BEGIN("chosen"), BEGIN("sub"), STR("bootargs", "x"), END, END, END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs on the root",
      SCRIPT(BEGIN(""), STR("bootargs", "x"), END, FINISH),
      0, NULL, 0, 0 },
    { "bootargs-extra is not bootargs",
      SCRIPT(BEGIN(""), BEGIN("chosen"), STR("bootargs-extra", "x"), END, END, FINISH),
      0, NULL, 0, 0 },
    { "NOPs skipped",
      SCRIPT(TOKEN(TOK_NOP), BEGIN(""), TOKEN(TOK_NOP), BEGIN("chosen"), TOKEN(TOK_NOP),
             STR("bootargs", "nop"), END, END, TOKEN(TOK_NOP), FINISH),
      0, "nop", 0, 0 },

    /* /memory reg decoding */
    { "cells 1/1",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 1), BEGIN("memory@80000000"),
             CELLS("reg", 0x80000000, 0x10000000), END, END, FINISH),
      0, NULL, 0x80000000, 0x10000000 },
    { "cells default 2/1",
      SCRIPT(BEGIN(""), BEGIN("memory"), CELLS("reg", 1, 0, 0x4000), END, END, FINISH),
      0, NULL, 0x100000000ULL, 0x4000 },
    { "cells 1/2",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 2), BEGIN("memory"), CELLS("reg", 0x80000000, 1, 0),
             END, END, FINISH),
      0, NULL, 0x80000000, 0x100000000ULL },
    { "cells 2/2 high words",
      SCRIPT(BEGIN(""), ROOT_CELLS(2, 2), BEGIN("memory"), CELLS("reg", 1, 2, 3, 4),
             END, END, FINISH),
      0, NULL, 0x100000002ULL, 0x300000004ULL },
    { "first of two ranges",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 1), BEGIN("memory"),
             CELLS("reg", 0x80000000, 0x1000, 0x90000000, 0x2000), END, END, FINISH),
      0, NULL, 0x80000000, 0x1000 },
    { "first /memory node wins",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 1),
             BEGIN("memory@80000000"), CELLS("reg", 0x80000000, 0x1000), END,
             BEGIN("memory@90000000"), CELLS("reg", 0x90000000, 0x2000), END, END, FINISH),
      0, NULL, 0x80000000, 0x1000 },
    { "reg shorter than one range",
      SCRIPT(BEGIN(""), ROOT_CELLS(2, 2), BEGIN("memory"), CELLS("reg", 0, 0x80000000, 0),
             END, END, FINISH),
      0, NULL, 0, 0 },
    { "#address-cells 3 unsupported",
      SCRIPT(BEGIN(""), ROOT_CELLS(3, 1), BEGIN("memory"), CELLS("reg", 0, 0, 0x80000000, 0x1000),
             END, END, FINISH),
      0, NULL, 0, 0 },
    { "#size-cells 0 unsupported",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 0), BEGIN("memory"), CELLS("reg", 0x80000000, 0x1000),
             END, END, FINISH),
      0, NULL, 0, 0 },
    { "#address-cells of 8 bytes ignored",
      SCRIPT(BEGIN(""), CELLS("#address-cells", 1, 1), BEGIN("memory"),
             CELLS("reg", 0, 0x80000000, 0x1000), END, END, FINISH),
      0, NULL, 0x80000000, 0x1000 },
    { "memory-controller is not /memory",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 1), BEGIN("memory-controller"),
             CELLS("reg", 0x80000000, 0x1000), END, END, FINISH),
      0, NULL, 0, 0 },
    { "/soc/memory is not /memory",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 1), BEGIN("soc"), BEGIN("memory"),
             CELLS("reg", 0x80000000, 0x1000), END, END, END, FINISH),
      0, NULL, 0, 0 },
    { "/memory/sub reg ignored",
      SCRIPT(BEGIN(""), ROOT_CELLS(1, 1), BEGIN("memory"), BEGIN("sub"),
             CELLS("reg", 0x80000000, 0x1000), END, END, END, FINISH),
      0, NULL, 0, 0 },

    /* nesting: the root plus 31 levels is the most the walker tracks */
    { "32 levels", SCRIPT(BEGIN(""), NEST(31), END, FINISH), 0, NULL, 0, 0 },
    { "33 levels", SCRIPT(BEGIN(""), NEST(32), END, FINISH), -1, "nested deeper than 32", 0, 0 },
    { "100 levels", SCRIPT(BEGIN(""), NEST(100), END, FINISH), -1, "nested deeper than 32", 0, 0 },

    /* malformed structure blocks */
    { "END_NODE first",
      SCRIPT(END, FINISH),
      -1, "FDT_END_NODE without a node", 0, 0 },
    { "one END_NODE too many",
      SCRIPT(BEGIN(""), END, END, FINISH),
      -1, "FDT_END_NODE without", 0, 0 },
    { "FDT_END in an open node",
      SCRIPT(BEGIN(""), BEGIN("a"), END, FINISH),
      -1, "FDT_END inside an open node", 0, 0 },
    { "property before the root",
      SCRIPT(STR("x", "y"), BEGIN(""), END, FINISH),
      -1, "property outside any node", 0, 0 },
    { "unknown token",
      SCRIPT(BEGIN(""), TOKEN(7), END, FINISH),
      -1, "unknown token 0x7 at offset 8", 0, 0 },
    { "empty structure block",
      SCRIPT(BYTES("", 0)),
      -1, "ends without FDT_END at offset 0", 0, 0 },
    { "no FDT_END",
      SCRIPT(BEGIN(""), END),
      -1, "ends without FDT_END", 0, 0 },
    { "trailing partial token",
      SCRIPT(BEGIN(""), END, BYTES("\0\0", 2)),
      -1, "ends without FDT_END", 0, 0 },
    { "name offset 0, no strings",
      SCRIPT(BEGIN(""), RAW_PROP(0, 0), END, FINISH),
      -1, "name offset 0 outside the strings block", 0, 0 },
    { "name offset huge",
      SCRIPT(BEGIN(""), STR("a", "b"), RAW_PROP(0, 0xffffffff), END, FINISH),
      -1, "outside the strings block", 0, 0 },
    { "property length past block",
      SCRIPT(BEGIN(""), STR("a", "b"), RAW_PROP(0xfffffff0, 0), END, FINISH),
      -1, "property runs past", 0, 0 },
    { "property length one past",   /* only END and FINISH (8 bytes) follow */
      SCRIPT(BEGIN(""), STR("a", "b"), RAW_PROP(9, 0), END, FINISH),
      -1, "property runs past", 0, 0 },
    { "property header cut short",
      SCRIPT(BEGIN(""), TOKEN(TOK_PROP), TOKEN(0)),
      -1, "property runs past", 0, 0 },
    { "unterminated node name",
      SCRIPT(TOKEN(TOK_BEGIN_NODE), BYTES("abcd", 4)),
      -1, "unterminated node name", 0, 0 },
    { "node name padding past block",
      SCRIPT(TOKEN(TOK_BEGIN_NODE), BYTES("ab", 3)),
      -1, "node name runs past", 0, 0 },
};

static void check_tree_case(const struct tree_case *c)
{
    size_t size;
    uint8_t *blob = build_fdt(c->script, &size);
    struct fdt_info info;
    char err[ERR_LEN] = "";
    int rc = fdt_parse(blob, size, &info, err, sizeof err);
    bool ok = rc == c->want_rc;
    if (ok && rc == 0) {
        ok = info.mem_base == c->mem_base && info.mem_size == c->mem_size &&
             (c->want ? info.bootargs && strcmp(info.bootargs, c->want) == 0 &&
                        points_into(info.bootargs, blob, size)
                      : info.bootargs == NULL);
    } else if (ok) {
        ok = strstr(err, c->want) != NULL;
    }
    if (!ok)
        print_error("%s: rc %d err \"%s\" bootargs %s%s%s mem 0x%llx+0x%llx\n",
                    c->name, rc, err, info.bootargs ? "\"" : "",
                    info.bootargs ? info.bootargs : "(none)", info.bootargs ? "\"" : "",
                    (unsigned long long)info.mem_base, (unsigned long long)info.mem_size);
    free(blob);
    if (!ok)
        fail_msg("%s: want rc %d and %s \"%s\"", c->name, c->want_rc,
                 c->want_rc == 0 ? "bootargs" : "an error containing",
                 c->want ? c->want : "(none)");
}

static void test_synthetic_trees(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tree_cases / sizeof tree_cases[0]; i++)
        check_tree_case(&tree_cases[i]);
}

/* A synthetic tree's truncations fail too; here the structure block sits at
 * the end, so a prefix also cuts it mid-token. */
static void test_synthetic_truncations(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = build_fdt(SCRIPT(BEGIN(""), ROOT_CELLS(1, 1), BEGIN("chosen"),
                                     STR("bootargs", "abc"), END, BEGIN("memory"),
                                     CELLS("reg", 0x80000000, 0x1000), END, END, FINISH), &size);
    for (size_t n = 0; n < size; n++) {
        char err[ERR_LEN];
        int rc = parse_prefix(blob, n, err);
        if (rc != -1 || err[0] == '\0') {
            free(blob);
            fail_msg("max_size %zu of %zu: rc %d, err \"%s\"", n, size, rc, err);
        }
    }
    free(blob);
}

/* A tiny error buffer still gets a NUL-terminated (truncated) message. */
static void test_error_buffer_truncated(void **state)
{
    (void)state;
    uint8_t junk[HDR_SIZE] = { 0 };
    char err[8];
    memset(err, 'X', sizeof err);
    struct fdt_info info;
    assert_int_equal(fdt_parse(junk, sizeof junk, &info, err, sizeof err), -1);
    assert_string_equal(err, "fdt: ba");
}

#define REAL_DTB_TEST(f) cmocka_unit_test_setup_teardown(f, load_real_dtb, free_real_dtb)

int main(void)
{
    const struct CMUnitTest tests[] = {
        REAL_DTB_TEST(test_real_dtb_parses),
        REAL_DTB_TEST(test_real_dtb_every_truncation_fails),
        REAL_DTB_TEST(test_real_dtb_truncation_with_matching_totalsize),
        REAL_DTB_TEST(test_real_dtb_block_truncations),
        REAL_DTB_TEST(test_real_dtb_word_corruptions),
        cmocka_unit_test(test_synthetic_trees),
        cmocka_unit_test(test_synthetic_truncations),
        cmocka_unit_test(test_error_buffer_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
