/* The router: runs the guest for GDB with the right breakpoints in QEMU,
 * follows the CPU across address spaces where it must, and tells GDB which
 * process each stop belongs to.
 *
 * User breakpoints are resident: they stay in QEMU whichever process runs,
 * and a breakpoint of another process that fires anyway (user programs
 * share addresses) is a false hit, stepped over silently. An address that
 * keeps firing in other processes (user.conflict_hits false hits) becomes
 * followed: its groups are swapped at context switches, found by the hooks
 * ("swap_groups": "always" follows every address from the start):
 *   OFF      no hooks armed: the guest runs at full speed. Nothing is
 *            followed and nothing needs tracking.
 *   TRACK    exec and exit hooks only (rare events): new processes are
 *            announced to GDB before they run, so pending breakpoints reach
 *            them, and exits are reported (the process is found by its
 *            kernel stack, user.trap_frame.kernel_sp).
 *   KNOWN    the CPU will return to user mode in last_user, whose followed
 *            breakpoints are inserted: only a context switch, an exec or an
 *            exit can change that, so those hooks are armed and a plain
 *            system call costs nothing.
 *   UNKNOWN  after a switch: the enter_user hook (the sret of the return
 *            path) catches the next entry to user mode, which is identified
 *            by satp (a fingerprint of its memory the first time), and the
 *            followed groups are swapped there; exec and exit stay armed.
 * Memory of other spaces and trap-frame registers are in spacemem.c.
 * A hook is never armed at the PC the CPU resumes from, so no single step is
 * needed to get past one. */
#define _POSIX_C_SOURCE 200809L

#include "router.h"
#include "router_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"
#include "log.h"
#include "mux.h"
#include "session.h"

#define SSTATUS_SPP (1ull << 8)
#define HOOK_KIND 4                /* our Z0 kind: tells hooks from GDB's in logs */
#define NEW_SPACE_PATIENCE 64      /* enter_user hits waiting for a new space before giving up */

enum phase {
    PH_IDLE,
    PH_RUN,            /* GDB's resume: the next stop may be GDB's */
    PH_STEP_INTO,      /* stepped into the kernel: running to the step_into point */
    PH_STEP_OVER,      /* scoped step over a system call: running back to the process */
    PH_RETURN,         /* continue from the return path: running to user mode */
    PH_NEW_STEP,       /* stepping the sret into a new process, to announce it */
    PH_RETURN_STEP,    /* stepping the sret back into the process, to report it */
    PH_CLEANUP,        /* the client left while the guest ran for it */
    PH_FALSE_STEP,     /* stepping a process over another's breakpoint */
};

static void after_stop(struct router *r);
static void go(struct router *r, bool step);
static void report(struct router *r, unsigned signal);
void rt_finish(struct router *r, const char *payload, size_t len);
static void reconcile(struct router *r, bool step, void (*then)(struct router *r));

/* ---------------------------------------------------------------- batches */

static void on_batch_reply(void *arg, int status, const uint8_t *p, size_t len)
{
    struct router *r = arg;
    unsigned i = r->batch_total - r->batch_pending;
    r->round_trips++;
    if (status == QEMU_LOST) {
        r->batch_lost = true;
    } else {
        rsp_buf_clear(&r->replies[i]);
        rsp_buf_append(&r->replies[i], p, len);
        if (len >= 1 && p[0] == 'E')
            r->batch_failed = true;
    }
    if (--r->batch_pending == 0 && r->batch_done)
        r->batch_done(r);
}

void rt_batch_begin(struct router *r)
{
    r->batch_total = r->batch_pending = 0;
    r->batch_lost = r->batch_failed = false;
}

