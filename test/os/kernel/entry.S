/* Kernel entry: OpenSBI jumps here in S-mode with a0 = hart id, a1 = device tree. */
    .cfi_sections .debug_frame
    .section .text.entry
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined ra           /* the outermost frame: backtraces end here */
    la sp, boot_stack_top
    call kmain
1:  wfi
    j 1b
    .cfi_endproc
    .size _start, . - _start

    .section .bss.stack
    .align 12
    .globl boot_stack
boot_stack:
    .space 4096 * 4
    .globl boot_stack_top
boot_stack_top:
