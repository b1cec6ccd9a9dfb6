/* The platform-level interrupt controller, as seen from hart 0 in S-mode. */
#include "plic.h"

#include <stdint.h>

#include "memlayout.h"

/* Context 1 is hart 0's S-mode (context 0 is its M-mode). */
#define PLIC_PRIORITY(irq)  (PLIC_BASE + 4UL * (irq))
#define PLIC_SENABLE        (PLIC_BASE + 0x2000UL + 0x80UL * 1)
#define PLIC_STHRESHOLD     (PLIC_BASE + 0x200000UL + 0x1000UL * 1)
#define PLIC_SCLAIM         (PLIC_STHRESHOLD + 4)

static inline volatile uint32_t *reg(uint64_t addr)
{
    return (volatile uint32_t *)addr;
}

void plic_init(void)
{
    *reg(PLIC_PRIORITY(UART0_IRQ)) = 1;
    *reg(PLIC_SENABLE) = 1U << UART0_IRQ;
    *reg(PLIC_STHRESHOLD) = 0;
}

unsigned plic_claim(void)
{
    return *reg(PLIC_SCLAIM);
}

void plic_complete(unsigned irq)
{
    *reg(PLIC_SCLAIM) = irq;
}
