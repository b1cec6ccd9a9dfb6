/* RISC-V privileged-architecture definitions: CSRs, Sv39 page-table entries. */
#ifndef OS_RISCV_H
#define OS_RISCV_H

#include <stdint.h>

/* sstatus */
#define SSTATUS_SIE  (1UL << 1)   /* S-mode interrupts enabled */
#define SSTATUS_SPIE (1UL << 5)   /* SIE before the trap; restored by sret */
#define SSTATUS_SPP  (1UL << 8)   /* privilege before the trap: 1 = S, 0 = U */

/* sie / sip */
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

/* scause */
#define SCAUSE_INTERRUPT        (1UL << 63)
#define IRQ_S_SOFT              1
#define IRQ_S_TIMER             5
#define IRQ_S_EXTERNAL          9
#define EXC_INSN_MISALIGNED     0
#define EXC_INSN_ACCESS         1
#define EXC_ILLEGAL_INSN        2
#define EXC_BREAKPOINT          3
#define EXC_LOAD_MISALIGNED     4
#define EXC_LOAD_ACCESS         5
#define EXC_STORE_MISALIGNED    6
#define EXC_STORE_ACCESS        7
#define EXC_ECALL_U             8
#define EXC_INSN_PAGE_FAULT     12
#define EXC_LOAD_PAGE_FAULT     13
#define EXC_STORE_PAGE_FAULT    15

#define csr_read(csr)                                          \
    ({                                                         \
        uint64_t v_;                                           \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));         \
        v_;                                                    \
    })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(val)))
#define csr_set(csr, bits)  __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(bits)))
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(bits)))

static inline void sfence_vma(void)
{
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void intr_on(void)  { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }

static inline uint64_t read_time(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

/* Sv39: three levels of 512 entries, 4 KiB pages, 39-bit virtual addresses. */
#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12
#define PG_ROUND_UP(a)   (((a) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PG_ROUND_DOWN(a) ((a) & ~(PAGE_SIZE - 1))

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)

#define PTE_TO_PA(pte)   (((pte) >> 10) << 12)
#define PA_TO_PTE(pa)    ((((uint64_t)(pa)) >> 12) << 10)
#define VPN(va, level)   ((((uint64_t)(va)) >> (12 + 9 * (level))) & 0x1ff)

#define SATP_SV39        (8UL << 60)
#define MAKE_SATP(root)  (SATP_SV39 | (((uint64_t)(root)) >> 12))
#define SATP_TO_ROOT(s)  (((s) & ((1UL << 44) - 1)) << 12)

typedef uint64_t pte_t;
typedef pte_t *pagetable_t; /* 512 PTEs */

#endif
