/* Unit tests for the Sv39 walker and TLB (proxy/sv39.c): page tables built
 * in a host buffer that plays 32 MiB of physical RAM at 0x80000000, walked
 * PTE by PTE as rspmux does over the gdbstub. 4 KiB, 2 MiB and 1 GiB pages,
 * the high half, contiguity across pages, every fault with its exact
 * message, non-canonical VAs, satp modes, bare mode, misuse, and the TLB
 * (hit, miss, keys, replacement, flush, FIFO eviction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sv39.h"

#define RAM_BASE  0x80000000ull
#define RAM_SIZE  (32ull << 20)
#define ROOT      0x80001000ull            /* the first table new_table hands out */
#define SATP      (8ull << 60 | ROOT >> 12)
#define SATP_S    "0x8000000000080001"
#define V         SV39_PTE_V
#define R         SV39_PTE_R
#define W         SV39_PTE_W
#define X         SV39_PTE_X
#define U         SV39_PTE_U
#define G         SV39_PTE_G
#define A         SV39_PTE_A
#define D         SV39_PTE_D
#define PA_PTE(pa) (((uint64_t)(pa) >> 12) << 10)
#define VPN(va, l) (((va) >> (12 + 9 * (l))) & 0x1ff)

/* Simulated physical memory; tables are handed out upwards from ROOT. */
struct ram {
    uint8_t *mem;
    uint64_t next;
};

static int ram_setup(void **state)
{
    struct ram *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->mem = calloc(1, RAM_SIZE);   /* untouched pages cost nothing */
    assert_non_null(r->mem);
    r->next = ROOT;
    *state = r;
    return 0;
}

static int ram_teardown(void **state)
{
    struct ram *r = *state;
    free(r->mem);
    free(r);
    return 0;
}

/* Zeroes every table handed out, so one test can run many cases. */
static void ram_reset(struct ram *r)
{
    memset(r->mem + (ROOT - RAM_BASE), 0, r->next - ROOT);
    r->next = ROOT;
}

static uint64_t ram_read(const struct ram *r, uint64_t pa)
{
    if (pa < RAM_BASE || pa + 8 > RAM_BASE + RAM_SIZE || pa % 8)
        fail_msg("PTE read at 0x%llx, outside RAM or misaligned", (unsigned long long)pa);
    uint64_t v;
    memcpy(&v, r->mem + (pa - RAM_BASE), 8);
    return v;
}

static void ram_write(struct ram *r, uint64_t pa, uint64_t v)
{
    assert_true(pa >= RAM_BASE && pa + 8 <= RAM_BASE + RAM_SIZE && pa % 8 == 0);
    memcpy(r->mem + (pa - RAM_BASE), &v, 8);
}

static uint64_t new_table(struct ram *r)
{
    uint64_t pa = r->next;
    r->next += 4096;
    assert_true(r->next <= RAM_BASE + RAM_SIZE);
    return pa;
}

/* Writes `pte` as the entry for `va` at `level` (2 = root), creating the
 * tables above it as plain non-leaf PTEs. Returns the PTE's address. */
static uint64_t set_pte(struct ram *r, uint64_t va, int level, uint64_t pte)
{
    uint64_t table = ROOT;
    if (r->next == ROOT)
        new_table(r);
    for (int l = 2; l > level; l--) {
        uint64_t at = table + VPN(va, l) * 8;
        uint64_t e = ram_read(r, at);
        if (!(e & V)) {
            e = PA_PTE(new_table(r)) | V;
            ram_write(r, at, e);
        }
        table = (e >> 10) << 12;
    }
    ram_write(r, table + VPN(va, level) * 8, pte);
    return table + VPN(va, level) * 8;
}

static void map(struct ram *r, uint64_t va, uint64_t pa, int level, uint64_t flags)
{
    set_pte(r, va, level, PA_PTE(pa) | flags | V);
}

/* Runs a walk to its end like rspmux, recording each PTE address read. */
struct trace {
    unsigned reads;
    uint64_t pte_pa[3];
};