void rt_batch_add(struct router *r, const char *fmt, ...)
{
    char pkt[RT_PACKET_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(pkt, sizeof pkt, fmt, ap);
    va_end(ap);
    if (r->batch_total >= ROUTER_BATCH_MAX || n < 0 || (size_t)n >= sizeof pkt) {
        log_error("router: batch overflow on '%.20s'", pkt);
        r->batch_failed = true;
        return;
    }
    if (qemu_request(&r->mux->qemu, pkt, (size_t)n, QREQ_PIPELINE, on_batch_reply, NULL, r) != 0) {
        r->batch_lost = true;
        return;
    }
    r->batch_total++;
    r->batch_pending++;
}

/* Runs `done` once every request added since rt_batch_begin is answered. */
void rt_batch_run(struct router *r, void (*done)(struct router *r))
{
    r->batch_done = done;
    if (r->batch_pending == 0)
        done(r);
}

bool rt_reply_ok(const struct router *r, unsigned i)
{
    return r->replies[i].len == 2 && memcmp(r->replies[i].data, "OK", 2) == 0;
}

/* A register value from a 'p' reply (little-endian hex, as QEMU sends it). */
int rt_reply_reg(const struct router *r, unsigned i, uint64_t *v)
{
    const struct rsp_buf *b = &r->replies[i];
    uint8_t bytes[8] = { 0 };
    if (b->len < 2 || b->len > 16 || b->len % 2 || rsp_hex_decode(b->data, b->len / 2, bytes) != 0)
        return -1;
    *v = rt_le(bytes, b->len / 2);
    return 0;
}

/* ----------------------------------------------------------- scope, groups */

/* Is process `pid` resumed? A resume of one thread ("s:p4.1" alone) is GDB
 * stepping over a breakpoint: GDB then insists on the stop coming from that
 * thread (it asserts so), so an ecall stepped that way is stepped over. */
static unsigned scope_of(const struct router *r)
{
    return r->req.scope;
}

static bool in_scope(const struct router *r, unsigned pid)
{
    return scope_of(r) == 0 || scope_of(r) == pid;
}

static bool cpu_in_user(const struct router *r)
{
    return r->cpu_known && r->priv == PRIV_U;
}

/* The user space whose group belongs in QEMU: where the CPU is or will be. */
static struct mux_space *active_user(const struct router *r)
{
    if (cpu_in_user(r) && r->cur && r->cur->pid != SPACE_KERNEL_PID)
        return r->cur;
    if (r->mode == HM_KNOWN || r->mode == HM_OFF)
        return r->last_user;
    /* UNKNOWN: the CPU is in the kernel, where user addresses do not run;
     * the group in QEMU stays until the enter_user hook names the next
     * space, and is swapped only if that is another one. */
    return r->mode == HM_UNKNOWN ? r->group_user : NULL;
}

static bool hooks_configured(const struct router *r, enum mux_hook_kind k)
{
    return r->hooks.n[k] > 0;
}

/* New processes are announced as they start, so that GDB sets their
 * breakpoints before they run. Not while GDB resumes one process only
 * (schedule-multiple off): the announcement would make GDB resume the new
 * process alone from then on, and the kernel's breakpoints would sleep. */
static bool announcing(const struct router *r)
{
    return r->cfg->report_new && scope_of(r) == 0;
}

static bool followed(const struct router *r, uint64_t addr)
{
    return bpc_followed(&r->conflicts, addr);
}

/* Does some process in scope have a followed breakpoint (one whose group
 * must be swapped at context switches)? */
static bool followed_bps(const struct router *r)
{
    for (size_t i = 1; i < r->spaces.n; i++) {
        const struct mux_space *sp = r->spaces.v[i];
        if (sp->state != SPACE_LIVE || !in_scope(r, sp->pid))
            continue;
        for (size_t j = 0; j < sp->bps.n; j++) {
            if (followed(r, sp->bps.v[j].addr))
                return true;
        }
    }
    return false;
}

/* Exits are caught by the exit hook wherever the CPU is when the kernel's
 * stack pointer names the process (user.trap_frame.kernel_sp); otherwise
 * only while the CPU is followed (KNOWN). */
static bool exits_found_by_stack(const struct router *r)
{
    return r->cfg->has_trap_frame && r->cfg->has_tf_kernel_sp && hooks_configured(r, MUX_HOOK_EXIT);
}

static bool tracking_exits(const struct router *r)
{
    if (!r->cfg->report_exit || !exits_found_by_stack(r))
        return false;
    for (size_t i = 1; i < r->spaces.n; i++) {
        const struct mux_space *sp = r->spaces.v[i];
        if (sp->state == SPACE_LIVE && sp->announced && in_scope(r, sp->pid))
            return true;
    }
    return false;
}

/* Hook mode for a resume from the current CPU state. The CPU is followed
 * through every switch (KNOWN/UNKNOWN) while some followed group must be
 * swapped, or while a new process is expected (an exec hook fired: its first
 * entry to user mode comes after a switch or right after the exec). */
static enum hook_mode choose_mode(const struct router *r)
{
    if (!r->client || !hooks_configured(r, MUX_HOOK_ENTER_USER))
        return HM_OFF;
    if (!followed_bps(r) && !r->pending_new) {
        bool track = (announcing(r) && hooks_configured(r, MUX_HOOK_EXEC)) || tracking_exits(r);
        return track ? HM_TRACK : HM_OFF;
    }
    bool known = cpu_in_user(r) || r->last_user;
    return known && hooks_configured(r, MUX_HOOK_SWITCH) ? HM_KNOWN : HM_UNKNOWN;
}

static void add_hooks(const struct router *r, struct bp_list *d, enum mux_hook_kind k)
{
    for (size_t i = 0; i < r->hooks.n[k]; i++) {
        uint64_t a = r->hooks.at[k][i];
        if (!(r->cpu_known && a == r->pc))    /* never at the PC we resume from */
            bpl_add(d, (struct mux_bp){ 0, a, HOOK_KIND });
    }
}

static void add_group(struct bp_list *d, const struct mux_space *sp)
{
    for (size_t i = 0; sp && i < sp->bps.n; i++)
        bpl_add(d, sp->bps.v[i]);
}

/* The resident (want_followed false) or the followed breakpoints of a user space. */
static void add_user_bps(const struct router *r, struct bp_list *d, const struct mux_space *sp,
                         bool want_followed)
{
    for (size_t i = 0; i < sp->bps.n; i++) {
        if (followed(r, sp->bps.v[i].addr) == want_followed)
            bpl_add(d, sp->bps.v[i]);
    }
}

/* What QEMU should hold for the next resume. */
static void desired(const struct router *r, struct bp_list *d, bool step)
{
    if (!r->client)
        return;
    if (in_scope(r, SPACE_KERNEL_PID))
        add_group(d, spaces_kernel(&r->spaces));
    for (size_t i = 1; i < r->spaces.n; i++) {
        const struct mux_space *sp = r->spaces.v[i];
        if (sp->state == SPACE_LIVE && in_scope(r, sp->pid))
            add_user_bps(r, d, sp, false);
    }
    struct mux_space *u = active_user(r);
    if (u && u->state == SPACE_LIVE && in_scope(r, u->pid))
        add_user_bps(r, d, u, true);
    if (r->temp_active && !(r->cpu_known && r->temp_bp == r->pc))
        bpl_add(d, (struct mux_bp){ 0, r->temp_bp, HOOK_KIND });
    if (step)
        return;
    switch (r->mode) {
    case HM_OFF:
        break;
    case HM_TRACK:
        add_hooks(r, d, MUX_HOOK_EXEC);
        if (tracking_exits(r))
            add_hooks(r, d, MUX_HOOK_EXIT);
        break;
    case HM_KNOWN:
        add_hooks(r, d, MUX_HOOK_SWITCH);
        add_hooks(r, d, MUX_HOOK_EXEC);
        add_hooks(r, d, MUX_HOOK_EXIT);
        break;
    case HM_UNKNOWN:
        /* exec and exit stay armed across the cycle: each Z/z costs a round
         * trip, and the hook only matters when it fires. */
        add_hooks(r, d, MUX_HOOK_ENTER_USER);
        add_hooks(r, d, MUX_HOOK_EXEC);
        add_hooks(r, d, MUX_HOOK_EXIT);
        break;
    }
    if (r->phase == PH_STEP_OVER || r->phase == PH_RETURN)
        add_hooks(r, d, MUX_HOOK_ENTER_USER);
}

/* ------------------------------------------------------------- reconcile */

static void reconcile(struct router *r, bool step, void (*then)(struct router *r));
static void reconcile_done(struct router *r)
{
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);   /* the resume sent behind the batch fails too */
        return;
    }
    for (unsigned i = 0; i < r->batch_total; i++) {
        if (!rt_reply_ok(r, i)) {
            log_warn("router: QEMU refused %c%llx,%llx,%llx: '%.*s'", r->batch_op[i] > 0 ? 'Z' : 'z',
                     (unsigned long long)r->batch_bp[i].type, (unsigned long long)r->batch_bp[i].addr,
                     (unsigned long long)r->batch_bp[i].kind, (int)r->replies[i].len,
                     (const char *)r->replies[i].data);
            if (r->batch_op[i] > 0)
                continue;   /* not inserted; a failed removal is dropped all the same */
        }
        if (r->batch_op[i] > 0)
            bpl_add(&r->inserted, r->batch_bp[i]);
        else
            bpl_remove(&r->inserted, r->batch_bp[i]);
    }
    /* More changes than one batch holds: go round again. */
    if (r->batch_total == ROUTER_BATCH_MAX)
        reconcile(r, r->reconcile_step, r->reconcile_then);
    else
        r->reconcile_then(r);
}

