/* Traps: the user trap handler behind the trampoline, kernel-mode traps,
 * interrupts and the scheduler tick. */
#ifndef OS_TRAP_H
#define OS_TRAP_H

#include <stdint.h>

/* Saved user state, at TRAP_CONTEXT in every user address space. Layout is
 * shared with trampoline.S. */
struct trap_context {
    uint64_t x[32];          /* x0..x31; x[2] is the user sp */
    uint64_t sstatus;
    uint64_t sepc;           /* user pc to resume at */
    uint64_t kernel_satp;    /* loaded by __alltraps ... */
    uint64_t kernel_sp;      /* ... with this task's kernel stack ... */
    uint64_t trap_handler;   /* ... before jumping here (__user_trap) */
};

_Static_assert(__builtin_offsetof(struct trap_context, sstatus) == 32 * 8, "trampoline.S");
_Static_assert(__builtin_offsetof(struct trap_context, trap_handler) == 36 * 8, "trampoline.S");

/* Points stvec at the kernel vector, enables timer and external interrupts
 * (taken in the kernel only in the idle loop) and starts the tick. */
void trap_init(void);

/* Entered from __alltraps (through __user_trap) on the task's kernel stack
 * with the kernel's satp. */
__attribute__((noreturn)) void trap_handler(void);
/* Returns to the current task's user mode through __restore. */
__attribute__((noreturn)) void trap_return(void);

/* Ticks of the time CSR since boot, and the same in microseconds. */
uint64_t timer_now(void);
uint64_t timer_now_us(void);

#endif