static enum sv39_status walk(const struct ram *r, uint64_t satp, uint64_t va,
                             struct sv39_walk *w, struct trace *t)
{
    uint64_t pte_pa = 0;
    memset(t, 0, sizeof *t);
    enum sv39_status st = sv39_start(w, satp, va, &pte_pa);
    while (st == SV39_NEED_PTE) {
        if (t->reads == 3)
            fail_msg("walk of 0x%llx asks for a fourth PTE", (unsigned long long)va);
        t->pte_pa[t->reads++] = pte_pa;
        st = sv39_feed(w, ram_read(r, pte_pa), &pte_pa);
    }
    return st;
}

struct want {
    uint64_t pa, contig, page_size;
    unsigned perms;
};

static void assert_done(const struct sv39_walk *w, struct want want)
{
    struct want got;
    assert_int_equal(sv39_result(w, &got.pa, &got.contig, &got.page_size, &got.perms), 0);
    assert_int_equal(got.pa, want.pa);
    assert_int_equal(got.contig, want.contig);
    assert_int_equal(got.page_size, want.page_size);
    assert_int_equal(got.perms, want.perms);
    assert_string_equal(sv39_fault(w), "");
}

/* ------------------------------------------------------------ mappings */

static void test_4k_page(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    map(r, 0x10000, 0x80400000, 0, R | X | U | A);
    assert_int_equal(walk(r, SATP, 0x10123, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80400123, 0x1000 - 0x123, SV39_PAGE_4K, R | X | U });
    assert_int_equal(t.reads, 3);
    assert_int_equal(t.pte_pa[0], ROOT);                       /* VPN[2] = 0 */
    assert_int_equal(t.pte_pa[1], ROOT + 0x1000);              /* VPN[1] = 0 */
    assert_int_equal(t.pte_pa[2], ROOT + 0x2000 + 0x10 * 8);   /* VPN[0] = 0x10 */
}

static void test_2m_page(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    uint64_t va = 5 * SV39_PAGE_2M;
    map(r, va, 0x80600000, 1, R | W | U | D | A);
    assert_int_equal(walk(r, SATP, va + 0x1234, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80601234, SV39_PAGE_2M - 0x1234, SV39_PAGE_2M, R | W | U });
    assert_int_equal(t.reads, 2);
    assert_int_equal(t.pte_pa[1], ROOT + 0x1000 + 5 * 8);
}

/* The kernel's identity map of RAM: a global 1 GiB page. */
static void test_1g_page(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    map(r, RAM_BASE, RAM_BASE, 2, R | W | X | G | A | D);
    assert_int_equal(walk(r, SATP, RAM_BASE + SV39_PAGE_1G - 1, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ RAM_BASE + SV39_PAGE_1G - 1, 1, SV39_PAGE_1G, R | W | X });
    assert_int_equal(t.reads, 1);
    assert_int_equal(t.pte_pa[0], ROOT + 2 * 8);
}

/* The trampoline at the very top: VA bits 63..39 all ones, every VPN 511. */
static void test_high_half(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    map(r, 0xfffffffffffff000, 0x80005000, 0, R | X);
    assert_int_equal(walk(r, SATP, 0xffffffffffffffff, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80005fff, 1, SV39_PAGE_4K, R | X });
    assert_int_equal(t.pte_pa[0], ROOT + 511 * 8);
    assert_int_equal(t.pte_pa[2] & 0xfff, 511 * 8);
    /* The lowest canonical high address and the highest low one. */
    map(r, 0xffffffc000000000, 0x80000000, 2, R);
    assert_int_equal(walk(r, SATP, 0xffffffc000000000, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80000000, SV39_PAGE_1G, SV39_PAGE_1G, R });
    assert_int_equal(t.pte_pa[0], ROOT + 256 * 8);
    map(r, 0x3fc0000000, 0x80000000, 2, R | U);
    assert_int_equal(walk(r, SATP, 0x3fffffffff, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0xbfffffff, 1, SV39_PAGE_1G, R | U });
    assert_int_equal(t.pte_pa[0], ROOT + 255 * 8);
}

/* Two neighbouring VA pages on non-neighbouring frames: each run stops at
 * its page's end; a 2 MiB page runs on across its 4 KiB boundaries. */