/* Removes from QEMU what should not be there and inserts what should, then
 * calls `then`. Removals go first so that QEMU never holds both groups. */
static void reconcile(struct router *r, bool step, void (*then)(struct router *r))
{
    struct bp_list want = { 0 };
    desired(r, &want, step);
    rt_batch_begin(r);
    r->reconcile_then = then;
    r->reconcile_step = step;
    struct bp_list seen = { 0 };
    for (size_t i = 0; i < r->inserted.n && r->batch_total < ROUTER_BATCH_MAX; i++) {
        struct mux_bp bp = r->inserted.v[i];
        bpl_add(&seen, bp);
        if (bpl_count(&seen, bp) > bpl_count(&want, bp)) {
            r->batch_bp[r->batch_total] = bp;
            r->batch_op[r->batch_total] = -1;
            rt_batch_add(r, "z%llx,%llx,%llx", (unsigned long long)bp.type,
                      (unsigned long long)bp.addr, (unsigned long long)bp.kind);
        }
    }
    bpl_clear(&seen);
    for (size_t i = 0; i < want.n && r->batch_total < ROUTER_BATCH_MAX; i++) {
        struct mux_bp bp = want.v[i];
        bpl_add(&seen, bp);
        if (bpl_count(&seen, bp) > bpl_count(&r->inserted, bp)) {
            r->batch_bp[r->batch_total] = bp;
            r->batch_op[r->batch_total] = 1;
            rt_batch_add(r, "Z%llx,%llx,%llx", (unsigned long long)bp.type,
                      (unsigned long long)bp.addr, (unsigned long long)bp.kind);
        }
    }
    bpl_free(&seen);
    bpl_free(&want);
    /* The resume waits for the batch's replies, not just goes out behind
     * it: our '+' for each reply would reach a running QEMU, which halts on
     * any byte. */
    rt_batch_run(r, reconcile_done);
}

/* ------------------------------------------------------------ identify */

/* Which user space runs under r->satp: cached by satp; the first time (or
 * when an exec may have replaced it), by the fingerprint of its memory. */
static void ident_read_probe(struct router *r);

static void ident_done(struct router *r, int candidate)
{
    struct mux_space *sp = r->ident_space;
    if (sp && sp->program == candidate) {
        sp->stale = false;
    } else {
        if (sp) {
            /* An exec, or the process exited unseen and its page table (or
             * key) was reused: either way that process is gone. */
            log_info("process %u (%s) is gone: satp 0x%llx now runs %s", sp->pid,
                     space_name(&r->spaces, sp), (unsigned long long)r->satp,
                     candidate >= 0 ? r->spaces.programs[candidate].name : "another program");
            sp->state = SPACE_EXITED;
            bpl_clear(&sp->bps);
            if (r->group_user == sp)
                r->group_user = NULL;
            if (r->last_user == sp)
                r->last_user = NULL;
        }
        sp = spaces_add(&r->spaces, r->ident_key, r->satp, candidate);
        if (sp && r->cfg->identify == MUX_IDENTIFY_VARIABLE)
            log_info("new address space: process %u, %s, satp 0x%llx, %s %llu", sp->pid,
                     space_name(&r->spaces, sp), (unsigned long long)r->satp, r->cfg->variable,
                     (unsigned long long)r->ident_key);
        else if (sp)
            log_info("new address space: process %u, %s, satp 0x%llx", sp->pid,
                     space_name(&r->spaces, sp), (unsigned long long)r->satp);
    }
    r->ident_then(r, sp);
}

static void ident_probe_read(struct router *r, int status)
{
    const struct fp_plan *plan = &r->spaces.plan;
    if (status != 0) {
        log_warn("identifying satp 0x%llx: %s", (unsigned long long)r->satp, r->mem_err);
        ident_done(r, -1);
        return;
    }
    rsp_buf_append(&r->fp_bytes, r->mem.data, r->mem.len);
    if (++r->ident_probe < plan->nprobes) {
        ident_read_probe(r);
        return;
    }
    size_t candidate;
    char msg[200];
    if (fp_plan_match(plan, r->fp_bytes.data, r->fp_bytes.len, &candidate, msg, sizeof msg) != 0) {
        log_warn("satp 0x%llx runs none of the user programs: %s", (unsigned long long)r->satp,
                 msg);
        ident_done(r, -1);
        return;
    }
    ident_done(r, (int)candidate);
}

static void ident_read_probe(struct router *r)
{
    const struct fp_probe *p = &r->spaces.plan.probes[r->ident_probe];
    rt_mem_start(r, r->satp, cpu_in_user(r), p->vaddr, p->len, NULL, ident_probe_read);
}

static void ident_lookup(struct router *r)
{
    struct mux_space *sp = spaces_by_key(&r->spaces, r->ident_key);
    r->ident_space = sp;
    if (sp && sp->satp != r->satp) {
        sp->stale = true;       /* same process, another page table: an exec */
        sp->satp = r->satp;
    }
    if (sp && (!sp->stale || r->cfg->identify == MUX_IDENTIFY_SATP)) {
        sp->stale = false;
        r->ident_then(r, sp);
        return;
    }
    if (r->spaces.nprograms == 0 || r->spaces.plan.nprobes == 0) {
        ident_done(r, sp ? sp->program : -1);
        return;
    }
    rsp_buf_clear(&r->fp_bytes);
    r->ident_probe = 0;
    ident_read_probe(r);
}

static void ident_key_read(struct router *r, int status)
{
    uint64_t v = 0;
    if (status != 0) {
        log_warn("reading %s: %s; identifying by satp", r->cfg->variable, r->mem_err);
        v = r->satp;
    } else {
        v = rt_le(r->mem.data, r->mem.len);
    }
    r->ident_key = v;
    ident_lookup(r);
}

/* The space's key: satp, or the kernel variable the config names (read
 * through the kernel's page table; an identity mapping before it is known). */
static void identify(struct router *r, void (*then)(struct router *r, struct mux_space *sp))
{
    r->ident_then = then;
    if (r->cfg->identify == MUX_IDENTIFY_VARIABLE) {
        rt_mem_start(r, r->kernel_satp, false, r->var_addr, r->cfg->variable_size, NULL,
                  ident_key_read);
        return;
    }
    r->ident_key = r->satp;
    ident_lookup(r);
}

/* ------------------------------------------------------------- the CPU */

