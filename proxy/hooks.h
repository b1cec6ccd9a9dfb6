/* Hook points: the configured code locations resolved against the kernel
 * ELF to the addresses the CPU runs them at (through trampoline aliases). */
#ifndef MUX_HOOKS_H
#define MUX_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spacecfg.h"

struct elf_file;

struct mux_range {
    uint64_t start, end;        /* [start, end) */
};

struct hooks {
    uint64_t *at[MUX_HOOK_COUNT];   /* run addresses of each kind */
    size_t n[MUX_HOOK_COUNT];
    struct mux_range *ret;          /* the return path, as run address ranges */
    size_t nret;
    struct mux_range *alias_link;   /* per alias: linked here ... */
    struct mux_range *alias_run;    /* ... runs here */
    size_t nalias;
};

/* Resolves every point of `sc` in `kernel`. `source` names the config in
 * messages. 0, or -1 with err like "demo.json: hooks.exec[1]: symbol
 * 'task_spawnx' not found in /x/kernel.elf". A config without hooks
 * resolves to no hooks (the kernel alone is then debuggable). */
int hooks_resolve(struct hooks *h, const struct mux_spacecfg *sc, struct elf_file *kernel,
                  const char *source, char *err, size_t errlen);
void hooks_free(struct hooks *h);

/* Is pc a hook of this kind? */
bool hooks_match(const struct hooks *h, enum mux_hook_kind k, uint64_t pc);
/* Is pc on the configured return path to user mode? */
bool hooks_in_return_path(const struct hooks *h, uint64_t pc);
/* The link address of a run address inside an alias (else pc itself). */
uint64_t hooks_link_address(const struct hooks *h, uint64_t pc);
/* Is pc inside some alias's run range (a trampoline)? */
bool hooks_in_alias(const struct hooks *h, uint64_t pc);

#endif
