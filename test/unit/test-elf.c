/* Unit tests for the ELF validator (test/os/kernel/elf.c), driven by a user
 * program built by `make os` (RSPMUX_TEST_ELF, normally compute.elf) and by
 * copies of it with one field changed. Every blob handed to elf_parse lives
 * in a heap buffer of exactly `size` bytes, so ASan sees any over-read. */
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

#include "elf.h"

#define ERR_LEN 200
#define USER_LO 0x10000ULL       /* the kernel's user window */
#define USER_HI 0x40000000ULL

/* ELF64 header and program header field offsets (System V gABI). */
#define EHDR_SIZE    64
#define E_TYPE       16
#define E_MACHINE    18
#define E_ENTRY      24
#define E_PHOFF      32
#define E_PHENTSIZE  54
#define E_PHNUM      56
#define PHDR_SIZE    56
#define P_TYPE       0
#define P_FLAGS      4
#define P_OFFSET     8
#define P_VADDR      16
#define P_FILESZ     32
#define P_MEMSZ      40
#define PT_LOAD      1
#define PT_NOTE      4




/* Test setup: loads RSPMUX_TEST_ELF. A missing variable fails the test
 * rather than skipping it, so a broken runner cannot pass silently. */
static int load_real_elf(void **state)
{
    const char *path = getenv("RSPMUX_TEST_ELF");
    if (!path || !*path) {
        print_error("RSPMUX_TEST_ELF is not set: point it at a user program from "
                    "`make os`, e.g. build/os/user/compute.elf\n");
        return -1;
    }
    struct blob *b = calloc(1, sizeof *b);
    if (!b || read_file(path, b) != 0 || b->size < EHDR_SIZE) {
        print_error("RSPMUX_TEST_ELF=%s: cannot read an ELF header from it\n", path);
        if (b)
            free(b->data);
        free(b);
        return -1;
    }
    *state = b;
    return 0;
}

static int free_real_elf(void **state)
{
    struct blob *b = *state;
    free(b->data);
    free(b);
    return 0;
}

/* Offset of the i-th program header of `b`. */
static size_t phdr_at(const uint8_t *b, unsigned i)
{
    return (size_t)get_le(b + E_PHOFF, 8) + (size_t)i * PHDR_SIZE;
}

/* Offset of the first PT_LOAD header with bytes in memory (the one elf_parse
 * reports as seg[0]). The real file was checked to have one. */
static size_t first_load(const uint8_t *b)
{
    for (unsigned i = 0; i < get_le(b + E_PHNUM, 2); i++) {
        size_t ph = phdr_at(b, i);
        if (get_le(b + ph + P_TYPE, 4) == PT_LOAD && get_le(b + ph + P_MEMSZ, 8) != 0)
            return ph;
    }
    fail_msg("no PT_LOAD segment in the test ELF");
    return 0;
}

static int parse(const uint8_t *b, size_t size, uint64_t hi, struct elf_image *img,
                 char err[ERR_LEN])
{
    err[0] = '\0';
    return elf_parse(b, size, USER_LO, hi, img, err, ERR_LEN);
}

static void test_real_elf_parses(void **state)
{
    const struct blob *b = *state;
    uint8_t *copy = dup_exact(b->data, b->size);
    struct elf_image img;
    char err[ERR_LEN];
    int rc = parse(copy, b->size, USER_HI, &img, err);
    free(copy);
    if (rc != 0)
        fail_msg("elf_parse: %s", err);
    assert_int_equal(img.entry, USER_LO);
    assert_in_range(img.nsegs, 2, ELF_MAX_SEGMENTS);
    assert_true(img.seg[0].flags & ELF_SEG_X);
    assert_int_equal(img.seg[0].vaddr, USER_LO);
    for (unsigned i = 0; i < img.nsegs; i++) {
        const struct elf_segment *s = &img.seg[i];
        assert_true(s->filesz <= s->memsz);
        assert_true(s->offset <= b->size && s->filesz <= b->size - s->offset);
        assert_true(s->vaddr >= USER_LO && s->memsz <= USER_HI - s->vaddr);
    }
}

/* ------------------------------------------------------------- mutations */

enum where {
    W_NONE,          /* unused write slot */
    W_EHDR,          /* offset into the ELF header */
    W_LOAD0,         /* offset into the first non-empty PT_LOAD header */
    W_EVERY_PHDR,    /* the same offset in every program header */
};

/* What a write's value is relative to; a relative value reads as a signed
 * delta (wrapping arithmetic). */
enum base {
    B_ABS,
    B_FILE_SIZE,     /* the file's size */
    B_LOAD0_END,     /* p_vaddr + p_memsz of the first PT_LOAD */
};

/* Writes `width` little-endian bytes of base + value. */
struct write {
    enum where where;
    unsigned field, width;
    uint64_t value;
    enum base base;
};

