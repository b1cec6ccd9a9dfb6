/* Traps: the user trap handler behind the trampoline, kernel-mode traps,
 * interrupts and the scheduler tick. */
#include "trap.h"

#include "memlayout.h"
#include "plic.h"
#include "printk.h"
#include "riscv.h"
#include "sbi.h"
#include "syscall.h"
#include "task.h"
#include "uart.h"

extern char __alltraps[], __restore[];
void __kernel_trap(void);

#define TICK_INTERVAL (TIMEBASE_HZ / TICK_HZ)

uint64_t timer_now(void)
{
    return read_time();
}

uint64_t timer_now_us(void)
{
    return read_time() / (TIMEBASE_HZ / 1000000);
}

static void timer_tick(void)
{
    sbi_set_timer(read_time() + TICK_INTERVAL);
    task_wake_sleepers(read_time());
}

void trap_init(void)
{
    csr_write(stvec, (uint64_t)__kernel_trap);
    csr_set(sie, SIE_STIE | SIE_SEIE);
    sbi_set_timer(read_time() + TICK_INTERVAL);
}

static void external_interrupt(void)
{
    unsigned irq = plic_claim();
    if (irq == UART0_IRQ)
        uart_intr();
    else if (irq != 0)
        printk("[kernel] unexpected external interrupt %u\n", irq);
    if (irq != 0)
        plic_complete(irq);
}

static const char *exception_name(uint64_t code)
{
    switch (code) {
    case EXC_INSN_MISALIGNED: return "instruction address misaligned";
    case EXC_INSN_ACCESS: return "instruction access fault";
    case EXC_ILLEGAL_INSN: return "illegal instruction";
    case EXC_BREAKPOINT: return "breakpoint";
    case EXC_LOAD_MISALIGNED: return "load address misaligned";
    case EXC_LOAD_ACCESS: return "load access fault";
    case EXC_STORE_MISALIGNED: return "store address misaligned";
    case EXC_STORE_ACCESS: return "store access fault";
    case EXC_INSN_PAGE_FAULT: return "instruction page fault";
    case EXC_LOAD_PAGE_FAULT: return "load page fault";
    case EXC_STORE_PAGE_FAULT: return "store page fault";
    default: return "unknown exception";
    }
}

/* A user program faulted: report it and end the process with -(scause). */
static void user_fault(struct task *t, uint64_t code)
{
    printk("[kernel] pid %d (%s) killed: %s at pc %p, stval %p\n", t->pid, t->name,
           exception_name(code), (void *)t->trap_cx->sepc, (void *)csr_read(stval));
    task_exit(-(int)code);
}

void trap_handler(void)
{
    csr_write(stvec, (uint64_t)__kernel_trap);
    struct task *t = task_current();
    uint64_t scause = csr_read(scause);
    uint64_t code = scause & ~SCAUSE_INTERRUPT;

    if (scause & SCAUSE_INTERRUPT) {
        if (code == IRQ_S_TIMER) {
            timer_tick();
            task_yield();
        } else if (code == IRQ_S_EXTERNAL) {
            external_interrupt();
        } else {
            printk("[kernel] unexpected interrupt %lu\n", code);
        }
    } else if (code == EXC_ECALL_U) {
        struct trap_context *cx = t->trap_cx;
        cx->sepc += 4; /* resume after the ecall */
        long ret = syscall_dispatch(cx->x[17], cx->x[10], cx->x[11], cx->x[12]);
        /* exec replaced the trap context: reload it (ret is then argc). */
        task_current()->trap_cx->x[10] = (uint64_t)ret;
    } else {
        user_fault(t, code);
    }
    trap_return();
}

void trap_return(void)
{
    struct task *t = task_current();
    csr_write(stvec, TRAMPOLINE);
    uint64_t restore_va = (uint64_t)__restore - (uint64_t)__alltraps + TRAMPOLINE;
    register uint64_t a0 __asm__("a0") = TRAP_CONTEXT;
    register uint64_t a1 __asm__("a1") = t->satp;
    __asm__ volatile("fence.i\n\tjr %0" ::"r"(restore_va), "r"(a0), "r"(a1) : "memory");
    __builtin_unreachable();
}

/* Traps taken in S-mode (see kernelvec.S): interrupts while idle, or a bug. */
void kernel_trap(void)
{
    uint64_t scause = csr_read(scause);
    uint64_t code = scause & ~SCAUSE_INTERRUPT;
    if (!(scause & SCAUSE_INTERRUPT))
        panic("kernel trap: %s (scause %lu) at pc %p, stval %p", exception_name(code),
              code, (void *)csr_read(sepc), (void *)csr_read(stval));
    if (code == IRQ_S_TIMER)
        timer_tick();
    else if (code == IRQ_S_EXTERNAL)
        external_interrupt();
    else
        panic("kernel trap: unexpected interrupt %lu", code);
}