static void test_contiguity(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    map(r, 0x10000, 0x80900000, 0, R | U);
    map(r, 0x11000, 0x80700000, 0, R | W | U);
    assert_int_equal(walk(r, SATP, 0x10fff, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80900fff, 1, SV39_PAGE_4K, R | U });
    assert_int_equal(walk(r, SATP, 0x11000, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80700000, 0x1000, SV39_PAGE_4K, R | W | U });
    map(r, 0x200000, 0x80800000, 1, R);
    assert_int_equal(walk(r, SATP, 0x200fff, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0x80800fff, SV39_PAGE_2M - 0xfff, SV39_PAGE_2M, R });
}

/* PPN is bits 53..10, all 44 of them: a 56-bit physical address. G on a
 * non-leaf PTE is allowed, unlike D, A and U. */
static void test_ppn_width_and_global(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    set_pte(r, 0x10000, 0, (((1ull << 44) - 1) << 10) | X | V);
    assert_int_equal(walk(r, SATP, 0x10008, &w, &t), SV39_DONE);
    assert_done(&w, (struct want){ 0xfffffffffff008, 0xff8, SV39_PAGE_4K, X });
    ram_write(r, ROOT, ram_read(r, ROOT) | G);
    assert_int_equal(walk(r, SATP, 0x10008, &w, &t), SV39_DONE);
    /* The satp's ASID bits do not move the root. */
    assert_int_equal(walk(r, SATP | 0xffffull << 44, 0x10008, &w, &t), SV39_DONE);
    assert_int_equal(t.pte_pa[0], ROOT);
}

static void test_bare(void **state)
{
    (void)state;
    struct sv39_walk w;
    uint64_t pte_pa = 0xdead;
    assert_int_equal(sv39_start(&w, 0, 0x80001234, &pte_pa), SV39_DONE);
    assert_done(&w, (struct want){ 0x80001234, 0xdcc, SV39_PAGE_4K, R | W | X | U });
    assert_int_equal(pte_pa, 0xdead);
    /* No canonical-address rule without translation. */
    assert_int_equal(sv39_start(&w, 0, 0xffff000012345678, &pte_pa), SV39_DONE);
    assert_done(&w, (struct want){ 0xffff000012345678, 0x1000 - 0x678, SV39_PAGE_4K,
                                   R | W | X | U });
}

/* ------------------------------------------------------------ faults */

/* One PTE written for `va` at `level` (the levels above valid non-leaf),
 * and the exact message the walk ends with. */
struct pte_case {
    const char *name;
    uint64_t va;
    int level;
    uint64_t pte;
    const char *msg;
};