struct mutation {
    const char *name;
    struct write w[2];
    uint64_t hi;         /* 0: USER_HI */
    const char *want;    /* substring of err, or NULL: must still parse */
};

#define EHDR(f, wd, v)     { W_EHDR, f, wd, v, B_ABS }
#define LOAD0(f, wd, v)    { W_LOAD0, f, wd, v, B_ABS }
#define LOAD0_SZ(f, delta) { W_LOAD0, f, 8, (uint64_t)(delta), B_FILE_SIZE }

static const struct mutation mutations[] = {
    { "bad magic byte 0",  { EHDR(0, 1, 0x7e) }, 0, "bad magic 7e 45 4c 46" },
    { "bad magic byte 1",  { EHDR(1, 1, 'e') }, 0, "bad magic 7f 65 4c 46" },
    { "bad magic byte 2",  { EHDR(2, 1, 'l') }, 0, "bad magic 7f 45 6c 46" },
    { "bad magic byte 3",  { EHDR(3, 1, 'G') }, 0, "bad magic 7f 45 4c 47" },
    { "EI_CLASS 1",        { EHDR(4, 1, 1) }, 0, "EI_CLASS 1 " },
    { "EI_DATA 2",         { EHDR(5, 1, 2) }, 0, "EI_DATA 2 " },
    { "e_machine 62",      { EHDR(E_MACHINE, 2, 62) }, 0, "e_machine 62 " },
    { "e_type 3 (ET_DYN)", { EHDR(E_TYPE, 2, 3) }, 0, "e_type 3 " },
    { "e_type 1 (ET_REL)", { EHDR(E_TYPE, 2, 1) }, 0, "e_type 1 " },
    { "e_phentsize 32",    { EHDR(E_PHENTSIZE, 2, 32) }, 0, "e_phentsize 32 " },
    { "e_phoff = size",    { { W_EHDR, E_PHOFF, 8, 0, B_FILE_SIZE } }, 0, "program headers at 0x" },
    { "e_phoff = size-1",  { { W_EHDR, E_PHOFF, 8, (uint64_t)-1, B_FILE_SIZE } }, 0,
      "program headers at 0x" },
    { "e_phoff huge",      { EHDR(E_PHOFF, 8, UINT64_MAX) }, 0,
      "program headers at 0xffffffffffffffff" },
    { "e_phnum 65535",     { EHDR(E_PHNUM, 2, 0xffff) }, 0, "65535 program headers" },
    { "e_phnum 0",         { EHDR(E_PHNUM, 2, 0) }, 0, "no PT_LOAD" },
    { "no PT_LOAD",        { { W_EVERY_PHDR, P_TYPE, 4, PT_NOTE, B_ABS } }, 0, "no PT_LOAD" },
    { "p_filesz > p_memsz", { LOAD0(P_MEMSZ, 8, 1) }, 0, "exceeds p_memsz 0x1" },
    { "writable, not readable", { LOAD0(P_FLAGS, 4, 3) }, 0,
      "p_flags 0x3 is writable but not readable" },
    { "p_offset = size",   { LOAD0_SZ(P_OFFSET, 0) }, 0, "-byte file" },
    { "p_offset = size-1", { LOAD0_SZ(P_OFFSET, -1) }, 0, "-byte file" },
    { "p_offset huge",     { LOAD0(P_OFFSET, 8, UINT64_MAX) }, 0,
      "bytes [0xffffffffffffffff, +0x" },
    { "p_filesz = size",   { LOAD0_SZ(P_FILESZ, 0), LOAD0_SZ(P_MEMSZ, 0) }, 0, "-byte file" },
    { "offset+filesz wraps", { LOAD0(P_FILESZ, 8, UINT64_MAX), LOAD0(P_MEMSZ, 8, UINT64_MAX) }, 0,
      "+0xffffffffffffffff) lie outside the" },
    { "p_vaddr below lo",  { LOAD0(P_VADDR, 8, USER_LO - 0x1000) }, 0,
      "lies outside [0x10000, 0x40000000)" },
    { "p_vaddr 0",         { LOAD0(P_VADDR, 8, 0) }, 0, "[0x0, +0x" },
    { "p_vaddr = hi",      { LOAD0(P_VADDR, 8, USER_HI) }, 0, "[0x40000000, +0x" },
    { "vaddr+memsz > hi",  { LOAD0(P_VADDR, 8, USER_HI - 0x10) }, 0, "[0x3ffffff0, +0x" },
    { "memsz to hi exactly", { LOAD0(P_MEMSZ, 8, USER_HI - USER_LO) }, 0, NULL },
    { "memsz one past hi", { LOAD0(P_MEMSZ, 8, USER_HI - USER_LO + 1) }, 0,
      "[0x10000, +0x3fff0001) lies outside" },
    { "vaddr near 2^64",   { LOAD0(P_VADDR, 8, UINT64_MAX - 0xf) }, 0,
      "[0xfffffffffffffff0, +0x" },
    /* With hi at the top of the address space, vaddr + memsz wraps to a small
     * number; only a subtraction-based check sees it. */
    { "vaddr+memsz wraps", { LOAD0(P_VADDR, 8, UINT64_MAX - 0xf) }, UINT64_MAX,
      "lies outside [0x10000, 0xffffffffffffffff)" },
    { "entry in no segment", { EHDR(E_ENTRY, 8, USER_HI - 1) }, 0,
      "entry point 0x3fffffff is not in an executable segment" },
    { "entry at text end", { { W_EHDR, E_ENTRY, 8, 0, B_LOAD0_END } }, 0,
      "is not in an executable segment" },
    { "entry at last text byte", { { W_EHDR, E_ENTRY, 8, (uint64_t)-1, B_LOAD0_END } }, 0, NULL },
    { "entry 0",           { EHDR(E_ENTRY, 8, 0) }, 0, "entry point 0x0 " },
    { "text not executable", { LOAD0(P_FLAGS, 4, ELF_SEG_R) }, 0,
      "entry point 0x10000 is not in an executable segment" },
    { "empty PT_LOAD skipped", { LOAD0(P_FILESZ, 8, 0), LOAD0(P_MEMSZ, 8, 0) }, 0,
      "entry point 0x10000" },
};

