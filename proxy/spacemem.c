/* Memory and registers of address spaces that are not the CPU's: Sv39 walks
 * of their page tables through QEMU's physical-memory mode, and the user
 * registers a process left in its trap frame. Part of the router. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "router.h"
#include "router_int.h"
#include "session.h"

/* ------------------------------------------------------ memory of a space */

/* Reads (or writes) [va, va + len) of the address space under `satp`: with
 * plain m/M when `direct` (it is the CPU's own context), else by walking the
 * Sv39 page table in QEMU's physical-memory mode. `then` gets 0 with the
 * bytes in r->mem, or -1 with r->mem_err. */
static void mem_step(struct router *r);
static void mem_finish(struct router *r, int status);

static void mem_direct_done(struct router *r)
{
    const struct rsp_buf *b = &r->replies[0];
    if (r->batch_lost || r->batch_failed || (r->mem_write ? !rt_reply_ok(r, 0) : b->len != r->mem_len * 2)) {
        snprintf(r->mem_err, sizeof r->mem_err, "0x%llx: QEMU cannot access this address",
                 (unsigned long long)r->mem_va);
        r->mem_then(r, -1);
        return;
    }
    if (!r->mem_write) {
        size_t at = r->mem.len;
        rsp_buf_append(&r->mem, b->data, r->mem_len);   /* room, then decode in place */
        if (r->mem.failed || rsp_hex_decode(b->data, b->len / 2, r->mem.data + at) != 0) {
            snprintf(r->mem_err, sizeof r->mem_err, "bad memory reply from QEMU");
            r->mem_then(r, -1);
            return;
        }
    }
    r->mem_then(r, 0);
}

static void batch_mem(struct router *r, const char *cmd, uint64_t addr, size_t n,
                      const uint8_t *bytes)
{
    if (!bytes) {
        rt_batch_add(r, "%s%llx,%zx", cmd, (unsigned long long)addr, n);
        return;
    }
    char hex[MEM_CHUNK * 2 + 1];
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    rt_batch_add(r, "M%llx,%zx:%s", (unsigned long long)addr, n, hex);
}

void rt_mem_start(struct router *r, uint64_t satp, bool direct, uint64_t va, size_t len,
                      const uint8_t *write, void (*then)(struct router *r, int status))
{
    r->mem_satp = satp;
    r->mem_va = va;
    r->mem_len = len;
    r->mem_done = 0;
    r->mem_write = write;
    r->mem_then = then;
    r->mem_err[0] = '\0';
    rsp_buf_clear(&r->mem);
    rt_batch_begin(r);
    if (direct) {
        batch_mem(r, "m", va, len, write);
        rt_batch_run(r, mem_direct_done);
        return;
    }
    rt_batch_add(r, "Qqemu.PhyMemMode:1");
    rt_batch_run(r, mem_step);
}

static void mem_chunk_done(struct router *r)
{
    size_t n = r->mem_write ? 0 : r->replies[0].len / 2;
    if (r->batch_lost || r->batch_failed || (r->mem_write && !rt_reply_ok(r, 0))) {
        snprintf(r->mem_err, sizeof r->mem_err, "0x%llx: physical memory not readable",
                 (unsigned long long)(r->mem_va + r->mem_done));
        mem_finish(r, -1);
        return;
    }
    if (!r->mem_write) {
        size_t at = r->mem.len;
        rsp_buf_append(&r->mem, r->replies[0].data, n);
        if (r->mem.failed || rsp_hex_decode(r->replies[0].data, n, r->mem.data + at) != 0) {
            mem_finish(r, -1);
            return;
        }
    }
    r->mem_done += r->mem_write ? r->mem_chunk_len : n;
    mem_step(r);
}

/* The translation of mem_va + mem_done is known: read or write its run. */
static void mem_chunk(struct router *r, uint64_t pa, uint64_t contig)
{
    size_t n = r->mem_len - r->mem_done;
    if (n > contig)
        n = (size_t)contig;
    if (n > MEM_CHUNK)
        n = MEM_CHUNK;
    r->mem_chunk_len = n;
    rt_batch_begin(r);
    batch_mem(r, "m", pa, n, r->mem_write ? r->mem_write + r->mem_done : NULL);
    rt_batch_run(r, mem_chunk_done);
}

static void mem_pte_done(struct router *r)
{
    uint64_t pte = 0, pte_pa, pa, contig, size;
    unsigned perms;
    const struct rsp_buf *b = &r->replies[0];
    uint8_t raw[8];
    if (r->batch_lost || b->len != 16 || rsp_hex_decode(b->data, 8, raw) != 0) {
        snprintf(r->mem_err, sizeof r->mem_err, "0x%llx: cannot read its page table",
                 (unsigned long long)(r->mem_va + r->mem_done));
        mem_finish(r, -1);
        return;
    }
    pte = rt_le(raw, 8);
    enum sv39_status st = sv39_feed(&r->walk, pte, &pte_pa);
    if (st == SV39_NEED_PTE) {
        rt_batch_begin(r);
        rt_batch_add(r, "m%llx,8", (unsigned long long)pte_pa);
        rt_batch_run(r, mem_pte_done);
        return;
    }
    if (st != SV39_DONE) {
        snprintf(r->mem_err, sizeof r->mem_err, "%s", sv39_fault(&r->walk));
        mem_finish(r, -1);
        return;
    }
    sv39_result(&r->walk, &pa, &contig, &size, &perms);
    sv39_tlb_insert(&r->tlb, r->mem_satp, r->mem_va + r->mem_done, pa, size, perms);
    mem_chunk(r, pa, contig);
}

