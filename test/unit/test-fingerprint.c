/* Unit tests for program fingerprints (proxy/fingerprint.c): synthetic
 * candidates built in memory (one byte apart at the end of text, identical
 * copies, different entry points, text before rodata, writable data never
 * read, partly and non-overlapping segments, no text at all, several probes,
 * every error with its exact message), matching with exact messages, and
 * the demo kernel's user programs from `make os` (RSPMUX_TEST_ELF names one;
 * its directory holds the rest), parsed here with plain libc. */
#define _POSIX_C_SOURCE 200809L

#include <glob.h>
#include <libgen.h>
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

#include "fingerprint.h"

#define TEXT   0x10000ull
#define RODATA 0x11000ull
#define DATA   0x12000ull
#define MAX_SEG 4
#define ERR_LEN 256

/* ------------------------------------------------------------ candidates */

/* A loaded image: segments and their bytes (data[i] holds seg[i].size). */
struct image {
    struct fp_segment seg[MAX_SEG];
    uint8_t *data[MAX_SEG];
    size_t nseg;
    uint64_t entry;
};

struct images {
    struct image *img;
    size_t n;
    unsigned reads;
};

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* Adds a segment of `size` pseudo-random bytes from `seed`. */
static uint8_t *add_seg(struct image *im, uint64_t vaddr, uint64_t size, uint32_t flags,
                        uint32_t seed)
{
    assert_true(im->nseg < MAX_SEG);
    uint8_t *d = malloc(size ? size : 1);
    assert_non_null(d);
    fill(d, size, seed);
    im->seg[im->nseg] = (struct fp_segment){ vaddr, size, flags };
    im->data[im->nseg++] = d;
    return d;
}

/* A program like the demo's: text at 0x10000, rodata, writable data. */
static void program(struct image *im, uint64_t text_size, uint32_t seed)
{
    memset(im, 0, sizeof *im);
    im->entry = TEXT;
    add_seg(im, TEXT, text_size, FP_SEG_R | FP_SEG_X, seed);
    add_seg(im, RODATA, 0x100, FP_SEG_R, seed + 1);
    add_seg(im, DATA, 0x100, FP_SEG_R | FP_SEG_W, seed + 2);
}

/* The byte of `im` at vaddr, to change it. */
static uint8_t *byte_at(struct image *im, uint64_t vaddr)
{
    for (size_t i = 0; i < im->nseg; i++)
        if (vaddr - im->seg[i].vaddr < im->seg[i].size)
            return &im->data[i][vaddr - im->seg[i].vaddr];
    fail_msg("no segment holds 0x%llx", (unsigned long long)vaddr);
    return NULL;
}

static void free_images(struct images *ims)
{
    for (size_t c = 0; c < ims->n; c++)
        for (size_t i = 0; i < ims->img[c].nseg; i++)
            free(ims->img[c].data[i]);
}

/* fp_read_fn over struct images; the planner must only read read-only
 * bytes, so a read of a writable segment fails the test. */
static int read_image(void *arg, size_t c, uint64_t vaddr, void *buf, size_t len)
{
    struct images *ims = arg;
    assert_true(c < ims->n);
    const struct image *im = &ims->img[c];
    ims->reads++;
    for (size_t i = 0; i < im->nseg; i++) {
        const struct fp_segment *s = &im->seg[i];
        if (vaddr < s->vaddr || vaddr - s->vaddr > s->size || len > s->size - (vaddr - s->vaddr))
            continue;
        if (s->flags & FP_SEG_W)
            fail_msg("candidate %zu: read of writable 0x%llx", c, (unsigned long long)vaddr);
        memcpy(buf, im->data[i] + (vaddr - s->vaddr), len);
        return 0;
    }
    return -1;
}

static int plan_for(struct fp_plan *plan, struct images *ims, size_t max_probes, char *err)
{
    struct fp_segments segs[16];
    assert_true(ims->n <= 16);
    for (size_t c = 0; c < ims->n; c++)
        segs[c] = (struct fp_segments){ ims->img[c].seg, ims->img[c].nseg, ims->img[c].entry };
    err[0] = '\0';
    return fp_plan_build(plan, ims->n, segs, read_image, ims, max_probes, err, ERR_LEN);
}

/* What reading the plan's probes in candidate c's memory gives. */
static uint8_t *probe_bytes(const struct fp_plan *plan, struct images *ims, size_t c)
{
    uint8_t *b = malloc(plan->nbytes ? plan->nbytes : 1);
    assert_non_null(b);
    size_t off = 0;
    for (size_t i = 0; i < plan->nprobes; i++) {
        assert_int_equal(read_image(ims, c, plan->probes[i].vaddr, b + off, plan->probes[i].len), 0);
        off += plan->probes[i].len;
    }
    return b;
}

/* Candidate c's own bytes match c (or the lowest copy of it), with `msg`. */
static void assert_matches(const struct fp_plan *plan, struct images *ims, size_t c,
                           const char *msg)
{
    uint8_t *b = probe_bytes(plan, ims, c);
    char got[ERR_LEN];
    size_t cand = 999;
    int rc = fp_plan_match(plan, b, plan->nbytes, &cand, got, sizeof got);
    if (rc != 0 || cand != plan->same_as[c] || strcmp(got, msg) != 0)
        fail_msg("candidate %zu: rc %d, candidate %zu, \"%s\"; want %zu, \"%s\"",
                 c, rc, cand, got, plan->same_as[c], msg);
    free(b);
}

static void assert_probe(const struct fp_plan *plan, size_t i, uint64_t vaddr, uint32_t len)
{
    assert_true(i < plan->nprobes);
    if (plan->probes[i].vaddr != vaddr || plan->probes[i].len != len)
        fail_msg("probe %zu is 0x%llx+%u, want 0x%llx+%u", i,
                 (unsigned long long)plan->probes[i].vaddr, plan->probes[i].len,
                 (unsigned long long)vaddr, len);
}

/* ------------------------------------------------------------ planning */

/* Two builds of one program, the second with its last text byte changed:
 * the probe is moved back to be FP_PROBE_MIN long inside the text. */
static void test_one_byte_at_end(void **state)
{
    (void)state;
    struct image img[2];
    struct images ims = { img, 2, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    program(&img[0], 0x100, 7);
    program(&img[1], 0x100, 7);
    *byte_at(&img[1], TEXT + 0xff) ^= 0x40;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.nprobes, 1);
    assert_probe(&plan, 0, TEXT + 0xf0, FP_PROBE_MIN);
    assert_int_equal(plan.nbytes, FP_PROBE_MIN);
    assert_int_equal(plan.same_as[0], 0);
    assert_int_equal(plan.same_as[1], 1);
    assert_matches(&plan, &ims, 0, "");
    assert_matches(&plan, &ims, 1, "");
    fp_plan_free(&plan);
    free_images(&ims);
}

/* Copies of one program cannot be told apart: same_as says so, and a match
 * names the other copies. */
static void test_identical_programs(void **state)
{
    (void)state;
    struct image img[4];
    struct images ims = { img, 4, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    for (size_t c = 0; c < 4; c++)
        program(&img[c], 0x200, 3);
    *byte_at(&img[1], TEXT + 0x20) = (uint8_t)(*byte_at(&img[1], TEXT + 0x20) + 1);
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.nprobes, 1);
    assert_probe(&plan, 0, TEXT + 0x20, FP_PROBE_MIN);
    assert_int_equal(plan.same_as[0], 0);
    assert_int_equal(plan.same_as[1], 1);
    assert_int_equal(plan.same_as[2], 0);
    assert_int_equal(plan.same_as[3], 0);
    assert_matches(&plan, &ims, 0, "also matches candidates 2, 3");
    assert_matches(&plan, &ims, 1, "");
    assert_matches(&plan, &ims, 3, "also matches candidates 2, 3");
    fp_plan_free(&plan);

    ims.n = 3;   /* 0, 1 and 2: one other copy */
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_matches(&plan, &ims, 2, "also matches candidate 2");
    fp_plan_free(&plan);
    ims.n = 4;
    free_images(&ims);
}