static const struct pte_case pte_cases[] = {
    { "root all zero", 0x10000, 2, 0,
      "0x10000: invalid PTE 0x0 at level 2 (satp " SATP_S ")" },
    { "V clear at level 1", 0x10000, 1, PA_PTE(0x80100000) | R | W | X,
      "0x10000: invalid PTE 0x2004000e at level 1 (satp " SATP_S ")" },
    { "V clear at level 0", 0x10000, 0, 0,
      "0x10000: invalid PTE 0x0 at level 0 (satp " SATP_S ")" },
    { "V clear beats reserved bits", 0x10000, 0, 1ull << 54,
      "0x10000: invalid PTE 0x40000000000000 at level 0 (satp " SATP_S ")" },
    { "bit 54 set on a leaf", 0x10000, 0, 1ull << 54 | PA_PTE(0x80100000) | R | V,
      "0x10000: reserved-bit PTE 0x40000020040003 at level 0 (satp " SATP_S ")" },
    { "N (Svnapot) on a leaf", 0x10000, 0, 1ull << 63 | PA_PTE(0x80100000) | R | V,
      "0x10000: reserved-bit PTE 0x8000000020040003 at level 0 (satp " SATP_S ")" },
    { "PBMT (Svpbmt) on a leaf", 0x200000, 1, 1ull << 61 | PA_PTE(0x80200000) | R | V,
      "0x200000: reserved-bit PTE 0x2000000020080003 at level 1 (satp " SATP_S ")" },
    { "bit 60 on a non-leaf", 0x10000, 2, 1ull << 60 | PA_PTE(0x80100000) | V,
      "0x10000: reserved-bit PTE 0x1000000020040001 at level 2 (satp " SATP_S ")" },
    { "W without R", 0x10000, 0, PA_PTE(0x80100000) | W | V,
      "0x10000: write-only PTE 0x20040005 at level 0 (satp " SATP_S ")" },
    { "W and X without R", 0x200000, 1, PA_PTE(0x80200000) | W | X | V,
      "0x200000: write-only PTE 0x2008000d at level 1 (satp " SATP_S ")" },
    { "A on a non-leaf", 0x10000, 2, PA_PTE(0x80100000) | A | V,
      "0x10000: reserved-bit PTE 0x20040041 at level 2 (satp " SATP_S ")" },
    { "D on a non-leaf", 0x10000, 1, PA_PTE(0x80100000) | D | V,
      "0x10000: reserved-bit PTE 0x20040081 at level 1 (satp " SATP_S ")" },
    { "U on a non-leaf", 0x10000, 1, PA_PTE(0x80100000) | U | V,
      "0x10000: reserved-bit PTE 0x20040011 at level 1 (satp " SATP_S ")" },
    { "non-leaf at level 0", 0x10000, 0, PA_PTE(0x80100000) | V,
      "0x10000: non-leaf PTE 0x20040001 at level 0 (satp " SATP_S ")" },
    { "1 GiB page on a 2 MiB boundary", 0x40000000, 2, PA_PTE(0x80200000) | R | V,
      "0x40000000: misaligned superpage PTE 0x20080003 at level 2 (satp " SATP_S ")" },
    { "1 GiB page off by one frame", 0x40000000, 2, PA_PTE(0xc0001000) | X | V,
      "0x40000000: misaligned superpage PTE 0x30000409 at level 2 (satp " SATP_S ")" },
    { "2 MiB page on a 4 KiB boundary", 0x200000, 1, PA_PTE(0x80201000) | R | W | V,
      "0x200000: misaligned superpage PTE 0x20080407 at level 1 (satp " SATP_S ")" },
};

static void test_pte_faults(void **state)
{
    struct ram *r = *state;
    for (size_t i = 0; i < sizeof pte_cases / sizeof pte_cases[0]; i++) {
        const struct pte_case *c = &pte_cases[i];
        struct sv39_walk w;
        struct trace t;
        ram_reset(r);
        set_pte(r, c->va, c->level, c->pte);
        enum sv39_status st = walk(r, SATP, c->va, &w, &t);
        if (st != SV39_FAULT || strcmp(sv39_fault(&w), c->msg) != 0)
            fail_msg("%s: status %d, \"%s\"\n  want \"%s\"", c->name, st, sv39_fault(&w), c->msg);
        assert_int_equal(t.reads, 3 - c->level);
        assert_int_equal(sv39_result(&w, NULL, NULL, NULL, NULL), -1);
    }
}

/* The brief's own example: a root page table that is all zeros. */
static void test_fault_example(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    assert_int_equal(walk(r, 0x8000000000081234, 0x10000, &w, &t), SV39_FAULT);
    assert_string_equal(sv39_fault(&w),
                        "0x10000: invalid PTE 0x0 at level 2 (satp 0x8000000000081234)");
    assert_int_equal(t.pte_pa[0], 0x81234000);
}

/* Faults found before any PTE is read. */
struct start_case {
    uint64_t satp, va;
    const char *msg;
};

static const struct start_case start_cases[] = {
    { SATP, 0x4000000000, "0x4000000000: address not canonical for Sv39" },
    { SATP, 0xffffffbfffffffff, "0xffffffbfffffffff: address not canonical for Sv39" },
    { SATP, 0x8000000000000000, "0x8000000000000000: address not canonical for Sv39" },
    { SATP, 0x0000800000000000, "0x800000000000: address not canonical for Sv39" },
    { 9ull << 60 | 0x81234, 0x10000, "0x10000: satp mode 9 (Sv48) not supported" },
    { 10ull << 60, 0x10000, "0x10000: satp mode 10 (Sv57) not supported" },
    { 11ull << 60, 0x10000, "0x10000: satp mode 11 (Sv64) not supported" },
    { 1ull << 60, 0x10000, "0x10000: satp mode 1 (reserved) not supported" },
    { 13ull << 60, 0x10000, "0x10000: satp mode 13 (reserved) not supported" },
    { 15ull << 60, 0x10000, "0x10000: satp mode 15 (custom) not supported" },
    /* The mode decides what canonical means, so it is checked first. */
    { 9ull << 60, 0x4000000000, "0x4000000000: satp mode 9 (Sv48) not supported" },
};

