/* Processes: the task table, round-robin scheduling, sleeping and waking,
 * and process life cycle (spawn, fork, exec, exit, wait). */
#include "task.h"

#include "apps.h"
#include "kalloc.h"
#include "loader.h"
#include "memlayout.h"
#include "printk.h"
#include "sbi.h"
#include "string.h"
#include "vm.h"

#define KSTACK_SIZE (KSTACK_PAGES * PAGE_SIZE)

void __switch(struct task_context *from, const struct task_context *to);
void __user_trap(void);

static struct task tasks[NTASK];
static uint8_t kstacks[NTASK][KSTACK_SIZE] __attribute__((aligned(4096)));

/* The single hart's scheduling state. */
static struct {
    struct task *current;
    struct task_context idle_ctx;        /* the scheduler loop, on the boot stack */
    struct task *ready_head, *ready_tail;
    int next_pid;
} cpu;

/* The pid of the task on the CPU (0: the scheduler), for debuggers: rspmux's
 * "identify": "variable" names it. */
volatile int current_pid;

void task_init(void)
{
    cpu.next_pid = INIT_PID;
    for (int i = 0; i < NTASK; i++)
        tasks[i].kstack_top = (uint64_t)kstacks[i] + KSTACK_SIZE;
}

struct task *task_current(void)
{
    return cpu.current;
}

static void ready_push(struct task *t)
{
    t->state = TASK_READY;
    t->wait = WAIT_NONE;
    t->next_ready = 0;
    if (cpu.ready_tail)
        cpu.ready_tail->next_ready = t;
    else
        cpu.ready_head = t;
    cpu.ready_tail = t;
}

static struct task *ready_pop(void)
{
    struct task *t = cpu.ready_head;
    if (t) {
        cpu.ready_head = t->next_ready;
        if (!cpu.ready_head)
            cpu.ready_tail = 0;
    }
    return t;
}

static struct task *task_alloc(void)
{
    for (int i = 0; i < NTASK; i++) {
        struct task *t = &tasks[i];
        if (t->state == TASK_UNUSED) {
            uint64_t kstack_top = t->kstack_top;
            *t = (struct task){ .kstack_top = kstack_top, .pid = cpu.next_pid++ };
            /* A new task starts in trap_return, which enters user mode. */
            t->ctx.ra = (uint64_t)trap_return;
            t->ctx.sp = kstack_top;
            return t;
        }
    }
    return 0;
}

/* Points the task's trap context at a fresh program start. */
static void set_user_start(struct task *t, const struct user_image *img, int argc)
{
    struct trap_context *cx = img->trap_cx;
    memset(cx, 0, sizeof *cx);
    cx->x[2] = img->sp;
    cx->x[10] = (uint64_t)argc;
    cx->x[11] = img->argv;
    cx->sepc = img->entry;
    /* sret to U-mode with interrupts enabled there. */
    cx->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE)) | SSTATUS_SPIE;
    cx->kernel_satp = vm_kernel_satp();
    cx->kernel_sp = t->kstack_top;
    cx->trap_handler = (uint64_t)__user_trap;
    t->pagetable = img->pagetable;
    t->satp = MAKE_SATP(img->pagetable);
    t->trap_cx = cx;
}

int task_spawn(struct task *parent, const struct args *args)
{
    const struct app *app = app_find(args->argv[0]);
    if (!app)
        return -1;
    struct task *t = task_alloc();
    if (!t) {
        printk("[kernel] spawn %s: no free task slot (%d in use)\n", args->argv[0], NTASK);
        return -1;
    }
    struct user_image img;
    if (loader_build(app, args, &img) != 0) {
        t->state = TASK_UNUSED;
        return -1;
    }
    strlcpy(t->name, app->name, sizeof t->name);
    t->parent = parent;
    set_user_start(t, &img, args->argc);
    ready_push(t);
    return t->pid;
}

