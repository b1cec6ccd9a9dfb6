/* Address spaces as GDB processes: the kernel is process 1, every user
 * address space a process of its own, each with the breakpoint group GDB
 * inserted in it, and the candidate user programs that identify them. */
#ifndef MUX_SPACES_H
#define MUX_SPACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"
#include "spacecfg.h"

#define SPACE_KERNEL_PID 1u

struct elf_file;

/* A breakpoint or watchpoint (RSP Z/z arguments). */
struct mux_bp {
    uint64_t type, addr, kind;
};

/* A multiset of breakpoints: QEMU's Z is not idempotent, so two equal
 * entries are two insertions, each removed by its own z. */
struct bp_list {
    struct mux_bp *v;
    size_t n, cap;
};

int bpl_add(struct bp_list *l, struct mux_bp bp);         /* 0 or -1 (no memory) */
bool bpl_remove(struct bp_list *l, struct mux_bp bp);     /* one instance; false if none */
size_t bpl_count(const struct bp_list *l, struct mux_bp bp);
void bpl_clear(struct bp_list *l);
void bpl_free(struct bp_list *l);

/* Breakpoint addresses where one space's breakpoint stopped another space
 * (a false hit: user programs share addresses). A user breakpoint stays in
 * QEMU whichever space runs (resident: no cost per context switch) until its
 * address has had `limit` false hits; from then on it is "followed": its
 * group is swapped in and out at context switches. limit 0: every address is
 * followed from the start. */
struct bp_conflict {
    uint64_t addr;
    unsigned hits;
};

struct bp_conflicts {
    struct bp_conflict *v;
    size_t n, cap;
    unsigned limit;
};

void bpc_init(struct bp_conflicts *c, unsigned limit);
void bpc_free(struct bp_conflicts *c);
bool bpc_followed(const struct bp_conflicts *c, uint64_t addr);
/* Counts a false hit at addr; *now_followed tells whether this one made the
 * address followed. 0, or -1 (no memory: the address is then followed). */
int bpc_false_hit(struct bp_conflicts *c, uint64_t addr, bool *now_followed);
unsigned bpc_hits(const struct bp_conflicts *c, uint64_t addr);

struct mux_program {
    char *path;                 /* absolute */
    char name[64];              /* its basename without ".elf" */
    struct elf_file *elf;
};

enum space_state { SPACE_LIVE, SPACE_EXITED };

struct mux_space {
    unsigned pid;
    uint64_t key;               /* what identifies it: satp (or the variable's value) */
    uint64_t satp;              /* for walking its page table; 0 if unknown */
    int program;                /* index in programs, or -1 if unknown */
    enum space_state state;
    bool announced;             /* GDB has seen it (a stop reply or the thread list) */
    bool stale;                 /* its key may have been reused: check the program again */
    struct bp_list bps;         /* its group: what GDB inserted while this process was selected */
    unsigned long entries;      /* times the CPU entered it */
    uint64_t kstack;            /* its trap frame's kernel stack pointer; 0 if not read */
};

struct mux_spaces {
    struct mux_space **v;       /* v[0] is the kernel */
    size_t n, cap;
    unsigned next_pid;
    struct mux_program *programs;
    size_t nprograms;
    struct fp_plan plan;        /* empty without programs */
};

/* Opens the programs of `sc` (files, or every ELF in a directory, sorted by
 * name) and plans their fingerprint. 0, or -1 with err naming the file. */
int spaces_init(struct mux_spaces *s, const struct mux_spacecfg *sc, char *err, size_t errlen);
void spaces_free(struct mux_spaces *s);

struct mux_space *spaces_kernel(const struct mux_spaces *s);
struct mux_space *spaces_by_pid(const struct mux_spaces *s, unsigned pid);
/* The live user space with this key, or NULL. */
struct mux_space *spaces_by_key(const struct mux_spaces *s, uint64_t key);
/* A new live user space with the next pid; NULL if out of memory. */
struct mux_space *spaces_add(struct mux_spaces *s, uint64_t key, uint64_t satp, int program);

/* The program's path and name, or NULL / "?" for an unknown one. */
const char *space_path(const struct mux_spaces *s, const struct mux_space *sp);
const char *space_name(const struct mux_spaces *s, const struct mux_space *sp);

#endif