static void read_cpu_done(struct router *r)
{
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    unsigned i = r->cpu_read_pc ? 1 : 0;
    if ((r->cpu_read_pc && rt_reply_reg(r, 0, &r->pc) != 0) ||
        rt_reply_reg(r, i, &r->priv) != 0 || rt_reply_reg(r, i + 1, &r->satp) != 0) {
        log_error("router: cannot read pc/priv/satp from QEMU ('%.*s')", (int)r->replies[0].len,
                  (const char *)r->replies[0].data);
        r->cpu_known = false;
        rt_finish(r, "E.rspmux: cannot read the CPU state from QEMU", 45);
        return;
    }
    r->cpu_known = true;
    r->satp_known = true;
    if (r->priv == PRIV_S && !hooks_in_alias(&r->hooks, r->pc) && r->kernel_satp != r->satp) {
        log_debug("kernel satp 0x%llx (pc 0x%llx)", (unsigned long long)r->satp,
                  (unsigned long long)r->pc);
        r->kernel_satp = r->satp;
    }
    r->cpu_then(r);
}

/* Reads the privilege mode and satp, and the pc too unless `pc_read` (a
 * stop's first read was the pc), then calls `then`. */
static void read_cpu(struct router *r, bool pc_read, void (*then)(struct router *r))
{
    r->cpu_then = then;
    r->cpu_read_pc = !pc_read;
    rt_batch_begin(r);
    if (!pc_read)
        rt_batch_add(r, "p%x", r->reg_pc);
    rt_batch_add(r, "p%x", r->reg_priv);
    rt_batch_add(r, "p%x", r->reg_satp);
    rt_batch_run(r, read_cpu_done);
}

/* ------------------------------------------------------------- replies */

void rt_finish(struct router *r, const char *payload, size_t len)
{
    struct session *s = r->client;
    if (!r->busy)
        return;   /* answered already (a lost batch, then its resume) */
    if (!s && payload && r->cleanup_then) {
        /* The client left mid-sequence: nobody wants this stop; clean up. */
        r->phase = PH_CLEANUP;
        reconcile(r, false, r->cleanup_then);
        return;
    }
    r->busy = false;
    r->phase = PH_IDLE;
    r->interrupt = false;
    if (!s)
        return;
    if (!payload)
        session_router_lost(s);
    else
        session_router_reply(s, payload, len);
}

static unsigned thread_pid(const struct router *r, const struct mux_space *sp)
{
    (void)r;
    return sp ? sp->pid : SPACE_KERNEL_PID;
}

/* "T05" + QEMU's stop reason (watch:addr; swbreak:; ...), or `extra`
 * instead, + our thread. */
static void send_stop(struct router *r, struct mux_space *sp, unsigned signal, const char *extra)
{
    struct rsp_buf reply;
    rsp_buf_init(&reply);
    rsp_buf_printf(&reply, "T%02x", signal & 0xff);
    if (extra)
        rsp_buf_append_str(&reply, extra);
    else if (r->stop_reason[0] && strstr(r->stop_reason, "watch"))
        rsp_buf_printf(&reply, "%s:%llx;", r->stop_reason,
                       (unsigned long long)r->stop_reason_addr);
    else if (r->stop_reason[0])
        rsp_buf_printf(&reply, "%s:;", r->stop_reason);
    rsp_buf_printf(&reply, "thread:p%x.1;", thread_pid(r, sp));
    r->cur = sp;
    if (sp)
        sp->announced = true;
    r->gdb_stops++;
    if (reply.failed)
        rt_finish(r, "E0c", 3);
    else
        rt_finish(r, (const char *)reply.data, reply.len);
    rsp_buf_free(&reply);
}

/* A user breakpoint of another process fired in this one: not GDB's stop. */
static bool false_hit(const struct router *r, const struct mux_space *sp)
{
    struct mux_bp probe;
    bool other = false;
    for (size_t i = 0; i < r->inserted.n; i++) {
        probe = r->inserted.v[i];
        if (probe.addr != r->pc || probe.kind == HOOK_KIND)
            continue;
        if (bpl_count(&sp->bps, probe) || bpl_count(&spaces_kernel(&r->spaces)->bps, probe))
            return false;
        other = true;
    }
    return other;
}

/* Will QEMU hold one of GDB's breakpoints at addr on the next resume? */
static bool desired_at(const struct router *r, uint64_t addr)
{
    struct bp_list want = { 0 };
    bool found = false;
    desired(r, &want, true);
    for (size_t i = 0; i < want.n && !found; i++)
        found = want.v[i].addr == addr && want.v[i].kind != HOOK_KIND;
    bpl_free(&want);
    return found;
}

/* Another process's breakpoint stopped `sp`: it goes on. While the address
 * stays resident the process is stepped past it (QEMU's single step ignores
 * breakpoints); once it is followed, the groups are swapped instead. */
static void pass_false_hit(struct router *r, struct mux_space *sp)
{
    bool now_followed;
    r->false_hits++;
    bpc_false_hit(&r->conflicts, r->pc, &now_followed);
    if (now_followed)
        log_info("breakpoint address 0x%llx also runs in other programs (%u false hits): its "
                 "groups are swapped at context switches from now on",
                 (unsigned long long)r->pc, bpc_hits(&r->conflicts, r->pc));
    else
        log_debug("breakpoint at 0x%llx belongs to another process; process %u goes on",
                  (unsigned long long)r->pc, sp->pid);
    r->cur = sp;
    r->last_user = sp;
    r->mode = choose_mode(r);
    if (desired_at(r, r->pc)) {
        r->phase = PH_FALSE_STEP;
        go(r, true);
    } else {
        go(r, false);
    }
}

static void report_user(struct router *r, struct mux_space *sp)
{
    unsigned signal = r->report_signal;
    if (sp && signal == 5 && r->phase == PH_RUN && !r->req.step && false_hit(r, sp)) {
        pass_false_hit(r, sp);
        return;
    }
    if (sp)
        r->last_user = sp;
    send_stop(r, sp, signal, NULL);
}

/* A stop GDB sees, in whichever process the CPU is. */
static void report(struct router *r, unsigned signal)
{
    r->report_signal = signal;
    r->temp_active = false;
    if (r->priv == PRIV_U) {
        identify(r, report_user);
        return;
    }
    send_stop(r, spaces_kernel(&r->spaces), signal, NULL);
}

/* --------------------------------------------------------------- hooks */

static void on_enter_user(struct router *r, struct mux_space *sp);

static void enter_user_sstatus(struct router *r)
{
    uint64_t sstatus = 0;
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    if (rt_reply_reg(r, 0, &sstatus) == 0 && (sstatus & SSTATUS_SPP)) {
        go(r, false);            /* this sret returns to the kernel, not to user mode */
        return;
    }
    if (rt_reply_reg(r, 1, &r->satp) != 0) {
        rt_finish(r, "E.rspmux: cannot read satp from QEMU", 36);
        return;
    }
    r->satp_known = true;
    identify(r, on_enter_user);
}

