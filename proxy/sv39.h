/* RISC-V Sv39 address translation, one page-table entry at a time, and a
 * small translation cache: pure code over PTEs the caller reads, because each
 * PTE read is an asynchronous round trip to QEMU's gdbstub. */
#ifndef MUX_SV39_H
#define MUX_SV39_H

#include <stddef.h>
#include <stdint.h>

/* PTE bits (privileged spec, "Sv39"); the permissions reported by
 * sv39_result and kept by the TLB use the same values. */
#define SV39_PTE_V (1u << 0)
#define SV39_PTE_R (1u << 1)
#define SV39_PTE_W (1u << 2)
#define SV39_PTE_X (1u << 3)
#define SV39_PTE_U (1u << 4)
#define SV39_PTE_G (1u << 5)
#define SV39_PTE_A (1u << 6)
#define SV39_PTE_D (1u << 7)
#define SV39_PERMS (SV39_PTE_R | SV39_PTE_W | SV39_PTE_X | SV39_PTE_U)

#define SV39_PAGE_4K   (1ull << 12)
#define SV39_PAGE_2M   (1ull << 21)
#define SV39_PAGE_1G   (1ull << 30)
#define SV39_MSG_MAX   128           /* longest fault message, with its NUL */

enum sv39_status {
    SV39_DONE = 1,   /* translated: see sv39_result (1: a zeroed walk is not done) */
    SV39_NEED_PTE,   /* read the 8-byte PTE at *pte_pa, then call sv39_feed */
    SV39_FAULT,      /* no translation: see sv39_fault */
};

/* One translation in progress. Public only so that callers can embed it
 * (in a pending request, say); the members are private to sv39.c. */
struct sv39_walk {
    uint64_t satp;
    uint64_t va;
    uint64_t table;        /* physical address of the table being read */
    int level;             /* 2 (root) .. 0; -1 once done or faulted */
    enum sv39_status status;   /* the last return; 0 before sv39_start */
    uint64_t pa;           /* after SV39_DONE */
    uint64_t page_size;
    unsigned perms;
    char msg[SV39_MSG_MAX];
};

/* Starts translating `va` under `satp`, as the hart would for a load but
 * without the permission checks (a debugger reads what the hart may not) and
 * leaving A/D alone: the result carries the leaf's R/W/X/U bits instead.
 *
 *   satp MODE 8 (Sv39): VA bits 63..39 must equal bit 38, else a fault;
 *                       *pte_pa = the root PTE to read.
 *   satp MODE 0 (Bare): pa = va at once, reported as a 4 KiB page with
 *                       R/W/X/U (no pages exist; 4 KiB keeps callers simple).
 *   any other MODE:     a fault ("satp mode 9 (Sv48) not supported").
 *
 * Returns SV39_DONE, SV39_NEED_PTE (with *pte_pa set), or SV39_FAULT. The
 * walk holds no pointers: it may be copied, and needs no cleanup. */
enum sv39_status sv39_start(struct sv39_walk *w, uint64_t satp, uint64_t va, uint64_t *pte_pa);

/* Feeds the PTE read at the last *pte_pa (as a little-endian 64-bit value).
 * Same returns as sv39_start. Follows the spec's walk (privileged ISA,
 * "Virtual Address Translation Process") on a hart without Svnapot or Svpbmt,
 * as QEMU's default CPU is; each fault names the VA and,
 * for a PTE, its value, level (2 = root) and the satp:
 *   V=0                                   "invalid PTE"
 *   bits 63..54 set (reserved)            "reserved-bit PTE"
 *   W=1 with R=0 (reserved encoding)      "write-only PTE"
 *   non-leaf with D, A or U set (reserved) "reserved-bit PTE"
 *   non-leaf at level 0                   "non-leaf PTE"
 *   superpage PPN not aligned to its size "misaligned superpage PTE"
 * e.g. "0x10000: invalid PTE 0x0 at level 2 (satp 0x8000000000081234)".
 * A leaf is a PTE with R or X set. Feeding a walk that is not waiting for a
 * PTE is a fault too ("no PTE was asked for"). */
enum sv39_status sv39_feed(struct sv39_walk *w, uint64_t pte, uint64_t *pte_pa);

/* After SV39_DONE: the physical address of the VA, the bytes from it to the
 * end of its page (so [pa, pa + *contig) is one physical run), the page size
 * (4 KiB, 2 MiB or 1 GiB) and the leaf's R/W/X/U bits. Any pointer may be
 * NULL. Returns 0, or -1 with nothing written if the walk is not done. */
int sv39_result(const struct sv39_walk *w, uint64_t *pa, uint64_t *contig,
                uint64_t *page_size, unsigned *perms);

/* After SV39_FAULT: the reason, starting with the VA; "" otherwise. Valid
 * until the walk is started again. */
const char *sv39_fault(const struct sv39_walk *w);

/* ------------------------------------------------------------ TLB */

#define SV39_TLB_SIZE 64

struct sv39_tlb_entry {
    uint64_t satp;         /* the whole satp, so the ASID and root are both keys */
    uint64_t va_page;      /* va with its page offset cleared */
    uint64_t pa_page;
    uint64_t page_size;    /* 0: an empty slot */
    unsigned perms;
};

/* A fully associative cache of translations, replaced first in first out.
 * Public so callers can embed it; the members are private. It knows nothing
 * of the guest: the caller must flush it whenever the guest may have changed
 * a page table (every time it runs). Zeroed memory is an empty TLB. */
struct sv39_tlb {
    struct sv39_tlb_entry e[SV39_TLB_SIZE];
    unsigned next;         /* the slot the next insert replaces */
};

/* Empties the TLB (also initialises it). */
void sv39_tlb_flush(struct sv39_tlb *t);

/* Caches the translation of the page holding `va` under `satp`: pa is that
 * of va itself, page_size a power of two >= 4 KiB (sv39_result's). A new
 * translation of a cached page replaces the old one. */
void sv39_tlb_insert(struct sv39_tlb *t, uint64_t satp, uint64_t va, uint64_t pa,
                     uint64_t page_size, unsigned perms);

/* Looks `va` up under `satp`. Returns 0 with sv39_result's values (pointers
 * may be NULL), or -1 on a miss with nothing written. */
int sv39_tlb_lookup(const struct sv39_tlb *t, uint64_t satp, uint64_t va, uint64_t *pa,
                    uint64_t *contig, uint64_t *page_size, unsigned *perms);

#endif
