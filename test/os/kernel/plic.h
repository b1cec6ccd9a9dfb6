/* The platform-level interrupt controller, as seen from hart 0 in S-mode. */
#ifndef OS_PLIC_H
#define OS_PLIC_H

void plic_init(void);
/* Returns the pending interrupt's number (0 if none) and claims it. */
unsigned plic_claim(void);
void plic_complete(unsigned irq);

#endif