/* Process `sp` (NULL: unknown) exits with `code`. */
static void process_exits(struct router *r, struct mux_space *sp, uint64_t code)
{
    r->last_user = NULL;
    if (r->mode == HM_KNOWN)
        r->mode = HM_UNKNOWN;
    if (!sp || sp->pid == SPACE_KERNEL_PID) {
        go(r, false);            /* we do not know which process it was */
        return;
    }
    sp->state = SPACE_EXITED;
    bpl_clear(&sp->bps);
    if (r->group_user == sp)
        r->group_user = NULL;
    log_info("process %u (%s) exits with code %llu", sp->pid, space_name(&r->spaces, sp),
             (unsigned long long)code);
    if (!r->cfg->report_exit || !sp->announced || !in_scope(r, sp->pid)) {
        go(r, false);
        return;
    }
    char reply[48];
    int n = snprintf(reply, sizeof reply, "W%02x;process:%x", (unsigned)(code & 0xff), sp->pid);
    if (r->cur == sp)
        r->cur = spaces_kernel(&r->spaces);
    r->gdb_stops++;
    rt_finish(r, reply, (size_t)n);
}

/* The process in the kernel is the one whose kernel stack holds sp: the
 * nearest kernel stack top at or above it (stacks are far below 1 MiB). */
static struct mux_space *owner_of_stack(const struct router *r, uint64_t sp)
{
    struct mux_space *best = NULL;
    for (size_t i = 1; i < r->spaces.n; i++) {
        struct mux_space *s = r->spaces.v[i];
        if (s->state != SPACE_LIVE || !s->kstack || s->kstack < sp || s->kstack - sp >= (1u << 20))
            continue;
        if (!best || s->kstack < best->kstack)
            best = s;
    }
    return best;
}

static void exit_scan_next(struct router *r);

static void exit_kstack_read(struct router *r, int status)
{
    struct mux_space *sp = r->spaces.v[r->exit_scan];
    if (status == 0 && r->mem.len >= 8) {
        sp->kstack = rt_le(r->mem.data, 8);
    } else {
        log_debug("kernel stack of process %u: %s", sp->pid, r->mem_err);
    }
    r->exit_scan++;
    exit_scan_next(r);
}

/* Reads the kernel stack pointer of every live process not read yet (once
 * each: it is fixed for a process's life), then names the exiting one. */
static void exit_scan_next(struct router *r)
{
    for (; r->exit_scan < r->spaces.n; r->exit_scan++) {
        struct mux_space *sp = r->spaces.v[r->exit_scan];
        if (sp->state == SPACE_LIVE && sp->satp && !sp->kstack) {
            rt_mem_start(r, sp->satp, false, r->cfg->trap_frame + r->cfg->tf_kernel_sp, 8, NULL,
                         exit_kstack_read);
            return;
        }
    }
    process_exits(r, owner_of_stack(r, r->exit_sp), r->exit_code);
}

static void exit_regs_read(struct router *r)
{
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    r->exit_code = 0;
    rt_reply_reg(r, 0, &r->exit_code);
    if (r->mode == HM_KNOWN && r->last_user) {
        process_exits(r, r->last_user, r->exit_code);
        return;
    }
    if (!exits_found_by_stack(r) || rt_reply_reg(r, 1, &r->exit_sp) != 0) {
        process_exits(r, NULL, r->exit_code);   /* after a switch: whose exit it is, we cannot tell */
        return;
    }
    r->exit_scan = 1;
    exit_scan_next(r);
}

/* The CPU stopped at one of our hooks. Returns false if pc is no hook. */
static bool handle_hook(struct router *r)
{
    r->hook_stops++;
    log_debug("hook stop at 0x%llx (mode %s)", (unsigned long long)r->pc,
              router_mode_name(r->mode));
    if (hooks_match(&r->hooks, MUX_HOOK_EXIT, r->pc)) {
        rt_batch_begin(r);
        rt_batch_add(r, "p%x", r->reg_a0);
        rt_batch_add(r, "p%x", r->reg_sp);
        rt_batch_run(r, exit_regs_read);
        return true;
    }
    if (hooks_match(&r->hooks, MUX_HOOK_EXEC, r->pc)) {
        if (r->pending_new < 8)
            r->pending_new++;
        r->idle_srets = 0;
        if (r->last_user)
            r->last_user->stale = true;   /* an exec may be replacing it */
        r->last_user = NULL;
        r->mode = choose_mode(r);
        go(r, false);
        return true;
    }
    if (hooks_match(&r->hooks, MUX_HOOK_SWITCH, r->pc)) {
        r->last_user = NULL;
        r->mode = HM_UNKNOWN;
        r->switches++;
        go(r, false);
        return true;
    }
    if (hooks_match(&r->hooks, MUX_HOOK_ENTER_USER, r->pc)) {
        rt_batch_begin(r);
        rt_batch_add(r, "p%x", r->reg_sstatus);
        rt_batch_add(r, "p%x", r->reg_satp);
        rt_batch_run(r, enter_user_sstatus);
        return true;
    }
    return false;
}

static void on_enter_user(struct router *r, struct mux_space *sp)
{
    if (!sp) {
        go(r, false);
        return;
    }
    sp->entries++;
    r->last_user = sp;
    bool fresh = !sp->announced;
    if (fresh) {
        r->pending_new = r->pending_new ? r->pending_new - 1 : 0;
        r->idle_srets = 0;
    } else if (r->pending_new && ++r->idle_srets > NEW_SPACE_PATIENCE) {
        r->pending_new = 0;     /* the fork or spawn failed, or made no new space */
        r->idle_srets = 0;
    }
    if (fresh && announcing(r) && r->phase == PH_RUN) {
        r->phase = PH_NEW_STEP;       /* step the sret: GDB meets it in user mode */
        go(r, true);
        return;
    }
    if ((r->phase == PH_STEP_OVER && sp->pid == r->req.scope) || r->phase == PH_RETURN) {
        r->phase = PH_RETURN_STEP;
        go(r, true);
        return;
    }
    r->mode = choose_mode(r);
    go(r, false);
}

/* ------------------------------------------------------------ stepping */

/* GDB's single step took the CPU from user mode into the kernel. */
static void stepped_into_kernel(struct router *r)
{
    if (in_scope(r, SPACE_KERNEL_PID) && r->hooks.n[MUX_HOOK_STEP_INTO]) {
        r->phase = PH_STEP_INTO;
        r->temp_bp = r->hooks.at[MUX_HOOK_STEP_INTO][0];
        r->temp_active = true;
        r->mode = choose_mode(r);
        go(r, false);
    } else if (!in_scope(r, SPACE_KERNEL_PID) && hooks_configured(r, MUX_HOOK_ENTER_USER)) {
        /* GDB resumed this process only: the system call is one instruction. */
        r->phase = PH_STEP_OVER;
        r->mode = choose_mode(r);
        go(r, false);
    } else {
        report(r, r->stop.signal);
    }
}

