/* User program entry: the kernel starts here with a0 = argc, a1 = argv and
 * sp just below the argument block. Runs main and exits with its result. */
    .cfi_sections .debug_frame
    .section .text.entry
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined ra   /* the outermost frame: backtraces end here */
    call main
    call exit
1:  j 1b
    .cfi_endproc
    .size _start, . - _start