/* With nothing to tell apart, one probe at the entry point still checks
 * that the program is one of the candidates; a short text gives a short one. */
static void test_nothing_to_tell_apart(void **state)
{
    (void)state;
    struct image img[2];
    struct images ims = { img, 1, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    program(&img[0], 0x100, 5);
    program(&img[1], 0x100, 5);
    img[0].entry = img[1].entry = TEXT + 0x40;
    assert_int_equal(plan_for(&plan, &ims, 1, err), 0);
    assert_int_equal(plan.nprobes, 1);
    assert_probe(&plan, 0, TEXT + 0x40, FP_PROBE_MIN);
    assert_matches(&plan, &ims, 0, "");
    fp_plan_free(&plan);

    ims.n = 2;
    assert_int_equal(plan_for(&plan, &ims, 1, err), 0);
    assert_probe(&plan, 0, TEXT + 0x40, FP_PROBE_MIN);
    assert_int_equal(plan.same_as[1], 0);
    assert_matches(&plan, &ims, 1, "also matches candidate 1");
    fp_plan_free(&plan);
    free_images(&ims);

    struct image tiny[1];
    struct images small = { tiny, 1, 0 };
    program(&tiny[0], 6, 5);
    tiny[0].nseg = 1;   /* keep only the text, freeing the rest now */
    free(tiny[0].data[1]);
    free(tiny[0].data[2]);
    assert_int_equal(plan_for(&plan, &small, 1, err), 0);
    assert_probe(&plan, 0, TEXT, 6);
    fp_plan_free(&plan);
    free_images(&small);
}

/* The scan starts at the lowest entry point: a difference above it wins
 * over one below it; with none above, the one below is used. */
static void test_entry_points(void **state)
{
    (void)state;
    struct image img[2];
    struct images ims = { img, 2, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    program(&img[0], 0x100, 9);
    program(&img[1], 0x100, 9);
    img[0].entry = TEXT + 0x40;
    img[1].entry = TEXT + 0x20;
    *byte_at(&img[1], TEXT + 0x08) ^= 1;
    *byte_at(&img[1], TEXT + 0x80) ^= 1;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.nprobes, 1);
    assert_probe(&plan, 0, TEXT + 0x80, FP_PROBE_MIN);
    fp_plan_free(&plan);

    *byte_at(&img[1], TEXT + 0x80) ^= 1;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_probe(&plan, 0, TEXT + 0x08, FP_PROBE_MIN);
    assert_matches(&plan, &ims, 0, "");
    assert_matches(&plan, &ims, 1, "");
    fp_plan_free(&plan);
    free_images(&ims);
}

/* Text before read-only data, however far into the text and even below
 * the entry point; writable data is never compared (read_image fails the test if it is read). */
static void test_text_first_data_never(void **state)
{
    (void)state;
    struct image img[2];
    struct images ims = { img, 2, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    program(&img[0], 0x1000, 11);
    program(&img[1], 0x1000, 11);
    *byte_at(&img[1], RODATA + 4) ^= 1;
    *byte_at(&img[1], TEXT + 0xf00) ^= 1;
    *byte_at(&img[1], DATA) ^= 1;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_probe(&plan, 0, TEXT + 0xf00, FP_PROBE_MIN);
    fp_plan_free(&plan);

    /* Text below the entry point still comes before read-only data. */
    img[0].entry = img[1].entry = TEXT + 0xf80;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_probe(&plan, 0, TEXT + 0xf00, FP_PROBE_MIN);
    fp_plan_free(&plan);

    *byte_at(&img[1], TEXT + 0xf00) ^= 1;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_probe(&plan, 0, RODATA + 4, FP_PROBE_MIN);
    fp_plan_free(&plan);
    img[0].entry = img[1].entry = TEXT;

    *byte_at(&img[1], RODATA + 4) ^= 1;   /* only the writable data differs now */
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.same_as[1], 0);
    assert_probe(&plan, 0, TEXT, FP_PROBE_MIN);
    fp_plan_free(&plan);
    free_images(&ims);
}

/* Only bytes both candidates have are compared: the difference at 0x10000
 * is outside candidate 1, the one at 0x100f8 is near the end of the shared
 * part, so the probe is moved back to fit inside it. */
static void test_partial_overlap(void **state)
{
    (void)state;
    struct image img[2];
    struct images ims = { img, 2, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    memset(img, 0, sizeof img);
    uint8_t *a = add_seg(&img[0], TEXT, 0x100, FP_SEG_R | FP_SEG_X, 1);
    uint8_t *b = add_seg(&img[1], TEXT + 0x80, 0x180, FP_SEG_R | FP_SEG_X, 2);
    img[0].entry = TEXT;
    img[1].entry = TEXT + 0x80;
    memcpy(b, a + 0x80, 0x80);
    b[0x78] ^= 1;   /* 0x100f8 */
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.nprobes, 1);
    assert_probe(&plan, 0, TEXT + 0xf0, FP_PROBE_MIN);
    assert_matches(&plan, &ims, 0, "");
    assert_matches(&plan, &ims, 1, "");
    fp_plan_free(&plan);
    free_images(&ims);
}

/* Differences 0x30 apart share one probe that ends at the second; farther
 * apart they need one probe each. */
static void test_several_probes(void **state)
{
    (void)state;
    struct image img[4];
    struct images ims = { img, 4, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    for (size_t c = 0; c < 4; c++)
        program(&img[c], 0x400, 21);
    *byte_at(&img[1], TEXT) ^= 1;
    *byte_at(&img[2], TEXT + 0x30) ^= 1;
    *byte_at(&img[3], TEXT + 0x300) ^= 1;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.nprobes, 2);
    assert_probe(&plan, 0, TEXT, 0x31);
    assert_probe(&plan, 1, TEXT + 0x300, FP_PROBE_MIN);
    assert_int_equal(plan.nbytes, 0x31 + FP_PROBE_MIN);
    for (size_t c = 0; c < 4; c++) {
        assert_int_equal(plan.same_as[c], c);
        assert_matches(&plan, &ims, c, "");
    }
    fp_plan_free(&plan);

    /* One probe allowed: the error names the pair left and where. */
    assert_int_equal(plan_for(&plan, &ims, 1, err), -1);
    assert_string_equal(err, "candidates 0 and 3 still alike after 1 probe; "
                             "they first differ at 0x10300");
    assert_null(plan.probes);
    assert_int_equal(plan.nprobes, 0);
    free_images(&ims);
}

/* ------------------------------------------------------------ errors */

static void test_unusable_candidates(void **state)
{
    (void)state;
    struct image img[3];
    struct images ims = { img, 2, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    memset(img, 0, sizeof img);
    add_seg(&img[0], TEXT, 0x100, FP_SEG_R | FP_SEG_X, 1);
    add_seg(&img[1], 0x20000, 0x100, FP_SEG_R | FP_SEG_X, 1);
    add_seg(&img[2], TEXT + 0x80, 0x100, FP_SEG_R | FP_SEG_X, 1);
    assert_int_equal(plan_for(&plan, &ims, 4, err), -1);
    assert_string_equal(err, "candidate 1 shares no read-only address with candidate 0");

    struct image swapped[3] = { img[0], img[2], img[1] };
    struct images three = { swapped, 3, 0 };
    assert_int_equal(plan_for(&plan, &three, 4, err), -1);
    assert_string_equal(err, "candidate 2 shares no read-only address with what candidates "
                             "0 to 1 have in common");

    /* No text: only writable, empty, or no segments at all. */
    img[1].seg[0].flags = FP_SEG_R | FP_SEG_W;
    assert_int_equal(plan_for(&plan, &ims, 4, err), -1);
    assert_string_equal(err, "candidate 1 has no read-only segment to fingerprint");
    img[1].seg[0] = (struct fp_segment){ TEXT, 0, FP_SEG_R | FP_SEG_X };
    assert_int_equal(plan_for(&plan, &ims, 4, err), -1);
    assert_string_equal(err, "candidate 1 has no read-only segment to fingerprint");
    img[1].nseg = 0;
    assert_int_equal(plan_for(&plan, &ims, 4, err), -1);
    assert_string_equal(err, "candidate 1 has no read-only segment to fingerprint");
    img[1].nseg = 1;
    assert_int_equal(ims.reads, 0);
    ims.n = 3;
    free_images(&ims);
}

static int read_fails_for_1(void *arg, size_t c, uint64_t vaddr, void *buf, size_t len)
{
    return c == 1 ? -1 : read_image(arg, c, vaddr, buf, len);
}

static void test_errors(void **state)
{
    (void)state;
    struct image img[2];
    struct images ims = { img, 2, 0 };
    struct fp_plan plan;
    char err[ERR_LEN];
    program(&img[0], 0x100, 1);
    program(&img[1], 0x100, 2);
    struct fp_segments segs[2] = { { img[0].seg, 3, TEXT }, { img[1].seg, 3, TEXT } };

    assert_int_equal(fp_plan_build(&plan, 0, segs, read_image, &ims, 4, err, sizeof err), -1);
    assert_string_equal(err, "no candidates");
    assert_int_equal(fp_plan_build(&plan, 2, segs, read_image, &ims, 0, err, sizeof err), -1);
    assert_string_equal(err, "max_probes is 0");

    img[1].seg[1].vaddr = 0xfffffffffffff000;
    img[1].seg[1].size = 0x2000;
    assert_int_equal(plan_for(&plan, &ims, 4, err), -1);
    assert_string_equal(err, "candidate 1: segment 1 at 0xfffffffffffff000 (size 0x2000) "
                             "ends at or past 2^64");
    img[1].seg[1].size = 0x1000;
    assert_int_equal(plan_for(&plan, &ims, 4, err), -1);
    assert_string_equal(err, "candidate 1: segment 1 at 0xfffffffffffff000 (size 0x1000) "
                             "ends at or past 2^64");
    img[1].seg[1].size = 0xfff;   /* not read: candidate 0 has nothing there */
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    fp_plan_free(&plan);
    img[1].seg[1] = (struct fp_segment){ RODATA, 0x100, FP_SEG_R };

    /* The image cannot give bytes its segments promised. */
    assert_int_equal(fp_plan_build(&plan, 2, segs, read_fails_for_1, &ims, 4, err, sizeof err), -1);
    assert_string_equal(err, "candidate 1: cannot read 0x100 bytes at 0x10000");

    /* NULL or tiny error buffers. */
    assert_int_equal(fp_plan_build(&plan, 0, segs, read_image, &ims, 4, NULL, 0), -1);
    char one = 'X';
    assert_int_equal(fp_plan_build(&plan, 0, segs, read_image, &ims, 4, &one, 1), -1);
    assert_int_equal(one, '\0');
    fp_plan_free(&plan);   /* an empty plan frees, twice too */
    fp_plan_free(&plan);
    free_images(&ims);
}

/* ------------------------------------------------------------ matching */

static void test_match_messages(void **state)
{
    (void)state;
    struct image img[3];
    struct images ims = { img, 3, 0 };
    struct fp_plan plan;
    char err[ERR_LEN], msg[ERR_LEN];
    for (size_t c = 0; c < 3; c++)
        program(&img[c], 0x100, 4);
    *byte_at(&img[1], TEXT + 0x10) ^= 1;
    *byte_at(&img[2], TEXT + 0x10) ^= 2;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_probe(&plan, 0, TEXT + 0x10, FP_PROBE_MIN);

    uint8_t *b = probe_bytes(&plan, &ims, 2);
    size_t cand = 999;
    assert_int_equal(fp_plan_match(&plan, b, plan.nbytes - 1, &cand, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected 16 bytes, got 15");
    assert_int_equal(cand, 999);

    b[5] ^= 0xff;   /* one byte corrupted: candidate 2 is still the closest */
    assert_int_equal(fp_plan_match(&plan, b, plan.nbytes, &cand, msg, sizeof msg), -1);
    assert_int_equal(cand, 2);
    assert_string_equal(msg, "no candidate matches; closest is candidate 2, 1 of 16 bytes "
                             "differ, the first at 0x10015");
    b[5] ^= 0xff;   /* one byte from each: the lowest number is the closest */
    b[0] = (uint8_t)(*byte_at(&img[0], TEXT + 0x10) ^ 3);
    assert_int_equal(fp_plan_match(&plan, b, plan.nbytes, &cand, msg, sizeof msg), -1);
    assert_int_equal(cand, 0);
    assert_string_equal(msg, "no candidate matches; closest is candidate 0, 1 of 16 bytes "
                             "differ, the first at 0x10010");
    /* No message buffer, or a small one. */
    assert_int_equal(fp_plan_match(&plan, b, plan.nbytes, &cand, NULL, 0), -1);
    char small[12];
    assert_int_equal(fp_plan_match(&plan, b, plan.nbytes, &cand, small, sizeof small), -1);
    assert_string_equal(small, "no candidat");
    free(b);
    fp_plan_free(&plan);
    free_images(&ims);
}

/* ------------------------------------------------------------ the demo's programs */

/* ELF64 little-endian header and program header fields (System V gABI). */
#define E_ENTRY     24
#define E_PHOFF     32
#define E_PHENTSIZE 54
#define E_PHNUM     56
#define P_FLAGS     4
#define P_OFFSET    8
#define P_VADDR     16
#define P_FILESZ    32
#define P_MEMSZ     40
#define PT_LOAD     1

/* Loads an ELF64 file's PT_LOAD segments as `make os` builds them: file
 * bytes then zeros up to p_memsz. */
static void load_elf(const char *path, struct image *im)
{
    struct blob f;
    if (read_file(path, &f) != 0)
        fail_msg("%s: cannot read (run `make os` first)", path);
    assert_true(f.size >= 64 && memcmp(f.data, "\x7f" "ELF\x02\x01", 6) == 0);
    memset(im, 0, sizeof *im);
    im->entry = get_le(f.data + E_ENTRY, 8);
    uint64_t phoff = get_le(f.data + E_PHOFF, 8);
    unsigned phentsize = (unsigned)get_le(f.data + E_PHENTSIZE, 2);
    unsigned phnum = (unsigned)get_le(f.data + E_PHNUM, 2);
    assert_true(phoff + (uint64_t)phnum * phentsize <= f.size);
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = f.data + phoff + (uint64_t)i * phentsize;
        uint64_t off = get_le(ph + P_OFFSET, 8), filesz = get_le(ph + P_FILESZ, 8);
        uint64_t memsz = get_le(ph + P_MEMSZ, 8);
        if (get_le(ph, 4) != PT_LOAD)
            continue;
        assert_true(filesz <= memsz && off + filesz <= f.size);
        uint8_t *d = add_seg(im, get_le(ph + P_VADDR, 8), memsz, (uint32_t)get_le(ph + P_FLAGS, 4), 0);
        memset(d, 0, memsz);
        memcpy(d, f.data + off, filesz);
    }
    free(f.data);
}

/* The user programs next to RSPMUX_TEST_ELF, sorted by name. */
static size_t load_user_elfs(struct image *img, size_t max, char names[][64])
{
    const char *one = getenv("RSPMUX_TEST_ELF");
    char dir[512], pattern[600];
    snprintf(dir, sizeof dir, "%s", one ? one : "build/os/user/compute.elf");
    snprintf(pattern, sizeof pattern, "%s/*.elf", dirname(dir));
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        fail_msg("no %s (run `make os` first)", pattern);
    assert_true(g.gl_pathc >= 2 && g.gl_pathc <= max);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        load_elf(g.gl_pathv[i], &img[i]);
        snprintf(names[i], 64, "%s", strrchr(g.gl_pathv[i], '/') + 1);
    }
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

/* Every program is told apart by one probe near the entry point, is
 * matched by its own bytes, and is not once one of them is corrupted.
 * Planning is deterministic. */
static void test_user_programs(void **state)
{
    (void)state;
    struct image img[16];
    char names[16][64];
    struct images ims = { img, load_user_elfs(img, 15, names), 0 };
    struct fp_plan plan, again;
    char err[ERR_LEN], msg[ERR_LEN];
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    for (size_t i = 0; i < plan.nprobes; i++)
        print_message("probe %zu: 0x%llx, %u bytes\n", i,
                      (unsigned long long)plan.probes[i].vaddr, plan.probes[i].len);
    /* One probe today; if a new program needs a second, the plan says so. */
    assert_true(plan.nprobes >= 1 && plan.nprobes <= 2);
    assert_true(plan.probes[0].vaddr - img[0].entry < 0x100);
    for (size_t c = 0; c < ims.n; c++) {
        if (plan.same_as[c] != c)
            fail_msg("%s: same bytes as %s", names[c], names[plan.same_as[c]]);
        assert_matches(&plan, &ims, c, "");
        uint8_t *b = probe_bytes(&plan, &ims, c);
        b[plan.nbytes - 1] ^= 0x80;
        size_t cand = 999;
        assert_int_equal(fp_plan_match(&plan, b, plan.nbytes, &cand, msg, sizeof msg), -1);
        assert_int_equal(cand, c);
        assert_non_null(strstr(msg, ", 1 of "));
        free(b);
    }
    assert_int_equal(plan_for(&again, &ims, 4, err), 0);
    assert_int_equal(again.nprobes, plan.nprobes);
    assert_memory_equal(again.probes, plan.probes, plan.nprobes * sizeof *plan.probes);
    assert_memory_equal(again.expect, plan.expect, ims.n * plan.nbytes);
    fp_plan_free(&again);
    fp_plan_free(&plan);

    /* The same program twice (say, under two names): a copy. */
    img[ims.n] = img[0];
    for (size_t i = 0; i < img[0].nseg; i++)
        img[ims.n].data[i] = dup_exact(img[0].data[i], img[0].seg[i].size ? img[0].seg[i].size : 1);
    ims.n++;
    assert_int_equal(plan_for(&plan, &ims, 4, err), 0);
    assert_int_equal(plan.same_as[ims.n - 1], 0);
    char want[64];
    snprintf(want, sizeof want, "also matches candidate %zu", ims.n - 1);
    assert_matches(&plan, &ims, 0, want);
    fp_plan_free(&plan);
    free_images(&ims);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_byte_at_end),
        cmocka_unit_test(test_identical_programs),
        cmocka_unit_test(test_nothing_to_tell_apart),
        cmocka_unit_test(test_entry_points),
        cmocka_unit_test(test_text_first_data_never),
        cmocka_unit_test(test_partial_overlap),
        cmocka_unit_test(test_several_probes),
        cmocka_unit_test(test_unusable_candidates),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_match_messages),
        cmocka_unit_test(test_user_programs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