static void announce_new(struct router *r, struct mux_space *sp)
{
    r->mode = choose_mode(r);
    if (!sp) {
        report(r, 5);
        return;
    }
    /* An exec event makes GDB add the process (a stop in a process it did not
     * know is accepted), load the program into it and resume by itself. The
     * program is named, so an inferior GDB reuses (one whose process exited)
     * gets the new program instead of keeping the old one. */
    const char *path = space_path(&r->spaces, sp);
    if (!path) {
        send_stop(r, sp, 5, "library:;");
        return;
    }
    struct rsp_buf ev;
    rsp_buf_init(&ev);
    rsp_buf_append_str(&ev, "exec:");
    rsp_buf_append_hex(&ev, path, strlen(path));
    rsp_buf_append(&ev, ";", 2);   /* with its NUL: send_stop takes a C string */
    send_stop(r, sp, 5, ev.failed ? "library:;" : (const char *)ev.data);
    rsp_buf_free(&ev);
}

static void after_stop(struct router *r)
{
    if (!r->client || r->phase == PH_CLEANUP) {
        r->phase = PH_CLEANUP;
        reconcile(r, false, r->cleanup_then);
        return;
    }
    unsigned sig = r->stop.signal;
    if (r->interrupt || sig == 2) {
        report(r, 2);
        return;
    }
    switch (r->phase) {
    case PH_NEW_STEP:
        if (r->priv == PRIV_U) {
            identify(r, announce_new);
            return;
        }
        break;
    case PH_RETURN_STEP:
        report(r, 0);     /* signal 0: GDB says "stopped", not "SIGTRAP" */
        return;
    case PH_FALSE_STEP:
        /* Past the other process's breakpoint. A breakpoint of this process
         * at the new pc makes QEMU stop again at once. */
        r->phase = PH_RUN;
        r->mode = choose_mode(r);
        go(r, false);
        return;
    case PH_STEP_INTO:
        if (r->temp_active && r->pc == r->temp_bp) {
            report(r, 0);
            return;
        }
        break;
    default:
        break;
    }
    /* (Hook stops never get here: stop_pc_read took them.) */
    if (r->phase == PH_RUN && r->req.step && r->prev_priv == PRIV_U && r->priv == PRIV_S) {
        stepped_into_kernel(r);
        return;
    }
    report(r, sig);
}

/* ------------------------------------------------------------ resuming */

static void on_resume_output(void *arg, const uint8_t *p, size_t len)
{
    struct router *r = arg;
    if (r->client)
        session_router_output(r->client, p, len);
}

/* A stop at one of our hooks needs nothing but the pc: hooks are kernel
 * code, and most of them need no other register. Any other stop reads the
 * privilege mode and satp too. */
static bool hook_stop(const struct router *r)
{
    if (!bpl_count(&r->inserted, (struct mux_bp){ 0, r->pc, HOOK_KIND }) || r->interrupt ||
        (r->temp_active && r->pc == r->temp_bp) ||
        r->stop.signal != 5 || (r->phase == PH_RUN && r->req.step) ||
        r->phase == PH_NEW_STEP || r->phase == PH_RETURN_STEP || r->phase == PH_CLEANUP ||
        r->phase == PH_FALSE_STEP)
        return false;
    for (size_t i = 0; i < r->inserted.n; i++) {
        if (r->inserted.v[i].addr == r->pc && r->inserted.v[i].kind != HOOK_KIND)
            return false;   /* GDB's breakpoint is here too: GDB sees this stop */
    }
    return true;
}

static void kernel_satp_read(struct router *r)
{
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    if (rt_reply_reg(r, 0, &r->satp) == 0) {
        r->satp_known = true;
        r->kernel_satp = r->satp;
        log_debug("kernel satp 0x%llx (pc 0x%llx)", (unsigned long long)r->satp,
                  (unsigned long long)r->pc);
    }
    if (!handle_hook(r))
        read_cpu(r, true, after_stop);
}

static void stop_pc_read(struct router *r)
{
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    if (rt_reply_reg(r, 0, &r->pc) != 0) {
        rt_finish(r, "E.rspmux: cannot read pc from QEMU", 34);
        return;
    }
    if (r->client && hook_stop(r)) {
        r->cpu_known = true;
        r->priv = PRIV_S;
        r->satp_known = false;
        if (!r->kernel_satp && !hooks_in_alias(&r->hooks, r->pc)) {
            rt_batch_begin(r);           /* once: the kernel's page table, for its memory */
            rt_batch_add(r, "p%x", r->reg_satp);
            rt_batch_run(r, kernel_satp_read);
            return;
        }
        if (handle_hook(r))
            return;
    }
    read_cpu(r, true, after_stop);
}

static void on_stop(void *arg, int status, const uint8_t *p, size_t len)
{
    struct router *r = arg;
    r->round_trips++;
    if (status == QEMU_LOST) {
        rt_finish(r, NULL, 0);
        return;
    }
    struct rsp_stop st;
    if (rsp_parse_stop(p, len, &st) != 0 || (st.kind != 'T' && st.kind != 'S')) {
        rt_finish(r, (const char *)p, len);   /* W/X: QEMU's own end */
        return;
    }
    r->stop = st;
    r->stop_reason[0] = '\0';
    if (st.reason && st.reason_len < sizeof r->stop_reason) {
        memcpy(r->stop_reason, st.reason, st.reason_len);
        r->stop_reason[st.reason_len] = '\0';
    }
    r->stop.reason = NULL;        /* pointed into QEMU's reply */
    r->stop_reason_addr = st.reason_addr;
    sv39_tlb_flush(&r->tlb);      /* the guest ran: its page tables may have changed */
    rt_batch_begin(r);
    rt_batch_add(r, "p%x", r->reg_pc);
    rt_batch_run(r, stop_pc_read);
}

static void send_resume(struct router *r, bool step)
{
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    const char *pkt = step ? "vCont;s" : "vCont;c";
    r->cpu_known = false;
    if (qemu_request(&r->mux->qemu, pkt, strlen(pkt), QREQ_RESUME | QREQ_OUTPUT, on_stop,
                     on_resume_output, r) != 0)
        rt_finish(r, NULL, 0);
}

static void send_step(struct router *r)
{
    send_resume(r, true);
}

static void send_cont(struct router *r)
{
    send_resume(r, false);
}

/* Puts the right breakpoints in QEMU and resumes it. A Ctrl-C that came
 * while we were between resumes is a stop right here instead. */
