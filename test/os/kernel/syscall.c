/* System call dispatch and implementations. Pointers from user programs are
 * checked and copied through the caller's page table (vm_copy_*). */
#include "syscall.h"

#include "apps.h"
#include "memlayout.h"
#include "printk.h"
#include "string.h"
#include "sysnum.h"
#include "task.h"
#include "trap.h"
#include "uart.h"
#include "vm.h"

#define IO_CHUNK 256

static pagetable_t user_pt(void)
{
    return task_current()->pagetable;
}

static long sys_write(uint64_t fd, uint64_t buf, uint64_t len)
{
    if (fd != 1 && fd != 2)
        return -1;
    char chunk[IO_CHUNK];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < IO_CHUNK ? len - done : IO_CHUNK;
        if (vm_copy_in(user_pt(), chunk, buf + done, n) != 0)
            return done ? (long)done : -1;
        for (uint64_t i = 0; i < n; i++) {
            if (chunk[i] == '\n')
                uart_putc('\r');
            uart_putc(chunk[i]);
        }
        done += n;
    }
    return (long)len;
}

/* Blocks until console input is available; returns at least one byte. */
static long sys_read(uint64_t fd, uint64_t buf, uint64_t len)
{
    if (fd != 0)
        return -1;
    if (len == 0)
        return 0;
    char chunk[IO_CHUNK];
    size_t n, want = len < IO_CHUNK ? len : IO_CHUNK;
    /* Check the buffer before taking bytes out of the ring: a bad pointer
     * must not lose input. */
    if (!vm_user_writable(user_pt(), buf, want))
        return -1;
    while ((n = uart_read(chunk, want)) == 0)
        task_block(WAIT_CONSOLE);
    if (vm_copy_out(user_pt(), buf, chunk, n) != 0)
        return -1;
    return (long)n;
}

static long sys_exit(uint64_t code)
{
    task_exit((int)code);
}

static long sys_sleep(uint64_t ms)
{
    const uint64_t ticks_per_ms = TIMEBASE_HZ / 1000;
    uint64_t now = timer_now(), max_ms = (UINT64_MAX - now) / ticks_per_ms;
    task_sleep_until(now + (ms < max_ms ? ms : max_ms) * ticks_per_ms);
    return 0;
}

static long sys_yield(void)
{
    task_yield();
    return 0;
}

/* Copies name and argv[] (a NULL-terminated array of user strings). */
static int copy_args(uint64_t name, uint64_t argv, struct args *args)
{
    args->argc = 1;
    if (vm_copy_in_str(user_pt(), args->argv[0], name, ARG_LEN) < 0)
        return -1;
    if (argv == 0)
        return 0;
    for (uint64_t i = 0;; i++) {
        uint64_t p;
        if (vm_copy_in(user_pt(), &p, argv + i * 8, 8) != 0)
            return -1;
        if (p == 0)
            return 0;
        if (i == 0)
            continue; /* argv[0]: the name argument stands in for it */
        if (args->argc == ARG_MAX ||
            vm_copy_in_str(user_pt(), args->argv[args->argc], p, ARG_LEN) < 0)
            return -1;
        args->argc++;
    }
}

/* spawn(name, argv): argv[0] is skipped (the name stands in for it). */
static long sys_spawn(uint64_t name, uint64_t argv)
{
    struct args args;
    if (copy_args(name, argv, &args) != 0)
        return -1;
    return task_spawn(task_current(), &args);
}

static long sys_exec(uint64_t name, uint64_t argv)
{
    struct args args;
    if (copy_args(name, argv, &args) != 0)
        return -1;
    return task_exec(&args);
}

static long sys_waitpid(uint64_t pid, uint64_t code_ptr)
{
    int code = 0;
    /* Checked first: a child must not be reaped into an unwritable pointer. */
    if (code_ptr != 0 && !vm_user_writable(user_pt(), code_ptr, sizeof code))
        return -1;
    int child = task_waitpid((int)pid, &code);
    if (child >= 0 && code_ptr != 0)
        vm_copy_out(user_pt(), code_ptr, &code, sizeof code);
    return child;
}

static long sys_apps(uint64_t buf, uint64_t len)
{
    char names[256];
    size_t n = 0;
    for (unsigned i = 0; app_at(i); i++) {
        const char *name = app_at(i)->name;
        size_t l = strlen(name);
        if (n + l + 2 > sizeof names)
            break;
        if (n)
            names[n++] = ' ';
        memcpy(names + n, name, l);
        n += l;
    }
    names[n++] = '\0';
    if (n > len || vm_copy_out(user_pt(), buf, names, n) != 0)
        return -1;
    return (long)(n - 1);
}

long syscall_dispatch(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    switch (nr) {
    case SYS_READ: return sys_read(a0, a1, a2);
    case SYS_WRITE: return sys_write(a0, a1, a2);
    case SYS_EXIT: return sys_exit(a0);
    case SYS_SLEEP: return sys_sleep(a0);
    case SYS_YIELD: return sys_yield();
    case SYS_GET_TIME: return (long)timer_now_us();
    case SYS_GETPID: return task_current()->pid;
    case SYS_FORK: return task_fork();
    case SYS_EXEC: return sys_exec(a0, a1);
    case SYS_WAITPID: return sys_waitpid(a0, a1);
    case SYS_SPAWN: return sys_spawn(a0, a1);
    case SYS_APPS: return sys_apps(a0, a1);
    default:
        printk("[kernel] pid %d (%s): unknown system call %lu\n", task_current()->pid,
               task_current()->name, nr);
        return -1;
    }
}
