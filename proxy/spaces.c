/* Address spaces as GDB processes: the kernel is process 1, every user
 * address space a process of its own, each with the breakpoint group GDB
 * inserted in it, and the candidate user programs that identify them. */
#define _DEFAULT_SOURCE  /* scandir, alphasort, DT_* */

#include "spaces.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "elfsym.h"

/* ------------------------------------------------------------ bp lists */

static bool bp_equal(struct mux_bp a, struct mux_bp b)
{
    return a.type == b.type && a.addr == b.addr && a.kind == b.kind;
}

int bpl_add(struct bp_list *l, struct mux_bp bp)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct mux_bp *grown = realloc(l->v, cap * sizeof *grown);
        if (!grown)
            return -1;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = bp;
    return 0;
}

bool bpl_remove(struct bp_list *l, struct mux_bp bp)
{
    for (size_t i = 0; i < l->n; i++) {
        if (bp_equal(l->v[i], bp)) {
            l->v[i] = l->v[--l->n];
            return true;
        }
    }
    return false;
}

size_t bpl_count(const struct bp_list *l, struct mux_bp bp)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += bp_equal(l->v[i], bp);
    return n;
}

void bpl_clear(struct bp_list *l)
{
    l->n = 0;
}

void bpl_free(struct bp_list *l)
{
    free(l->v);
    *l = (struct bp_list){ 0 };
}

/* ------------------------------------------------------------ conflicts */

void bpc_init(struct bp_conflicts *c, unsigned limit)
{
    *c = (struct bp_conflicts){ .limit = limit };
}

void bpc_free(struct bp_conflicts *c)
{
    free(c->v);
    *c = (struct bp_conflicts){ .limit = c->limit };
}

static struct bp_conflict *bpc_find(const struct bp_conflicts *c, uint64_t addr)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].addr == addr)
            return &c->v[i];
    }
    return NULL;
}

unsigned bpc_hits(const struct bp_conflicts *c, uint64_t addr)
{
    const struct bp_conflict *e = bpc_find(c, addr);
    return e ? e->hits : 0;
}

bool bpc_followed(const struct bp_conflicts *c, uint64_t addr)
{
    return c->limit == 0 || bpc_hits(c, addr) >= c->limit;
}

int bpc_false_hit(struct bp_conflicts *c, uint64_t addr, bool *now_followed)
{
    bool before = bpc_followed(c, addr);
    struct bp_conflict *e = bpc_find(c, addr);
    *now_followed = false;
    if (!e) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 8;
            struct bp_conflict *grown = realloc(c->v, cap * sizeof *grown);
            if (!grown) {
                c->limit = 0;     /* fail safe: swapping is always correct */
                *now_followed = !before;
                return -1;
            }
            c->v = grown;
            c->cap = cap;
        }
        e = &c->v[c->n++];
        *e = (struct bp_conflict){ .addr = addr };
    }
    if (e->hits < ~0u)
        e->hits++;
    *now_followed = !before && bpc_followed(c, addr);
    return 0;
}

/* ------------------------------------------------------------ programs */

/* Opens one program. In a directory (`quiet_skip`), files that are not
 * loadable programs (object files, say) are skipped; named ones are errors. */
static int add_program(struct mux_spaces *s, const char *path, bool quiet_skip, char *err,
                       size_t errlen)
{
    struct elf_file *elf;
    const struct elf_segment *segs;
    if (elf_file_open(path, &elf, err, errlen) != 0)
        return quiet_skip ? 0 : -1;
    if (elf_segments(elf, &segs) == 0) {
        elf_file_close(elf);
        if (quiet_skip)
            return 0;
        snprintf(err, errlen, "user program %s: no loadable segment (an object file?)", path);
        return -1;
    }
    struct mux_program *grown = realloc(s->programs, (s->nprograms + 1) * sizeof *grown);
    char *copy = strdup(path);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            s->programs = grown;
        elf_file_close(elf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->programs = grown;
    struct mux_program *p = &s->programs[s->nprograms++];
    *p = (struct mux_program){ .path = copy, .elf = elf };
    const char *base = strrchr(copy, '/');
    snprintf(p->name, sizeof p->name, "%s", base ? base + 1 : copy);
    char *dot = strrchr(p->name, '.');
    if (dot && strcmp(dot, ".elf") == 0)
        *dot = '\0';
    return 0;
}

/* A file worth trying in a directory: regular, starting with ELF's magic. */
static bool looks_like_elf(const char *path)
{
    unsigned char magic[4];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(magic, 1, 4, f);
    fclose(f);
    return n == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

static int add_directory(struct mux_spaces *s, const char *dir, char *err, size_t errlen)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), rc = 0;
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (rc == 0 && names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode) && looks_like_elf(path))
            rc = add_program(s, path, true, err, errlen);
        free(names[i]);
    }
    free(names);
    return rc;
}