static void go(struct router *r, bool step)
{
    if (r->interrupt && r->client && r->phase != PH_CLEANUP) {
        report(r, 2);
        return;
    }
    if (!r->client) {
        /* The client left mid-sequence: remove what it and we put in QEMU,
         * and let the guest go on for nobody (router_client_gone). */
        r->phase = PH_CLEANUP;
        reconcile(r, false, r->cleanup_then);
        return;
    }
    if (r->mode == HM_OFF || r->mode == HM_TRACK)
        r->last_user = NULL;     /* not followed: by the next stop it may be anyone */
    r->group_user = active_user(r);
    reconcile(r, step, step ? send_step : send_cont);
}

/* ------------------------------------------------------------ clients */

/* The client left: QEMU holds none of its breakpoints any more; the guest
 * runs on if it ran for that client. */
static void cleanup_log(struct router *r)
{
    if (r->cleanup_removed)
        log_info("removed %zu breakpoint%s the client left in QEMU", r->cleanup_removed,
                 r->cleanup_removed == 1 ? "" : "s");
    r->cleanup_removed = 0;
}

static void cleanup_resume(struct router *r)
{
    cleanup_log(r);
    r->busy = false;
    r->phase = PH_IDLE;
    r->mode = HM_OFF;
    mux_resume_unattended(r->mux);
}

static void cleanup_stay(struct router *r)
{
    cleanup_log(r);
    r->busy = false;
    r->phase = PH_IDLE;
    r->mode = HM_OFF;
}

void router_client_attached(struct router *r, struct session *s)
{
    r->client = s;
    r->hint_given = false;
}

void router_client_gone(struct router *r, struct session *s, bool resume)
{
    if (r->client != s)
        return;
    r->client = NULL;
    r->cleanup_removed = 0;
    for (size_t i = 0; i < r->spaces.n; i++) {
        r->cleanup_removed += r->spaces.v[i]->bps.n;
        bpl_clear(&r->spaces.v[i]->bps);
    }
    r->temp_active = false;
    if (!qemu_ready(&r->mux->qemu)) {
        r->busy = false;
        return;
    }
    if (r->busy) {
        /* Mid-sequence or running: the sequence ends in a cleanup. */
        r->cleanup_then = cleanup_resume;
        r->phase = PH_CLEANUP;
        if (qemu_resumed_by(&r->mux->qemu, r))
            qemu_interrupt(&r->mux->qemu);
        return;
    }
    r->busy = true;
    r->phase = PH_CLEANUP;
    reconcile(r, false, resume ? cleanup_resume : cleanup_stay);
}

int router_bp(struct router *r, unsigned pid, bool insert, struct mux_bp bp)
{
    struct mux_space *sp = spaces_by_pid(&r->spaces, pid);
    if (!sp || sp->state != SPACE_LIVE)
        return -1;
    if (insert)
        return bpl_add(&sp->bps, bp);
    bpl_remove(&sp->bps, bp);
    return 0;
}

void router_forget_process(struct router *r, unsigned pid)
{
    struct mux_space *sp = spaces_by_pid(&r->spaces, pid);
    if (sp)
        bpl_clear(&sp->bps);
}

/* ------------------------------------------------------------ requests */

static bool out_of_scope_bps(const struct router *r)
{
    for (size_t i = 0; i < r->spaces.n; i++) {
        const struct mux_space *sp = r->spaces.v[i];
        if (sp->state == SPACE_LIVE && sp->bps.n && !in_scope(r, sp->pid))
            return true;
    }
    return false;
}

static void start_resume(struct router *r)
{
    r->prev_priv = r->priv;
    if (!r->req.step && r->priv == PRIV_S && hooks_in_return_path(&r->hooks, r->pc) &&
        hooks_configured(r, MUX_HOOK_ENTER_USER))
        r->phase = PH_RETURN;   /* finish/next out of the return path: stop in user mode */
    r->mode = choose_mode(r);
    go(r, r->req.step);
}

void router_resume(struct router *r, struct session *s, const struct resume_req *req)
{
    r->client = s;
    r->busy = true;
    r->req = *req;
    r->phase = PH_RUN;
    r->interrupt = false;
    r->temp_active = false;
    if (req->scope && !req->one_thread && !r->hint_given && out_of_scope_bps(r)) {
        r->hint_given = true;
        session_console(s, "rspmux: GDB resumed only one process (schedule-multiple is off), "
                           "so breakpoints in the kernel and in other processes are not armed.\n"
                           "rspmux: use 'set schedule-multiple on' (or: source "
                           "configs/rspmux.gdb) to debug them all at once.\n");
    }
    if (r->cpu_known)
        start_resume(r);
    else
        read_cpu(r, false, start_resume);
}

static void query_identified(struct router *r, struct mux_space *sp)
{
    send_stop(r, sp, r->stop.signal, NULL);
}

static void query_cpu_read(struct router *r)
{
    if (r->priv == PRIV_U)
        identify(r, query_identified);
    else
        send_stop(r, spaces_kernel(&r->spaces), r->stop.signal, NULL);
}

static void query_answered(struct router *r)
{
    struct rsp_stop st;
    if (r->batch_lost) {
        rt_finish(r, NULL, 0);
        return;
    }
    bpl_clear(&r->inserted);    /* QEMU 7.2's '?' removes every breakpoint */
    if (rsp_parse_stop(r->replies[0].data, r->replies[0].len, &st) != 0 ||
        (st.kind != 'T' && st.kind != 'S')) {
        rt_finish(r, (const char *)r->replies[0].data, r->replies[0].len);
        return;
    }
    r->stop = st;
    r->stop.reason = NULL;
    r->stop_reason[0] = '\0';
    read_cpu(r, false, query_cpu_read);
}

void router_query(struct router *r, struct session *s, const uint8_t *pkt, size_t len)
{
    rt_start_request(r, s);
    rt_batch_begin(r);
    rt_batch_add(r, "%.*s", (int)len, (const char *)pkt);
    rt_batch_run(r, query_answered);
}

void rt_start_request(struct router *r, struct session *s)
{
    r->client = s;
    r->busy = true;
    r->phase = PH_IDLE;
}

void router_interrupt(struct router *r)
{
    if (!r->busy || r->phase == PH_CLEANUP)
        return;
    r->interrupt = true;
    if (qemu_resumed_by(&r->mux->qemu, r))
        qemu_interrupt(&r->mux->qemu);
}

bool router_on_cpu(const struct router *r, unsigned pid)
{
    return router_current_pid(r) == pid;
}

unsigned router_current_pid(const struct router *r)
{
    return r->cur ? r->cur->pid : SPACE_KERNEL_PID;
}

/* ------------------------------------------------------------ backend */

