/* The trampoline page: user↔kernel transitions, rCore-Tutorial style.
 *
 * Linked inside the kernel's .text (at strampoline) but mapped and executed
 * at TRAMPOLINE (0xfffffffffffff000) in the kernel's and every user page
 * table, so the code survives the satp switch it performs. Addresses here
 * must therefore be PC-relative to the page or loaded from the trap context.
 *
 * struct trap_context (trap.h) at TRAP_CONTEXT in each user address space:
 *   x[0..31] at 0..248, sstatus 256, sepc 264, kernel_satp 272,
 *   kernel_sp 280, trap_handler 288 (the address of __user_trap).
 */
    .section .text.trampoline, "ax"
    .align 2
    .globl __alltraps
    .globl __restore

/* User→kernel: stvec points here while a user program runs.
 * On entry sscratch holds the trap context's address (TRAP_CONTEXT). */
__alltraps:
    csrrw sp, sscratch, sp          /* sp = trap context, sscratch = user sp */
    sd x1, 1*8(sp)
    sd x3, 3*8(sp)
    sd x4, 4*8(sp)
    sd x5, 5*8(sp)
    sd x6, 6*8(sp)
    sd x7, 7*8(sp)
    sd x8, 8*8(sp)
    sd x9, 9*8(sp)
    sd x10, 10*8(sp)
    sd x11, 11*8(sp)
    sd x12, 12*8(sp)
    sd x13, 13*8(sp)
    sd x14, 14*8(sp)
    sd x15, 15*8(sp)
    sd x16, 16*8(sp)
    sd x17, 17*8(sp)
    sd x18, 18*8(sp)
    sd x19, 19*8(sp)
    sd x20, 20*8(sp)
    sd x21, 21*8(sp)
    sd x22, 22*8(sp)
    sd x23, 23*8(sp)
    sd x24, 24*8(sp)
    sd x25, 25*8(sp)
    sd x26, 26*8(sp)
    sd x27, 27*8(sp)
    sd x28, 28*8(sp)
    sd x29, 29*8(sp)
    sd x30, 30*8(sp)
    sd x31, 31*8(sp)
    csrr t0, sstatus
    csrr t1, sepc
    sd t0, 32*8(sp)
    sd t1, 33*8(sp)
    csrr t2, sscratch               /* the user sp */
    sd t2, 2*8(sp)
    ld t0, 34*8(sp)                 /* kernel_satp */
    ld t1, 36*8(sp)                 /* trap_handler */
    ld sp, 35*8(sp)                 /* this task's kernel stack */
    csrw satp, t0
    sfence.vma
    jr t1                           /* __user_trap, in kernel text */

/* Kernel→user: __restore(a0 = TRAP_CONTEXT, a1 = user satp).
 * trap_return() jumps here at its TRAMPOLINE alias; ends in sret. */
__restore:
    csrw satp, a1
    sfence.vma
    csrw sscratch, a0
    mv sp, a0
    ld t0, 32*8(sp)
    ld t1, 33*8(sp)
    csrw sstatus, t0
    csrw sepc, t1
    ld x1, 1*8(sp)
    ld x3, 3*8(sp)
    ld x4, 4*8(sp)
    ld x5, 5*8(sp)
    ld x6, 6*8(sp)
    ld x7, 7*8(sp)
    ld x8, 8*8(sp)
    ld x9, 9*8(sp)
    ld x10, 10*8(sp)
    ld x11, 11*8(sp)
    ld x12, 12*8(sp)
    ld x13, 13*8(sp)
    ld x14, 14*8(sp)
    ld x15, 15*8(sp)
    ld x16, 16*8(sp)
    ld x17, 17*8(sp)
    ld x18, 18*8(sp)
    ld x19, 19*8(sp)
    ld x20, 20*8(sp)
    ld x21, 21*8(sp)
    ld x22, 22*8(sp)
    ld x23, 23*8(sp)
    ld x24, 24*8(sp)
    ld x25, 25*8(sp)
    ld x26, 26*8(sp)
    ld x27, 27*8(sp)
    ld x28, 28*8(sp)
    ld x29, 29*8(sp)
    ld x30, 30*8(sp)
    ld x31, 31*8(sp)
    ld sp, 2*8(sp)                  /* user sp last: it was our base */
    sret
