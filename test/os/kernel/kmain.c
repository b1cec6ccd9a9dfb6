/* Boot: console, memory, paging, interrupts, then the first user process. */
#include <stdint.h>

#include "fdt.h"
#include "kalloc.h"
#include "memlayout.h"
#include "plic.h"
#include "printk.h"
#include "string.h"
#include "task.h"
#include "trap.h"
#include "uart.h"
#include "vm.h"

extern char sbss[], ebss[], ekernel[];

/* The kernel command line (QEMU's -append), copied out of the device tree
 * before the page allocator reuses the memory that holds it. */
static char bootargs[ARG_LEN];

static uint64_t read_device_tree(const void *dtb)
{
    struct fdt_info info;
    char err[96];
    if (fdt_parse(dtb, SIZE_MAX, &info, err, sizeof err) != 0) {
        printk("[kernel] device tree at %p unreadable (%s); assuming 128 MiB\n", dtb, err);
        return RAM_DEFAULT_END;
    }
    if (info.bootargs && strlcpy(bootargs, info.bootargs, sizeof bootargs) >= sizeof bootargs)
        printk("[kernel] command line longer than %zu bytes, cut to \"%s\"\n",
               sizeof bootargs - 1, bootargs);
    if (info.mem_base != RAM_BASE || info.mem_size == 0)
        return RAM_DEFAULT_END;
    return info.mem_base + info.mem_size;
}

/* Starts init with the kernel command line as its one argument, if any. */
static void start_init(void)
{
    struct args args = { .argc = 1 };
    strlcpy(args.argv[0], "init", ARG_LEN);
    if (bootargs[0]) {
        strlcpy(args.argv[1], bootargs, ARG_LEN);
        args.argc = 2;
    }
    if (task_spawn(0, &args) != INIT_PID)
        panic("cannot start init");
    /* Compared with the count printed at power-off: equal means every page
     * that a process took was given back. */
    printk("[kernel] init started, %lu free pages\n", kalloc_free_pages());
}

void kmain(uint64_t hartid, const void *dtb)
{
    memset(sbss, 0, (size_t)(ebss - sbss));
    uart_init();
    uint64_t ram_end = read_device_tree(dtb);
    printk("[kernel] rspmux demo kernel on hart %lu, RAM up to %p, bootargs \"%s\"\n",
           hartid, (void *)ram_end, bootargs);
    kalloc_init((uint64_t)ekernel, ram_end);
    vm_init_kernel(ram_end);
    printk("[kernel] Sv39 paging on, %lu free pages\n", kalloc_free_pages());
    plic_init();
    trap_init();
    task_init();
    start_init();
    scheduler();
}
