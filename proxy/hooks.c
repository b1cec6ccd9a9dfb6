/* Hook points: the configured code locations resolved against the kernel
 * ELF to the addresses the CPU runs them at (through trampoline aliases). */
#define _POSIX_C_SOURCE 200809L

#include "hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"

static int resolve_aliases(struct hooks *h, const struct mux_spacecfg *sc,
                           struct elf_file *kernel, const char *source, char *err,
                           size_t errlen)
{
    char msg[256];
    if (!sc->naliases)
        return 0;
    h->alias_link = calloc(sc->naliases, sizeof *h->alias_link);
    h->alias_run = calloc(sc->naliases, sizeof *h->alias_run);
    if (!h->alias_link || !h->alias_run) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sc->naliases; i++) {
        const struct mux_alias *a = &sc->aliases[i];
        uint64_t link = a->link, size;
        if (a->symbol && elf_symbol(kernel, a->symbol, &link, &size, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: %s: %s", source, a->where, msg);
            return -1;
        }
        h->alias_link[i] = (struct mux_range){ link, link + a->size };
        h->alias_run[i] = (struct mux_range){ a->run, a->run + a->size };
        h->nalias++;
    }
    return 0;
}

/* [start, end) may end exactly at 2^64 (end == 0): a trampoline's last page. */
static bool in_range(uint64_t a, struct mux_range r)
{
    return a - r.start < r.end - r.start;
}

static uint64_t run_address(const struct hooks *h, uint64_t link)
{
    for (size_t i = 0; i < h->nalias; i++) {
        if (in_range(link, h->alias_link[i]))
            return h->alias_run[i].start + (link - h->alias_link[i].start);
    }
    return link;
}

uint64_t hooks_link_address(const struct hooks *h, uint64_t pc)
{
    for (size_t i = 0; i < h->nalias; i++) {
        if (in_range(pc, h->alias_run[i]))
            return h->alias_link[i].start + (pc - h->alias_run[i].start);
    }
    return pc;
}

bool hooks_in_alias(const struct hooks *h, uint64_t pc)
{
    return hooks_link_address(h, pc) != pc;
}

/* One point's link address, and for a symbol its size (else 0). */
static int resolve_point(const struct mux_point *p, struct elf_file *kernel, uint64_t *addr,
                         uint64_t *size, char *msg, size_t msglen)
{
    uint32_t match, mask;
    unsigned actual;
    *size = 0;
    switch (p->kind) {
    case MUX_POINT_ADDRESS:
        *addr = p->value;
        return 0;
    case MUX_POINT_FUNCTION:
        return elf_function_body(kernel, p->text, addr, msg, msglen);
    case MUX_POINT_LINE: {
        char file[512];
        const char *colon = strrchr(p->text, ':');
        snprintf(file, sizeof file, "%.*s", (int)(colon - p->text), p->text);
        return elf_line_address(kernel, file, (unsigned)strtoul(colon + 1, NULL, 10), addr,
                                &actual, msg, msglen);
    }
    case MUX_POINT_SYMBOL:
        break;
    }
    if (elf_symbol(kernel, p->text, addr, size, msg, msglen) != 0)
        return -1;
    if (p->instruction) {
        if (elf_riscv_insn(p->instruction, &match, &mask) != 0) {
            snprintf(msg, msglen, "unknown instruction '%s' (known: sret, mret, dret, ecall, "
                     "ebreak, c.ebreak, wfi, sfence.vma, fence.i, nop, c.nop)", p->instruction);
            return -1;
        }
        if (elf_find_insn(kernel, *addr, *size, match, mask, p->instruction, addr, msg,
                          msglen) != 0)
            return -1;
        *size = 0;
    }
    *addr += p->value;
    return 0;
}

static int push_addr(struct hooks *h, enum mux_hook_kind k, uint64_t a)
{
    uint64_t *grown = realloc(h->at[k], (h->n[k] + 1) * sizeof *grown);
    if (!grown)
        return -1;
    h->at[k] = grown;
    h->at[k][h->n[k]++] = a;
    return 0;
}

static int push_range(struct hooks *h, uint64_t start, uint64_t end)
{
    struct mux_range *grown = realloc(h->ret, (h->nret + 1) * sizeof *grown);
    if (!grown)
        return -1;
    h->ret = grown;
    h->ret[h->nret++] = (struct mux_range){ start, end };
    return 0;
}

int hooks_resolve(struct hooks *h, const struct mux_spacecfg *sc, struct elf_file *kernel,
                  const char *source, char *err, size_t errlen)
{
    char msg[256];
    *h = (struct hooks){ 0 };
    if (resolve_aliases(h, sc, kernel, source, err, errlen) != 0)
        goto fail;
    for (int k = 0; k < MUX_HOOK_COUNT; k++) {
        for (size_t i = 0; i < sc->hooks[k].n; i++) {
            const struct mux_point *p = &sc->hooks[k].v[i];
            uint64_t addr, size;
            if (resolve_point(p, kernel, &addr, &size, msg, sizeof msg) != 0) {
                snprintf(err, errlen, "%s: %s: %s", source, p->where, msg);
                goto fail;
            }
            int rc = k == MUX_HOOK_RETURN_PATH
                         ? push_range(h, run_address(h, addr), run_address(h, addr) + (size ? size : 2))
                         : push_addr(h, (enum mux_hook_kind)k, run_address(h, addr));
            if (rc != 0) {
                snprintf(err, errlen, "out of memory");
                goto fail;
            }
        }
    }
    return 0;
fail:
    hooks_free(h);
    return -1;
}

void hooks_free(struct hooks *h)
{
    for (int k = 0; k < MUX_HOOK_COUNT; k++)
        free(h->at[k]);
    free(h->ret);
    free(h->alias_link);
    free(h->alias_run);
    *h = (struct hooks){ 0 };
}

bool hooks_match(const struct hooks *h, enum mux_hook_kind k, uint64_t pc)
{
    for (size_t i = 0; i < h->n[k]; i++) {
        if (h->at[k][i] == pc)
            return true;
    }
    return false;
}

bool hooks_in_return_path(const struct hooks *h, uint64_t pc)
{
    for (size_t i = 0; i < h->nret; i++) {
        if (in_range(pc, h->ret[i]))
            return true;
    }
    return false;
}
