/* Processes: the task table, round-robin scheduling, sleeping and waking,
 * and process life cycle (spawn, fork, exec, exit, wait). */
#ifndef OS_TASK_H
#define OS_TASK_H

#include <stdint.h>

#include "riscv.h"
#include "trap.h"

#define NTASK        16
#define TASK_NAME    16
#define ARG_MAX      8     /* arguments per exec/spawn, the name included */
#define ARG_LEN      128   /* bytes per argument, the NUL included */
#define INIT_PID     1

enum task_state { TASK_UNUSED, TASK_READY, TASK_RUNNING, TASK_BLOCKED, TASK_ZOMBIE };

/* What a blocked task waits for. */
enum wait_reason { WAIT_NONE, WAIT_CONSOLE, WAIT_CHILD, WAIT_SLEEP };

/* Callee-saved registers of a kernel control flow; layout shared with switch.S. */
struct task_context {
    uint64_t ra, sp;
    uint64_t s[12];
};

struct task {
    enum task_state state;
    int pid;
    char name[TASK_NAME];          /* program name, as given to spawn/exec */
    struct task *parent;
    pagetable_t pagetable;         /* user address space */
    uint64_t satp;
    struct trap_context *trap_cx;  /* kernel address of its TRAP_CONTEXT page */
    struct task_context ctx;       /* where __switch resumes it */
    uint64_t kstack_top;
    enum wait_reason wait;
    uint64_t wake_at;              /* timer_now() deadline for WAIT_SLEEP */
    int exit_code;
    struct task *next_ready;       /* run-queue link */
};

/* A program's arguments, copied into the kernel. */
struct args {
    int argc;
    char argv[ARG_MAX][ARG_LEN];
};

void task_init(void);
/* The task on the CPU (0 in the idle loop). */
struct task *task_current(void);

/* Creates a process running program `args->argv[0]` as a child of `parent`
 * (0 for init). Returns its pid, or -1 with the reason printed. */
int task_spawn(struct task *parent, const struct args *args);
/* Copies the current process. Returns the child's pid, or -1. */
int task_fork(void);
/* Replaces the current process's program. Returns argc (the new a0), or -1
 * with the old program untouched. */
int task_exec(const struct args *args);
/* Ends the current process. Ending init powers the machine off. */
__attribute__((noreturn)) void task_exit(int code);
/* Waits for a child (`pid` or any if -1) to exit: its pid, or -1 if there is no
 * such child. Its exit code is stored in *code. */
int task_waitpid(int pid, int *code);

/* Gives up the CPU; the current task goes to the back of the run queue. */
void task_yield(void);
/* Blocks the current task until task_wakeup(why) (or the deadline, for sleep). */
void task_block(enum wait_reason why);
void task_sleep_until(uint64_t deadline);
void task_wakeup(enum wait_reason why);
/* Wakes sleepers whose deadline is at or before `now`. */
void task_wake_sleepers(uint64_t now);

/* Runs ready tasks forever, idling with wfi when there are none. */
__attribute__((noreturn)) void scheduler(void);

#endif