int task_fork(void)
{
    struct task *p = cpu.current;
    struct task *c = task_alloc();
    if (!c)
        return -1;
    struct user_image img = { .pagetable = vm_user_create() };
    if (!img.pagetable || vm_user_copy(p->pagetable, img.pagetable) != 0 ||
        !(img.trap_cx = kalloc()) ||
        vm_map(img.pagetable, TRAP_CONTEXT, (uint64_t)img.trap_cx, PTE_R | PTE_W) != 0) {
        if (img.trap_cx && !vm_translate(img.pagetable, TRAP_CONTEXT))
            kfree(img.trap_cx);
        if (img.pagetable)
            vm_user_free(img.pagetable);
        c->state = TASK_UNUSED;
        return -1;
    }
    strlcpy(c->name, p->name, sizeof c->name);
    c->parent = p;
    c->pagetable = img.pagetable;
    c->satp = MAKE_SATP(img.pagetable);
    c->trap_cx = img.trap_cx;
    *c->trap_cx = *p->trap_cx;
    c->trap_cx->kernel_sp = c->kstack_top;
    c->trap_cx->x[10] = 0;     /* fork() returns 0 in the child */
    ready_push(c);
    return c->pid;
}

int task_exec(const struct args *args)
{
    struct task *t = cpu.current;
    const struct app *app = app_find(args->argv[0]);
    struct user_image img;
    if (!app || loader_build(app, args, &img) != 0)
        return -1;
    vm_user_free(t->pagetable);
    strlcpy(t->name, app->name, sizeof t->name);
    set_user_start(t, &img, args->argc);
    return args->argc;
}

/* Switches from the current task to the scheduler loop. */
static void schedule(void)
{
    struct task *t = cpu.current;
    __switch(&t->ctx, &cpu.idle_ctx);
}

void task_exit(int code)
{
    struct task *t = cpu.current;
    if (t->pid == INIT_PID) {
        printk("[kernel] init exited with code %d, %lu free pages, powering off\n", code,
               kalloc_free_pages());
        sbi_shutdown(code);
    }
    vm_user_free(t->pagetable);
    t->pagetable = 0;
    t->trap_cx = 0;
    struct task *init = 0;
    for (int i = 0; i < NTASK; i++) {
        if (tasks[i].pid == INIT_PID && tasks[i].state != TASK_UNUSED)
            init = &tasks[i];
    }
    for (int i = 0; i < NTASK; i++) {
        if (tasks[i].state != TASK_UNUSED && tasks[i].parent == t)
            tasks[i].parent = init;
    }
    t->exit_code = code;
    t->state = TASK_ZOMBIE;
    task_wakeup(WAIT_CHILD);
    schedule();
    panic("task_exit: zombie %d was resumed", t->pid);
}

int task_waitpid(int pid, int *code)
{
    struct task *self = cpu.current;
    for (;;) {
        int found = 0;
        for (int i = 0; i < NTASK; i++) {
            struct task *c = &tasks[i];
            if (c->state == TASK_UNUSED || c->parent != self || (pid != -1 && c->pid != pid))
                continue;
            found = 1;
            if (c->state == TASK_ZOMBIE) {
                *code = c->exit_code;
                c->state = TASK_UNUSED;
                return c->pid;
            }
        }
        if (!found)
            return -1;
        task_block(WAIT_CHILD);
    }
}

void task_yield(void)
{
    ready_push(cpu.current);
    schedule();
}

void task_block(enum wait_reason why)
{
    struct task *t = cpu.current;
    t->state = TASK_BLOCKED;
    t->wait = why;
    schedule();
}

void task_sleep_until(uint64_t deadline)
{
    cpu.current->wake_at = deadline;
    task_block(WAIT_SLEEP);
}

void task_wakeup(enum wait_reason why)
{
    for (int i = 0; i < NTASK; i++) {
        if (tasks[i].state == TASK_BLOCKED && tasks[i].wait == why)
            ready_push(&tasks[i]);
    }
}

void task_wake_sleepers(uint64_t now)
{
    for (int i = 0; i < NTASK; i++) {
        struct task *t = &tasks[i];
        if (t->state == TASK_BLOCKED && t->wait == WAIT_SLEEP && t->wake_at <= now)
            ready_push(t);
    }
}

/* Nothing to run: wait for an interrupt. wfi returns when one is pending
 * even with SIE clear, so enabling SIE afterwards takes it without a race. */
static void idle_wait(void)
{
    __asm__ volatile("wfi");
    intr_on();
    intr_off();
}

void scheduler(void)
{
    for (;;) {
        struct task *t = ready_pop();
        if (!t) {
            idle_wait();
            continue;
        }
        t->state = TASK_RUNNING;
        cpu.current = t;
        current_pid = t->pid;
        __switch(&cpu.idle_ctx, &t->ctx);
        cpu.current = 0;
        current_pid = 0;
    }
}