static void find_reg(struct router *r, const char *name, unsigned *num, bool *ok)
{
    if (tdesc_regnum(&r->mux->qemu.tdesc, name, num) != 0) {
        log_warn("QEMU's target description has no register '%s': address spaces are off",
                 name);
        *ok = false;
    }
}

void router_qemu_ready(struct router *r)
{
    bool ok = true;
    find_reg(r, "pc", &r->reg_pc, &ok);
    find_reg(r, "priv", &r->reg_priv, &ok);
    find_reg(r, "satp", &r->reg_satp, &ok);
    find_reg(r, "sstatus", &r->reg_sstatus, &ok);
    find_reg(r, "a0", &r->reg_a0, &ok);
    find_reg(r, "sp", &r->reg_sp, &ok);
    r->regs_known = ok;
    r->cpu_known = false;
    bpl_clear(&r->inserted);
}

void router_qemu_lost(struct router *r)
{
    /* The guest may come back rebooted: its processes are gone. */
    bpl_clear(&r->inserted);
    r->cpu_known = false;
    for (size_t i = 1; i < r->spaces.n; i++) {
        r->spaces.v[i]->state = SPACE_EXITED;
        bpl_clear(&r->spaces.v[i]->bps);
    }
    r->cur = spaces_kernel(&r->spaces);
    r->last_user = NULL;
    r->group_user = NULL;
    r->mode = HM_OFF;
    r->pending_new = 0;
}

/* ------------------------------------------------------------ lifetime */

int router_init(struct router *r, struct mux *m, const struct mux_spacecfg *cfg,
                const char *kernel_path, const char *source, char *err, size_t errlen)
{
    *r = (struct router){ .mux = m, .cfg = cfg };
    bpc_init(&r->conflicts, cfg->swap_always ? 0 : cfg->conflict_hits);
    for (int i = 0; i < ROUTER_BATCH_MAX; i++)
        rsp_buf_init(&r->replies[i]);
    rsp_buf_init(&r->mem);
    rsp_buf_init(&r->fp_bytes);
    if (spaces_init(&r->spaces, cfg, err, errlen) != 0)
        return -1;
    r->cur = spaces_kernel(&r->spaces);
    if (kernel_path) {
        uint64_t size;
        char msg[256];
        if (elf_file_open(kernel_path, &r->kernel, err, errlen) != 0 ||
            hooks_resolve(&r->hooks, cfg, r->kernel, source, err, errlen) != 0) {
            router_free(r);
            return -1;
        }
        if (cfg->identify == MUX_IDENTIFY_VARIABLE &&
            elf_symbol(r->kernel, cfg->variable, &r->var_addr, &size, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: user.variable: %s", source, msg);
            router_free(r);
            return -1;
        }
        for (int k = 0; k < MUX_HOOK_COUNT; k++) {
            for (size_t i = 0; i < r->hooks.n[k]; i++)
                log_debug("hook %s at 0x%llx", mux_hook_name((enum mux_hook_kind)k),
                          (unsigned long long)r->hooks.at[k][i]);
        }
        log_debug("%zu user program%s, fingerprint: %zu probe%s of %zu bytes",
                  r->spaces.nprograms, r->spaces.nprograms == 1 ? "" : "s",
                  r->spaces.plan.nprobes, r->spaces.plan.nprobes == 1 ? "" : "s",
                  r->spaces.plan.nbytes);
    } else if (cfg->hooks[MUX_HOOK_ENTER_USER].n || cfg->identify == MUX_IDENTIFY_VARIABLE) {
        snprintf(err, errlen, "%s: hooks need the kernel ELF (kernel.elf or --kernel)", source);
        router_free(r);
        return -1;
    }
    return 0;
}

void router_free(struct router *r)
{
    for (int i = 0; i < ROUTER_BATCH_MAX; i++)
        rsp_buf_free(&r->replies[i]);
    rsp_buf_free(&r->mem);
    rsp_buf_free(&r->fp_bytes);
    bpl_free(&r->inserted);
    bpc_free(&r->conflicts);
    hooks_free(&r->hooks);
    spaces_free(&r->spaces);
    elf_file_close(r->kernel);
    r->kernel = NULL;
}

/* ------------------------------------------------------------ monitor */

const char *router_mode_name(enum hook_mode m)
{
    static const char *const names[] = { "off", "track", "known", "unknown" };
    return m <= HM_UNKNOWN ? names[m] : "?";
}

void router_describe_spaces(const struct router *r, struct rsp_buf *out)
{
    rsp_buf_printf(out, "%-5s %-12s %-18s %-7s %-4s %s\n", "pid", "program", "satp", "state",
                   "bps", "");
    for (size_t i = 0; i < r->spaces.n; i++) {
        const struct mux_space *sp = r->spaces.v[i];
        const char *mark = sp == r->cur ? "on CPU at last stop" : sp == r->last_user ? "returns to user next" : "";
        rsp_buf_printf(out, "%-5u %-12s 0x%-16llx %-7s %-4zu %s\n", sp->pid,
                       space_name(&r->spaces, sp),
                       (unsigned long long)(sp->pid == SPACE_KERNEL_PID ? r->kernel_satp : sp->satp),
                       sp->state == SPACE_LIVE ? "live" : "exited", sp->bps.n, mark);
    }
    rsp_buf_printf(out, "hooks: %s; %lu switches, %lu hook stops, %lu stops for GDB, "
                   "%lu gdbstub round trips, %lu false hits\n", router_mode_name(r->mode),
                   r->switches, r->hook_stops, r->gdb_stops, r->round_trips, r->false_hits);
    if (r->conflicts.limit == 0) {
        rsp_buf_append_str(out, "user breakpoints: swapped at every context switch\n");
        return;
    }
    rsp_buf_printf(out, "user breakpoints: resident; an address is swapped at context "
                   "switches after %u false hits", r->conflicts.limit);
    const char *sep = "; swapped now:";
    for (size_t i = 0; i < r->conflicts.n; i++) {
        if (r->conflicts.v[i].hits < r->conflicts.limit)
            continue;
        rsp_buf_printf(out, "%s 0x%llx", sep, (unsigned long long)r->conflicts.v[i].addr);
        sep = ",";
    }
    rsp_buf_append_str(out, "\n");
}

size_t router_gdb_bps(const struct router *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->spaces.n; i++)
        n += r->spaces.v[i]->state == SPACE_LIVE ? r->spaces.v[i]->bps.n : 0;
    return n;
}

void router_log_stats(const struct router *r)
{
    log_info("router: %lu switches, %lu hook stops, %lu stops for GDB, %lu gdbstub round trips, "
             "%lu false hits", r->switches, r->hook_stops, r->gdb_stops, r->round_trips,
             r->false_hits);
}
