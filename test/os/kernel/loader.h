/* Builds a user address space from an embedded program's ELF file. */
#ifndef OS_LOADER_H
#define OS_LOADER_H

#include <stdint.h>

#include "apps.h"
#include "riscv.h"
#include "task.h"

struct user_image {
    pagetable_t pagetable;
    struct trap_context *trap_cx;  /* kernel address of the TRAP_CONTEXT page */
    uint64_t entry;
    uint64_t sp;                   /* initial user sp, below the argument block */
    uint64_t argv;                 /* user address of the argv[] array */
};

/* Maps `app`'s segments, a stack holding `args` and a trap-context page into a
 * new page table. Returns 0, or -1 with the reason printed; nothing leaks. */
int loader_build(const struct app *app, const struct args *args, struct user_image *img);

#endif