static void mem_step(struct router *r)
{
    uint64_t va = r->mem_va + r->mem_done, pa, contig, pte_pa;
    if (r->batch_lost) {
        snprintf(r->mem_err, sizeof r->mem_err, "lost the connection to QEMU");
        r->mem_then(r, -1);
        return;
    }
    if (r->mem_done >= r->mem_len) {
        mem_finish(r, 0);
        return;
    }
    if (sv39_tlb_lookup(&r->tlb, r->mem_satp, va, &pa, &contig, NULL, NULL) == 0) {
        mem_chunk(r, pa, contig);
        return;
    }
    enum sv39_status st = sv39_start(&r->walk, r->mem_satp, va, &pte_pa);
    if (st == SV39_DONE) {
        sv39_result(&r->walk, &pa, &contig, NULL, NULL);
        mem_chunk(r, pa, contig);
    } else if (st == SV39_NEED_PTE) {
        rt_batch_begin(r);
        rt_batch_add(r, "m%llx,8", (unsigned long long)pte_pa);
        rt_batch_run(r, mem_pte_done);
    } else {
        snprintf(r->mem_err, sizeof r->mem_err, "%s", sv39_fault(&r->walk));
        mem_finish(r, -1);
    }
}

static void mem_mode_off(struct router *r)
{
    r->mem_then(r, r->batch_lost ? -1 : r->mem_status);
}

static void mem_finish(struct router *r, int status)
{
    r->mem_status = status;
    rt_batch_begin(r);
    rt_batch_add(r, "Qqemu.PhyMemMode:0");
    rt_batch_run(r, mem_mode_off);
}

/* ------------------------------------------------------------ memory */

static void memory_done(struct router *r, int status)
{
    if (status != 0) {
        log_debug("memory of process %u: %s", r->mem_pid, r->mem_err);
        rt_finish(r, "E14", 3);   /* EFAULT: GDB says "Cannot access memory" */
        return;
    }
    if (r->mem_write) {
        rt_finish(r, "OK", 2);
        return;
    }
    struct rsp_buf hex;
    rsp_buf_init(&hex);
    rsp_buf_append_hex(&hex, r->mem.data, r->mem.len);
    if (hex.failed)
        rt_finish(r, "E0c", 3);
    else
        rt_finish(r, (const char *)hex.data, hex.len);
    rsp_buf_free(&hex);
}

/* Can QEMU's m/M reach this space as the CPU stands? */
static bool direct_access(const struct router *r, const struct mux_space *sp, uint64_t *satp)
{
    if (sp->pid == SPACE_KERNEL_PID) {
        *satp = r->kernel_satp;
        return !r->kernel_satp ||
               (r->cpu_known && r->satp_known && r->priv == PRIV_S && r->satp == r->kernel_satp);
    }
    *satp = sp->satp;
    return !sp->satp || (r->cpu_known && r->satp_known && r->satp == sp->satp);
}

void router_memory(struct router *r, struct session *s, unsigned pid, uint64_t addr,
                   size_t len, const uint8_t *write_bytes)
{
    struct mux_space *sp = spaces_by_pid(&r->spaces, pid);
    uint64_t satp;
    rt_start_request(r, s);
    if (!sp || sp->state != SPACE_LIVE) {
        rt_finish(r, "E.rspmux: no such process", 25);
        return;
    }
    r->mem_pid = pid;
    bool direct = direct_access(r, sp, &satp);
    rt_mem_start(r, satp, direct, addr, len, write_bytes, memory_done);
}

/* ------------------------------------------------- another process's registers */

static void put_reg(struct rsp_buf *out, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    rsp_buf_append_hex(out, b, 8);
}

static uint64_t frame_word(const struct router *r, unsigned offset)
{
    return rt_le(r->mem.data + offset, 8);
}

/* The user registers a process left in its trap frame when it entered the
 * kernel, as 'g' (x0..x31, pc) or one 'p'. */
static void frame_read(struct router *r, int status)
{
    const struct mux_spacecfg *c = r->cfg;
    struct rsp_buf out;
    if (status != 0) {
        log_debug("trap frame of process %u: %s", r->mem_pid, r->mem_err);
        rt_finish(r, "E14", 3);
        return;
    }
    rsp_buf_init(&out);
    for (unsigned n = 0; n <= 32; n++) {
        if (r->reg_wanted >= 0 && (unsigned)r->reg_wanted != n)
            continue;
        put_reg(&out, n == 0 ? 0 : n == 32 ? frame_word(r, c->tf_pc)
                                           : frame_word(r, c->tf_x1 + 8 * (n - 1)));
    }
    if (r->reg_wanted > 32)
        rsp_buf_append_str(&out, "xxxxxxxxxxxxxxxx");
    if (out.failed)
        rt_finish(r, "E0c", 3);
    else
        rt_finish(r, (const char *)out.data, out.len);
    rsp_buf_free(&out);
}

bool router_has_frame(const struct router *r, unsigned pid, int regnum)
{
    const struct mux_space *sp = spaces_by_pid(&r->spaces, pid);
    return r->cfg->has_trap_frame && sp && sp->pid != SPACE_KERNEL_PID &&
           sp->state == SPACE_LIVE && sp->satp && (regnum <= 32 || regnum == -1);
}

void router_frame_registers(struct router *r, struct session *s, unsigned pid, int regnum)
{
    const struct mux_spacecfg *c = r->cfg;
    struct mux_space *sp = spaces_by_pid(&r->spaces, pid);
    unsigned end = c->tf_pc > c->tf_x1 + 31 * 8 ? c->tf_pc + 8 : c->tf_x1 + 31 * 8;
    uint64_t satp;
    bool direct = direct_access(r, sp, &satp);
    rt_start_request(r, s);
    r->mem_pid = pid;
    r->reg_wanted = regnum;
    rt_mem_start(r, satp, direct, c->trap_frame, end, NULL, frame_read);
}
