/* The user programs embedded in the kernel image, found by name. */
#ifndef OS_APPS_H
#define OS_APPS_H

#include <stddef.h>
#include <stdint.h>

struct app {
    const char *name;
    const uint8_t *elf;    /* the ELF file's bytes ... */
    const uint8_t *end;    /* ... up to here */
};

/* The program called `name`, or 0. */
const struct app *app_find(const char *name);
/* The i-th program in link order, or 0 past the end. */
const struct app *app_at(unsigned i);

#endif
