/* The address-space part of the configuration: user programs, how a space
 * is identified, hook points, trampoline aliases, process reports. */
#ifndef MUX_SPACECFG_H
#define MUX_SPACECFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonpath.h"

enum mux_point_kind {
    MUX_POINT_SYMBOL,    /* a symbol's address (+ offset), or an instruction inside it */
    MUX_POINT_FUNCTION,  /* the first source line of a function's body, after its prologue */
    MUX_POINT_LINE,      /* "file.c:123" */
    MUX_POINT_ADDRESS,   /* a number */
};

/* One configured code location; resolved against the kernel ELF by hooks.c. */
struct mux_point {
    enum mux_point_kind kind;
    char *text;          /* symbol, function or "file:line"; NULL for an address */
    char *instruction;   /* SYMBOL: the first instruction of this mnemonic inside it, or NULL */
    uint64_t value;      /* SYMBOL: an offset; ADDRESS: the address */
    char *where;         /* its JSON path, for messages: "hooks.exec[1]" */
};

struct mux_points {
    struct mux_point *v;
    size_t n;
};

/* What each hook point list marks (the JSON key in "hooks"). */
enum mux_hook_kind {
    MUX_HOOK_ENTER_USER,    /* "enter_user": the sret that enters user mode */
    MUX_HOOK_ENTER_KERNEL,  /* "enter_kernel": the trap entry from user mode */
    MUX_HOOK_SWITCH,        /* "switch": the context-switch routine */
    MUX_HOOK_EXEC,          /* "exec": where an address space is created or replaced */
    MUX_HOOK_EXIT,          /* "exit": where a process ends */
    MUX_HOOK_RETURN_PATH,   /* "return_path": functions on the way back to user mode */
    MUX_HOOK_STEP_INTO,     /* "step_into_kernel": where stepping over ecall stops */
    MUX_HOOK_COUNT
};

const char *mux_hook_name(enum mux_hook_kind k);

/* Code linked at one address and run at another (a trampoline page). */
struct mux_alias {
    char *symbol;        /* the link address is this symbol's, or NULL: `link` */
    uint64_t link, run, size;
    char *where;
};

enum mux_identify {
    MUX_IDENTIFY_FINGERPRINT,  /* satp, then a few bytes of memory against the candidate ELFs */
    MUX_IDENTIFY_SATP,         /* satp only: a new satp is a new space of unknown program... */
    MUX_IDENTIFY_VARIABLE,     /* a kernel variable holds the current process's id */
};

#define MUX_CONFLICT_HITS 4   /* default "user.conflict_hits" */

/* Every string is owned (malloc'd). Program paths are absolute once loaded. */
struct mux_spacecfg {
    char **programs;           /* "user.programs": ELF files or directories of them */
    size_t nprograms;
    enum mux_identify identify;
    char *variable;            /* "user.variable.symbol" */
    unsigned variable_size;    /* 1, 2, 4 or 8 */
    /* "user.trap_frame": where a process in the kernel keeps its user registers,
     * at the same virtual address in every user space (rCore's TrapContext,
     * xv6's trapframe): x1..x31 from offset x1, the user pc at offset pc. */
    bool has_trap_frame;
    uint64_t trap_frame;
    unsigned tf_x1, tf_pc;
    /* "user.trap_frame.kernel_sp": the offset of the process's kernel stack
     * pointer, which tells which process is in the kernel at an exit. */
    bool has_tf_kernel_sp;
    unsigned tf_kernel_sp;
    /* "user.swap_groups": "on_conflict" (default): user breakpoints stay in
     * QEMU across context switches until their address has had
     * "user.conflict_hits" false hits in other processes; "always": every
     * user group is swapped at every switch. */
    bool swap_always;
    unsigned conflict_hits;
    struct mux_points hooks[MUX_HOOK_COUNT];
    struct mux_alias *aliases;
    size_t naliases;
    bool report_exit;          /* "processes.report_exit" (default true) */
    bool report_new;           /* "processes.report_new" (default true) */

    /* Private to spacecfg.c: the hook point being read. */
    struct mux_point pending;
    unsigned pending_kinds;
    enum mux_hook_kind pending_hook;
    uint64_t pending_offset;
    bool pending_has_offset;
};

void mux_spacecfg_init(struct mux_spacecfg *sc);
void mux_spacecfg_free(struct mux_spacecfg *sc);
/* Deep copy; on failure dst holds nothing to free. 0 or -1. */
int mux_spacecfg_copy(struct mux_spacecfg *dst, const struct mux_spacecfg *src);

/* The keys of the config-file objects "user", "hooks", "processes" and of
 * one element of "aliases"; their target is the struct mux_spacecfg being
 * loaded (config.c's rows enter it). Program paths are kept as written: the
 * caller makes them absolute. mux_spacecfg_check_user is the "user" row's
 * apply. */
#define MUX_SPACECFG_USER_KEYS      6
#define MUX_SPACECFG_HOOK_KEYS      7
#define MUX_SPACECFG_PROCESSES_KEYS 2
extern const struct jp_field mux_spacecfg_user_keys[MUX_SPACECFG_USER_KEYS];
extern const struct jp_field mux_spacecfg_hook_keys[MUX_SPACECFG_HOOK_KEYS];
extern const struct jp_field mux_spacecfg_processes_keys[MUX_SPACECFG_PROCESSES_KEYS];
extern const struct jp_field mux_spacecfg_alias_row[1];
void mux_spacecfg_check_user(struct jp_ctx *ctx, const cJSON *value, void *target);

/* Empties the alias list (a config's "aliases" replaces the one before). */
void mux_spacecfg_clear_aliases(struct mux_spacecfg *sc);

/* Replaces the program list (for --user): `paths` are copied as given. */
int mux_spacecfg_set_programs(struct mux_spacecfg *sc, char *const *paths, size_t n);

/* Parses a number written as a JSON string: "0x..." hex or decimal. */
int mux_parse_u64(const char *s, uint64_t *out);

#endif