/* `load0` is located before any write, so a write that empties the segment
 * cannot make a second write land on another header. */
static void apply_write(uint8_t *b, size_t size, size_t load0, const struct write *w)
{
    uint64_t v = w->value;
    if (w->base == B_FILE_SIZE)
        v += size;
    else if (w->base == B_LOAD0_END)
        v += get_le(b + load0 + P_VADDR, 8) + get_le(b + load0 + P_MEMSZ, 8);
    unsigned phnum = (unsigned)get_le(b + E_PHNUM, 2);
    switch (w->where) {
    case W_NONE:
        break;
    case W_EHDR:
        put_le(b + w->field, w->width, v);
        break;
    case W_LOAD0:
        put_le(b + load0 + w->field, w->width, v);
        break;
    case W_EVERY_PHDR:
        for (unsigned i = 0; i < phnum; i++)
            put_le(b + phdr_at(b, i) + w->field, w->width, v);
        break;
    }
}

static bool check_mutation(const struct blob *b, const struct mutation *m)
{
    uint8_t *copy = dup_exact(b->data, b->size);
    size_t load0 = first_load(copy);
    for (int i = 0; i < 2; i++)
        apply_write(copy, b->size, load0, &m->w[i]);
    struct elf_image img;
    char err[ERR_LEN];
    int rc = parse(copy, b->size, m->hi ? m->hi : USER_HI, &img, err);
    free(copy);
    bool ok = m->want ? rc == -1 && strstr(err, m->want) : rc == 0;
    if (!ok)
        print_error("%s: rc %d, err \"%s\", want %s\"%s\"\n", m->name, rc, err,
                    m->want ? "an error containing " : "success, not ", m->want ? m->want : err);
    return ok;
}

static void test_real_elf_mutations(void **state)
{
    const struct blob *b = *state;
    int failures = 0;
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++)
        failures += !check_mutation(b, &mutations[i]);
    assert_int_equal(failures, 0);
}

/* Bytes a loader needs: the ELF header, the program header table and the
 * file bytes of every non-empty PT_LOAD (not the section headers). */
static size_t bytes_needed(const uint8_t *b)
{
    unsigned phnum = (unsigned)get_le(b + E_PHNUM, 2);
    size_t need = phdr_at(b, phnum);
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = b + phdr_at(b, i);
        if (get_le(ph + P_TYPE, 4) != PT_LOAD || get_le(ph + P_MEMSZ, 8) == 0)
            continue;
        size_t end = (size_t)(get_le(ph + P_OFFSET, 8) + get_le(ph + P_FILESZ, 8));
        need = end > need ? end : need;
    }
    return need > EHDR_SIZE ? need : EHDR_SIZE;
}

static bool same_image(const struct elf_image *a, const struct elf_image *b)
{
    if (a->entry != b->entry || a->nsegs != b->nsegs)
        return false;
    for (unsigned i = 0; i < a->nsegs; i++) {
        const struct elf_segment *x = &a->seg[i], *y = &b->seg[i];
        if (x->vaddr != y->vaddr || x->memsz != y->memsz || x->offset != y->offset ||
            x->filesz != y->filesz || x->flags != y->flags)
            return false;
    }
    return true;
}