static int read_candidate(void *arg, size_t candidate, uint64_t vaddr, void *buf, size_t len)
{
    struct mux_spaces *s = arg;
    char err[160];
    return elf_read(s->programs[candidate].elf, vaddr, buf, len, err, sizeof err);
}

/* A fingerprint plan over every program's loaded segments. */
static int plan_fingerprint(struct mux_spaces *s, char *err, size_t errlen)
{
    struct fp_segments *segs = calloc(s->nprograms, sizeof *segs);
    struct fp_segment *all = NULL;
    size_t total = 0, at = 0;
    for (size_t i = 0; segs && i < s->nprograms; i++) {
        const struct elf_segment *es;
        total += elf_segments(s->programs[i].elf, &es);
    }
    if (!segs || !(all = calloc(total ? total : 1, sizeof *all))) {
        free(segs);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->nprograms; i++) {
        const struct elf_segment *es;
        size_t n = elf_segments(s->programs[i].elf, &es);
        segs[i] = (struct fp_segments){ .seg = all + at, .nseg = n,
                                        .entry = elf_file_entry(s->programs[i].elf) };
        for (size_t j = 0; j < n; j++, at++)
            all[at] = (struct fp_segment){ es[j].vaddr, es[j].memsz, es[j].flags };
    }
    int rc = fp_plan_build(&s->plan, s->nprograms, segs, read_candidate, s, 4, err, errlen);
    free(all);
    free(segs);
    return rc;
}

/* ------------------------------------------------------------ spaces */

int spaces_init(struct mux_spaces *s, const struct mux_spacecfg *sc, char *err, size_t errlen)
{
    *s = (struct mux_spaces){ .next_pid = SPACE_KERNEL_PID };
    if (!spaces_add(s, 0, 0, -1)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sc->nprograms; i++) {
        struct stat st;
        const char *path = sc->programs[i];
        int rc;
        if (stat(path, &st) != 0) {
            snprintf(err, errlen, "user program %s: %s", path, strerror(errno));
            rc = -1;
        } else {
            rc = S_ISDIR(st.st_mode) ? add_directory(s, path, err, errlen)
                                     : add_program(s, path, false, err, errlen);
        }
        if (rc != 0) {
            spaces_free(s);
            return -1;
        }
    }
    if (s->nprograms && plan_fingerprint(s, err, errlen) != 0) {
        spaces_free(s);
        return -1;
    }
    return 0;
}

void spaces_free(struct mux_spaces *s)
{
    for (size_t i = 0; i < s->n; i++) {
        bpl_free(&s->v[i]->bps);
        free(s->v[i]);
    }
    free(s->v);
    for (size_t i = 0; i < s->nprograms; i++) {
        elf_file_close(s->programs[i].elf);
        free(s->programs[i].path);
    }
    free(s->programs);
    fp_plan_free(&s->plan);
    *s = (struct mux_spaces){ 0 };
}

struct mux_space *spaces_kernel(const struct mux_spaces *s)
{
    return s->n ? s->v[0] : NULL;
}

struct mux_space *spaces_by_pid(const struct mux_spaces *s, unsigned pid)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i]->pid == pid)
            return s->v[i];
    }
    return NULL;
}

struct mux_space *spaces_by_key(const struct mux_spaces *s, uint64_t key)
{
    for (size_t i = 1; i < s->n; i++) {
        if (s->v[i]->state == SPACE_LIVE && s->v[i]->key == key)
            return s->v[i];
    }
    return NULL;
}

struct mux_space *spaces_add(struct mux_spaces *s, uint64_t key, uint64_t satp, int program)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct mux_space **grown = realloc(s->v, cap * sizeof *grown);
        if (!grown)
            return NULL;
        s->v = grown;
        s->cap = cap;
    }
    struct mux_space *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    *sp = (struct mux_space){ .pid = s->next_pid++, .key = key, .satp = satp,
                              .program = program, .state = SPACE_LIVE };
    s->v[s->n++] = sp;
    return sp;
}

const char *space_path(const struct mux_spaces *s, const struct mux_space *sp)
{
    return sp->program >= 0 ? s->programs[sp->program].path : NULL;
}

const char *space_name(const struct mux_spaces *s, const struct mux_space *sp)
{
    if (sp->pid == SPACE_KERNEL_PID)
        return "kernel";
    return sp->program >= 0 ? s->programs[sp->program].name : "?";
}
