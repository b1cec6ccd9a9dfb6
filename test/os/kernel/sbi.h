/* Calls into the SBI firmware (OpenSBI) below the kernel. */
#ifndef OS_SBI_H
#define OS_SBI_H

#include <stdint.h>

/* Programs the next timer interrupt at absolute time `stime_value` (ticks). */
void sbi_set_timer(uint64_t stime_value);

/* Powers the machine off. A non-zero status is reported as a failure, which
 * QEMU turns into its own exit status: status & 0xff, or 1 if that is 0.
 * Never returns. */
__attribute__((noreturn)) void sbi_shutdown(int status);

#endif