/* Every prefix of the file: too short for the headers or a segment's bytes
 * must fail with a message; long enough (only section headers or trailing
 * sections cut) must give exactly the full file's image. */
static void test_real_elf_every_truncation(void **state)
{
    const struct blob *b = *state;
    size_t need = bytes_needed(b->data);
    struct elf_image full, img;
    char err[ERR_LEN];
    assert_int_equal(parse(b->data, b->size, USER_HI, &full, err), 0);
    for (size_t n = 0; n < b->size; n++) {
        uint8_t *copy = dup_exact(b->data, n);
        int rc = parse(copy, n, USER_HI, &img, err);
        free(copy);
        bool ok = n < need ? rc == -1 && err[0] != '\0' : rc == 0 && same_image(&img, &full);
        if (n < EHDR_SIZE)
            ok = ok && strstr(err, "smaller than the 64-byte ELF header");
        if (!ok)
            fail_msg("prefix of %zu bytes (%zu needed, file %zu): rc %d, err \"%s\"",
                     n, need, b->size, rc, err);
    }
}

/* The test appends a fresh program header table at the end of the file:
 * `loads` copies of the text segment's header, then `empty` copies with no
 * bytes, then drops the last `cut` bytes. ELF_MAX_SEGMENTS limits only the
 * non-empty PT_LOADs, and the table must fit in the file to the last byte. */
struct limit_case {
    unsigned loads, empty, cut;
    const char *want;    /* NULL: must parse */
};

static const struct limit_case limit_cases[] = {
    { 1, 0, 0, NULL },
    { ELF_MAX_SEGMENTS, 0, 0, NULL },
    { ELF_MAX_SEGMENTS, 4, 0, NULL },
    { ELF_MAX_SEGMENTS + 1, 0, 0, "more than 8 PT_LOAD segments" },
    { 40, 0, 0, "more than 8 PT_LOAD segments" },
    { 2, 0, 1, "2 program headers at 0x" },
    { 1, 1, 1, "2 program headers at 0x" },
};

static void check_appended_table(const struct blob *b, const struct limit_case *c)
{
    size_t count = c->loads + c->empty, size = b->size + count * PHDR_SIZE;
    uint8_t *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, b->data, b->size);
    const uint8_t *text = b->data + first_load(b->data);
    for (size_t i = 0; i < count; i++) {
        uint8_t *ph = copy + b->size + i * PHDR_SIZE;
        memcpy(ph, text, PHDR_SIZE);
        if (i >= c->loads) {
            put_le(ph + P_MEMSZ, 8, 0);
            put_le(ph + P_FILESZ, 8, 0);
        }
    }
    put_le(copy + E_PHOFF, 8, b->size);
    put_le(copy + E_PHNUM, 2, count);
    /* Shrink to an exact-size buffer so a read of the dropped bytes is caught. */
    uint8_t *cut = dup_exact(copy, size - c->cut);
    free(copy);
    struct elf_image img;
    char err[ERR_LEN];
    int rc = parse(cut, size - c->cut, USER_HI, &img, err);
    free(cut);
    if (c->want && (rc != -1 || !strstr(err, c->want)))
        fail_msg("%u loads + %u empty - %u bytes: rc %d, err \"%s\", want \"%s\"",
                 c->loads, c->empty, c->cut, rc, err, c->want);
    if (!c->want && (rc != 0 || img.nsegs != c->loads))
        fail_msg("%u loads + %u empty - %u bytes: rc %d, nsegs %u, err \"%s\"",
                 c->loads, c->empty, c->cut, rc, img.nsegs, err);
}

static void test_appended_phdr_table(void **state)
{
    const struct blob *b = *state;
    for (size_t i = 0; i < sizeof limit_cases / sizeof limit_cases[0]; i++)
        check_appended_table(b, &limit_cases[i]);
}

/* Headers too short for the 64-byte ELF header, without the real file. */
static void test_tiny_inputs(void **state)
{
    (void)state;
    static const uint8_t magic[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    struct elf_image img;
    char err[ERR_LEN];
    for (size_t n = 0; n <= sizeof magic; n++) {
        uint8_t *copy = dup_exact(magic, n);
        int rc = parse(copy, n, USER_HI, &img, err);
        free(copy);
        assert_int_equal(rc, -1);
        assert_non_null(strstr(err, "smaller than the 64-byte ELF header"));
    }
}

#define REAL_ELF_TEST(f) cmocka_unit_test_setup_teardown(f, load_real_elf, free_real_elf)

int main(void)
{
    const struct CMUnitTest tests[] = {
        REAL_ELF_TEST(test_real_elf_parses),
        REAL_ELF_TEST(test_real_elf_mutations),
        REAL_ELF_TEST(test_real_elf_every_truncation),
        REAL_ELF_TEST(test_appended_phdr_table),
        cmocka_unit_test(test_tiny_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
