/* RISC-V Sv39 address translation, one page-table entry at a time, and a
 * small translation cache. */
#include "sv39.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SATP_MODE(s)    ((unsigned)((s) >> 60))
#define SATP_PPN(s)     ((s) & ((1ull << 44) - 1))
#define MODE_BARE       0
#define MODE_SV39       8
#define PTE_PPN(p)      (((p) >> 10) & ((1ull << 44) - 1))   /* bits 53..10 */
#define PTE_RESERVED    (~0ull << 54)                        /* N, PBMT, bits 60..54 */
#define VPN(va, level)  (((va) >> (12 + 9 * (level))) & 0x1ff)

static const char *mode_name(unsigned mode)
{
    static const char *const names[16] = {
        [0] = "Bare", [8] = "Sv39", [9] = "Sv48", [10] = "Sv57", [11] = "Sv64",
        [14] = "custom", [15] = "custom",
    };
    return names[mode] ? names[mode] : "reserved";
}

static enum sv39_status fault(struct sv39_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum sv39_status fault(struct sv39_walk *w, const char *fmt, ...)
{
    int n = snprintf(w->msg, sizeof w->msg, "0x%" PRIx64 ": ", w->va);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg + n, sizeof w->msg - (size_t)n, fmt, ap);
    va_end(ap);
    w->level = -1;
    w->status = SV39_FAULT;
    return SV39_FAULT;
}

/* Every PTE fault reads the same way, so that logs line up. */
static enum sv39_status pte_fault(struct sv39_walk *w, uint64_t pte, const char *what)
{
    return fault(w, "%s PTE 0x%" PRIx64 " at level %d (satp 0x%" PRIx64 ")",
                 what, pte, w->level, w->satp);
}

static enum sv39_status done(struct sv39_walk *w, uint64_t pa, uint64_t page_size,
                             unsigned perms)
{
    w->pa = pa;
    w->page_size = page_size;
    w->perms = perms;
    w->level = -1;
    w->status = SV39_DONE;
    return SV39_DONE;
}

static enum sv39_status need(struct sv39_walk *w, uint64_t *pte_pa)
{
    *pte_pa = w->table + VPN(w->va, w->level) * 8;
    w->status = SV39_NEED_PTE;
    return SV39_NEED_PTE;
}

/* Bits 63..39 all equal to bit 38: shifting the top 25 bits plus bit 38 down
 * leaves all zeros or all ones. */
static int canonical(uint64_t va)
{
    uint64_t top = va >> 38;
    return top == 0 || top == (1ull << 26) - 1;
}

enum sv39_status sv39_start(struct sv39_walk *w, uint64_t satp, uint64_t va, uint64_t *pte_pa)
{
    memset(w, 0, sizeof *w);
    w->satp = satp;
    w->va = va;
    w->level = -1;
    unsigned mode = SATP_MODE(satp);
    if (mode == MODE_BARE)
        return done(w, va, SV39_PAGE_4K, SV39_PERMS);
    if (mode != MODE_SV39)
        return fault(w, "satp mode %u (%s) not supported", mode, mode_name(mode));
    if (!canonical(va))
        return fault(w, "address not canonical for Sv39");
    w->table = SATP_PPN(satp) << 12;
    w->level = 2;
    return need(w, pte_pa);
}

/* A leaf at `level` maps 4 KiB << 9*level; its PPN's low 9*level bits must
 * be zero, and the VA supplies them instead. */
static enum sv39_status leaf(struct sv39_walk *w, uint64_t pte)
{
    uint64_t size = SV39_PAGE_4K << (9 * w->level);
    uint64_t base = PTE_PPN(pte) << 12;
    if (base & (size - 1))
        return pte_fault(w, pte, "misaligned superpage");
    return done(w, base | (w->va & (size - 1)), size, (unsigned)pte & SV39_PERMS);
}

enum sv39_status sv39_feed(struct sv39_walk *w, uint64_t pte, uint64_t *pte_pa)
{
    if (w->status != SV39_NEED_PTE)
        return fault(w, "no PTE was asked for");
    if (!(pte & SV39_PTE_V))
        return pte_fault(w, pte, "invalid");
    if (pte & PTE_RESERVED)
        return pte_fault(w, pte, "reserved-bit");
    if ((pte & (SV39_PTE_R | SV39_PTE_W)) == SV39_PTE_W)
        return pte_fault(w, pte, "write-only");
    if (pte & (SV39_PTE_R | SV39_PTE_X))
        return leaf(w, pte);
    if (pte & (SV39_PTE_D | SV39_PTE_A | SV39_PTE_U))
        return pte_fault(w, pte, "reserved-bit");
    if (w->level == 0)
        return pte_fault(w, pte, "non-leaf");
    w->table = PTE_PPN(pte) << 12;
    w->level--;
    return need(w, pte_pa);
}

int sv39_result(const struct sv39_walk *w, uint64_t *pa, uint64_t *contig,
                uint64_t *page_size, unsigned *perms)
{
    if (w->status != SV39_DONE)
        return -1;
    if (pa)
        *pa = w->pa;
    if (contig)
        *contig = w->page_size - (w->pa & (w->page_size - 1));
    if (page_size)
        *page_size = w->page_size;
    if (perms)
        *perms = w->perms;
    return 0;
}

const char *sv39_fault(const struct sv39_walk *w)
{
    return w->status == SV39_FAULT ? w->msg : "";
}

/* ------------------------------------------------------------ TLB */

void sv39_tlb_flush(struct sv39_tlb *t)
{
    memset(t, 0, sizeof *t);
}

static int tlb_hit(const struct sv39_tlb_entry *e, uint64_t satp, uint64_t va)
{
    return e->page_size && e->satp == satp && e->va_page == (va & ~(e->page_size - 1));
}

void sv39_tlb_insert(struct sv39_tlb *t, uint64_t satp, uint64_t va, uint64_t pa,
                     uint64_t page_size, unsigned perms)
{
    struct sv39_tlb_entry *slot = NULL;
    for (unsigned i = 0; i < SV39_TLB_SIZE && !slot; i++)
        if (tlb_hit(&t->e[i], satp, va) && t->e[i].page_size == page_size)
            slot = &t->e[i];
    if (!slot) {
        slot = &t->e[t->next];
        t->next = (t->next + 1) % SV39_TLB_SIZE;
    }
    *slot = (struct sv39_tlb_entry){
        .satp = satp,
        .va_page = va & ~(page_size - 1),
        .pa_page = pa & ~(page_size - 1),
        .page_size = page_size,
        .perms = perms,
    };
}

int sv39_tlb_lookup(const struct sv39_tlb *t, uint64_t satp, uint64_t va, uint64_t *pa,
                    uint64_t *contig, uint64_t *page_size, unsigned *perms)
{
    for (unsigned i = 0; i < SV39_TLB_SIZE; i++) {
        const struct sv39_tlb_entry *e = &t->e[i];
        if (!tlb_hit(e, satp, va))
            continue;
        uint64_t off = va & (e->page_size - 1);
        if (pa)
            *pa = e->pa_page | off;
        if (contig)
            *contig = e->page_size - off;
        if (page_size)
            *page_size = e->page_size;
        if (perms)
            *perms = e->perms;
        return 0;
    }
    return -1;
}
