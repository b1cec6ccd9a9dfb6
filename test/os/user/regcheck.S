/* long regs_survive_traps(long rounds)
 *
 * Fills every register but sp and a0 with a pattern (0x5a5a0000 + its number),
 * spins so that timer interrupts land while the patterns are live, makes a
 * getpid system call, and checks that every register still holds its pattern
 * (a7 holds the call number, a0 the result and the spin counter). Returns 0,
 * or the number of the first register that changed across a trap. */
#include "sysnum.h"

#define SPIN 2000
#define SAVED 16                /* ra, gp, tp, s0-s11, the round counter */

    .section .text
    .globl regs_survive_traps
    .type regs_survive_traps, @function
regs_survive_traps:
    addi sp, sp, -SAVED*8
    sd ra, 0*8(sp)
    sd gp, 1*8(sp)
    sd tp, 2*8(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd s\n, (3+\n)*8(sp)
    .endr
    sd a0, 15*8(sp)             /* rounds left */

1:  .irp r, 1,3,4,5,6,7,8,9,11,12,13,14,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li x\r, 0x5a5a0000 + \r
    .endr
    li a0, SPIN
2:  addi a0, a0, -1             /* interrupts land here */
    bnez a0, 2b
    li a7, SYS_GETPID
    ecall
    li a0, 0x5a5a0000 + 17      /* a7 was reloaded with the call number */
    li a7, 0x5a5a0000 + 17
    .irp r, 1,3,4,5,6,7,8,9,11,12,13,14,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li a0, 0x5a5a0000 + \r
    bne a0, x\r, 3f
    .endr
    ld a0, 15*8(sp)
    addi a0, a0, -1
    sd a0, 15*8(sp)
    bnez a0, 1b
    j 4f

    /* Which register changed: compare again and return its number. */
3:  .irp r, 1,3,4,5,6,7,8,9,11,12,13,14,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li a0, 0x5a5a0000 + \r
    beq a0, x\r, 5f
    li a0, \r
    j 4f
5:
    .endr
    li a0, -1

4:  ld ra, 0*8(sp)
    ld gp, 1*8(sp)
    ld tp, 2*8(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld s\n, (3+\n)*8(sp)
    .endr
    addi sp, sp, SAVED*8
    ret
    .size regs_survive_traps, . - regs_survive_traps
