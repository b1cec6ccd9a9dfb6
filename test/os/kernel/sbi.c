/* Calls into the SBI firmware (TIME and SRST extensions of SBI v0.2+). */
#include "sbi.h"

#include "memlayout.h"

#define SBI_EXT_TIME 0x54494D45  /* "TIME" */
#define SBI_EXT_SRST 0x53525354  /* "SRST" */
#define SRST_TYPE_SHUTDOWN   0
#define SRST_REASON_NONE     0
#define SRST_REASON_FAILURE  1

struct sbiret {
    long error;
    long value;
};

static struct sbiret sbi_call(long ext, long fid, long a0, long a1)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a6 __asm__("a6") = fid;
    register long r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbiret){ r_a0, r_a1 };
}

void sbi_set_timer(uint64_t stime_value)
{
    sbi_call(SBI_EXT_TIME, 0, (long)stime_value, 0);
}

void sbi_shutdown(int status)
{
    if (status != 0) {
        /* SRST carries only "failure", not a number. QEMU's virt machine has a
         * SiFive test finisher whose FAIL command carries the exit status, so
         * on failure use it first; SRST below is the portable fallback. */
        volatile uint32_t *finisher = (volatile uint32_t *)VIRT_TEST_BASE;
        uint32_t code = (uint32_t)status & 0xff;  /* a host exit status has 8 bits */
        if (code == 0)
            code = 1;                             /* ... and 256 must not mean success */
        *finisher = code << 16 | 0x3333;
    }
    sbi_call(SBI_EXT_SRST, 0, SRST_TYPE_SHUTDOWN,
             status == 0 ? SRST_REASON_NONE : SRST_REASON_FAILURE);
    for (;;)
        __asm__ volatile("wfi");
}
