/* Physical and virtual memory layout of the demo kernel on QEMU's `virt` machine.
 *
 * The kernel runs in its own page table, identity-mapping RAM and the devices
 * it uses. Each user process has its own page table holding only its program,
 * its stack, its trap context and the shared trampoline page:
 *
 *   0xffff_ffff_ffff_f000  TRAMPOLINE    __alltraps/__restore (every space, no U bit)
 *   0xffff_ffff_ffff_e000  TRAP_CONTEXT  saved user registers (user spaces, no U bit)
 *   USER_STACK_TOP         user stack (USER_STACK_PAGES pages, unmapped guard below)
 *   0x0001_0000            USER_BASE     program text/data as laid out by its ELF
 */
#ifndef OS_MEMLAYOUT_H
#define OS_MEMLAYOUT_H

#define UART0_BASE      0x10000000UL
#define UART0_IRQ       10
#define PLIC_BASE       0x0c000000UL
#define PLIC_SIZE       0x400000UL
#define VIRT_TEST_BASE  0x100000UL   /* SiFive test finisher */
#define RAM_BASE        0x80000000UL
#define RAM_DEFAULT_END (RAM_BASE + 128UL * 1024 * 1024)

/* QEMU virt's timebase is 10 MHz. */
#define TIMEBASE_HZ     10000000UL
#define TICK_HZ         100          /* scheduler tick: 10 ms time slices */

#define MAX_VA          (1UL << 38)                    /* top of the low half */
#define TRAMPOLINE      0xfffffffffffff000UL           /* last page of the address space */
#define TRAP_CONTEXT    (TRAMPOLINE - 4096UL)

#define USER_BASE        0x10000UL
#define USER_LOAD_TOP    0x40000000UL                  /* program segments must end below this */
#define USER_STACK_TOP   0x80000000UL
#define USER_STACK_PAGES 4

#define KSTACK_PAGES    4

#endif