static void test_start_faults(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof start_cases / sizeof start_cases[0]; i++) {
        const struct start_case *c = &start_cases[i];
        struct sv39_walk w;
        uint64_t pte_pa = 0xdead;
        enum sv39_status st = sv39_start(&w, c->satp, c->va, &pte_pa);
        if (st != SV39_FAULT || strcmp(sv39_fault(&w), c->msg) != 0)
            fail_msg("case %zu: status %d, \"%s\"\n  want \"%s\"", i, st, sv39_fault(&w), c->msg);
        assert_int_equal(pte_pa, 0xdead);
    }
}

/* Feeding a walk that asked for nothing: never started, done, or faulted. */
static void test_misuse(void **state)
{
    struct ram *r = *state;
    struct sv39_walk w;
    struct trace t;
    uint64_t pte_pa = 0;
    memset(&w, 0, sizeof w);
    assert_int_equal(sv39_result(&w, NULL, NULL, NULL, NULL), -1);
    assert_string_equal(sv39_fault(&w), "");
    assert_int_equal(sv39_feed(&w, 0, &pte_pa), SV39_FAULT);
    assert_string_equal(sv39_fault(&w), "0x0: no PTE was asked for");

    map(r, 0x10000, 0x80400000, 0, R);
    assert_int_equal(walk(r, SATP, 0x10000, &w, &t), SV39_DONE);
    assert_int_equal(sv39_feed(&w, 0, &pte_pa), SV39_FAULT);
    assert_string_equal(sv39_fault(&w), "0x10000: no PTE was asked for");
    assert_int_equal(sv39_result(&w, NULL, NULL, NULL, NULL), -1);

    assert_int_equal(sv39_start(&w, SATP, 1ull << 38, &pte_pa), SV39_FAULT);
    assert_int_equal(sv39_feed(&w, 0, &pte_pa), SV39_FAULT);
    assert_string_equal(sv39_fault(&w), "0x4000000000: no PTE was asked for");

    /* Waiting for a PTE: neither result nor fault yet. */
    assert_int_equal(sv39_start(&w, SATP, 0x10000, &pte_pa), SV39_NEED_PTE);
    assert_int_equal(sv39_result(&w, NULL, NULL, NULL, NULL), -1);
    assert_string_equal(sv39_fault(&w), "");
    /* A walk is plain data: a copy carries on where the original was. */
    struct sv39_walk copy = w;
    assert_int_equal(sv39_feed(&copy, ram_read(r, pte_pa), &pte_pa), SV39_NEED_PTE);
    assert_int_equal(pte_pa, ROOT + 0x1000);
}

/* ------------------------------------------------------------ TLB */

static void assert_hit(const struct sv39_tlb *t, uint64_t satp, uint64_t va, struct want want)
{
    struct want got;
    if (sv39_tlb_lookup(t, satp, va, &got.pa, &got.contig, &got.page_size, &got.perms) != 0)
        fail_msg("TLB miss for 0x%llx", (unsigned long long)va);
    assert_int_equal(got.pa, want.pa);
    assert_int_equal(got.contig, want.contig);
    assert_int_equal(got.page_size, want.page_size);
    assert_int_equal(got.perms, want.perms);
}

