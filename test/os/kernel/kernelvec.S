/* Kernel-side trap entry points (in ordinary kernel text).
 *
 * The CFI here is for debuggers: it makes GDB's backtrace from a trap handler
 * show the interrupted code (__kernel_trap) or end cleanly (__user_trap). */
    .cfi_sections .debug_frame

/* __alltraps jumps here on the task's kernel stack after switching to the
 * kernel page table. The user's registers are in the trap context, so this
 * is the outermost kernel frame. */
    .section .text
    .align 2
    .globl __user_trap
__user_trap:
    .cfi_startproc
    .cfi_undefined ra
    call trap_handler           /* never returns */
    .cfi_endproc

/* Traps taken while in the kernel (S-mode): interrupts during the idle loop,
 * and faults that end in a panic. Saves the caller-saved registers on the
 * current kernel stack, calls kernel_trap(), and returns with sret. */
    .align 2
    .globl __kernel_trap
__kernel_trap:
    .cfi_startproc
    .cfi_signal_frame
    .cfi_return_column 64       /* a pseudo column: the caller's pc is sepc, not ra */
    addi sp, sp, -18*8
    .cfi_def_cfa_offset 18*8
    .cfi_offset 64, 16*8 - 18*8  /* where sepc is stored, below */
    sd ra, 0*8(sp)
    .cfi_offset ra, 0 - 18*8
    sd t0, 1*8(sp)
    sd t1, 2*8(sp)
    sd t2, 3*8(sp)
    sd t3, 4*8(sp)
    sd t4, 5*8(sp)
    sd t5, 6*8(sp)
    sd t6, 7*8(sp)
    sd a0, 8*8(sp)
    sd a1, 9*8(sp)
    sd a2, 10*8(sp)
    sd a3, 11*8(sp)
    sd a4, 12*8(sp)
    sd a5, 13*8(sp)
    sd a6, 14*8(sp)
    sd a7, 15*8(sp)
    csrr t0, sepc
    sd t0, 16*8(sp)
    csrr t0, sstatus
    sd t0, 17*8(sp)
    call kernel_trap
    ld t0, 16*8(sp)
    csrw sepc, t0
    ld t0, 17*8(sp)
    csrw sstatus, t0
    ld ra, 0*8(sp)
    ld t0, 1*8(sp)
    ld t1, 2*8(sp)
    ld t2, 3*8(sp)
    ld t3, 4*8(sp)
    ld t4, 5*8(sp)
    ld t5, 6*8(sp)
    ld t6, 7*8(sp)
    ld a0, 8*8(sp)
    ld a1, 9*8(sp)
    ld a2, 10*8(sp)
    ld a3, 11*8(sp)
    ld a4, 12*8(sp)
    ld a5, 13*8(sp)
    ld a6, 14*8(sp)
    ld a7, 15*8(sp)
    addi sp, sp, 18*8
    sret
    .cfi_endproc