static void test_tlb_hit_miss_flush(void **state)
{
    (void)state;
    struct sv39_tlb t;
    sv39_tlb_flush(&t);
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x10000, NULL, NULL, NULL, NULL), -1);
    sv39_tlb_insert(&t, SATP, 0x10123, 0x80400123, SV39_PAGE_4K, R | X | U);
    assert_hit(&t, SATP, 0x10ff0, (struct want){ 0x80400ff0, 0x10, SV39_PAGE_4K, R | X | U });
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x10000, NULL, NULL, NULL, NULL), 0);
    /* Neighbour page, and the same page in another space or ASID: misses. */
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x11000, NULL, NULL, NULL, NULL), -1);
    assert_int_equal(sv39_tlb_lookup(&t, SATP + 1, 0x10000, NULL, NULL, NULL, NULL), -1);
    assert_int_equal(sv39_tlb_lookup(&t, SATP | 1ull << 44, 0x10000, NULL, NULL, NULL, NULL), -1);
    /* A superpage answers for every 4 KiB page inside it. */
    sv39_tlb_insert(&t, SATP, 0x80000000, 0x80000000, SV39_PAGE_1G, R | W | X);
    assert_hit(&t, SATP, 0xbffff000, (struct want){ 0xbffff000, 0x1000, SV39_PAGE_1G, R | W | X });
    sv39_tlb_flush(&t);
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x10000, NULL, NULL, NULL, NULL), -1);
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x80000000, NULL, NULL, NULL, NULL), -1);
    /* Zeroed memory is an empty TLB too. */
    struct sv39_tlb z;
    memset(&z, 0, sizeof z);
    assert_int_equal(sv39_tlb_lookup(&z, 0, 0, NULL, NULL, NULL, NULL), -1);
}

/* A page cached again takes its old slot; SV39_TLB_SIZE + 1 distinct pages
 * push out the first one in, and only it. */
static void test_tlb_eviction(void **state)
{
    (void)state;
    struct sv39_tlb t;
    sv39_tlb_flush(&t);
    sv39_tlb_insert(&t, SATP, 0x10000, 0x80400000, SV39_PAGE_4K, R);
    sv39_tlb_insert(&t, SATP, 0x10000, 0x80500000, SV39_PAGE_4K, R | W);
    assert_hit(&t, SATP, 0x10000, (struct want){ 0x80500000, 0x1000, SV39_PAGE_4K, R | W });
    for (uint64_t i = 1; i < SV39_TLB_SIZE; i++)
        sv39_tlb_insert(&t, SATP, 0x10000 + i * 0x1000, 0x80400000 + i * 0x1000, SV39_PAGE_4K, R);
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x10000, NULL, NULL, NULL, NULL), 0);
    sv39_tlb_insert(&t, SATP, 0x10000 + SV39_TLB_SIZE * 0x1000, 0x80000000, SV39_PAGE_4K, R);
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x10000, NULL, NULL, NULL, NULL), -1);
    for (uint64_t i = 1; i <= SV39_TLB_SIZE; i++)
        assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x10000 + i * 0x1000, NULL, NULL, NULL, NULL), 0);
}

/* What rspmux does: look up, walk on a miss, cache what the walk found. */
static void test_tlb_with_walker(void **state)
{
    struct ram *r = *state;
    struct sv39_tlb t;
    struct sv39_walk w;
    struct trace tr;
    struct want want;
    sv39_tlb_flush(&t);
    map(r, 0x200000, 0x80600000, 1, R | W | U);
    assert_int_equal(sv39_tlb_lookup(&t, SATP, 0x200010, NULL, NULL, NULL, NULL), -1);
    assert_int_equal(walk(r, SATP, 0x200010, &w, &tr), SV39_DONE);
    assert_int_equal(sv39_result(&w, &want.pa, &want.contig, &want.page_size, &want.perms), 0);
    sv39_tlb_insert(&t, SATP, 0x200010, want.pa, want.page_size, want.perms);
    assert_hit(&t, SATP, 0x200010, want);
    assert_hit(&t, SATP, 0x3fffff, (struct want){ 0x807fffff, 1, SV39_PAGE_2M, R | W | U });
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ram_setup, ram_teardown)
    const struct CMUnitTest tests[] = {
        T(test_4k_page),
        T(test_2m_page),
        T(test_1g_page),
        T(test_high_half),
        T(test_contiguity),
        T(test_ppn_width_and_global),
        T(test_bare),
        T(test_pte_faults),
        T(test_fault_example),
        T(test_start_faults),
        T(test_misuse),
        T(test_tlb_hit_miss_flush),
        T(test_tlb_eviction),
        T(test_tlb_with_walker),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
