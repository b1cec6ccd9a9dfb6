/* The GDB-facing session: one client connection, its packets dispatched by a
 * const table, each answered exactly once — locally, or by QEMU. */
#define _GNU_SOURCE  /* memmem */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostio.h"
#include "log.h"
#include "monitor.h"

/* Packets wait at most this long for QEMU to come up, staying under GDB's
 * default 2 s remotetimeout, before they are answered with an error. */
#define HOLD_MS 1500

/* What the one forwarded request in flight is, to act on its reply. */
enum pending_kind { PEND_PLAIN, PEND_RESUME, PEND_QSUPPORTED, PEND_MONITOR, PEND_MASK,
                    PEND_ROUTER };

struct held {                     /* a packet waiting for QEMU */
    struct held *next;
    size_t len;
    uint8_t data[];
};

struct session {
    struct conn conn;
    struct mux *mux;
    struct session *next;         /* in mux->sessions */
    bool detached;                /* after 'D': its interrupts are not ours to pass */
    bool refused;                 /* a second client: answer once, then close */
    bool busy;                    /* a request is with QEMU */
    bool gone;                    /* the connection closed */
    enum pending_kind pending;
    struct held *held_head, *held_tail;
    uv_timer_t hold_timer;
    bool gdb_multiprocess;
    unsigned hg_pid;              /* the process GDB's Hg selected (0: the last stop's) */
    uint8_t *write_buf;           /* an M packet's bytes while the router writes them */
    bool mask_single, mask_keep_pc;  /* a PEND_MASK reply: 'p' or 'g', keep the pc */
    struct hostio hostio;         /* files GDB opened with vFile:open */
    uint64_t connected_ms;
    char peer[64];
};

static void handle_packet(struct session *s, const uint8_t *pkt, size_t len);

/* ------------------------------------------------------------- replies */

static void reply(struct session *s, const void *payload, size_t len)
{
    conn_send_packet(&s->conn, payload, len);
}

static void reply_str(struct session *s, const char *text)
{
    reply(s, text, strlen(text));
}

/* Console text for GDB as 'O' packets (only while GDB waits for a reply). */
static void send_console(struct session *s, const char *text, size_t len)
{
    struct rsp_buf o;
    rsp_buf_init(&o);
    for (size_t at = 0; at < len; at += 512) {
        size_t n = len - at < 512 ? len - at : 512;
        rsp_buf_clear(&o);
        rsp_buf_append_str(&o, "O");
        rsp_buf_append_hex(&o, text + at, n);
        if (!o.failed)
            reply(s, o.data, o.len);
    }
    rsp_buf_free(&o);
}

/* ----------------------------------------------------------- forwarding */

static void next_packet(struct session *s);

/* Builds our qSupported reply from QEMU's: its features, plus no-ack mode
 * (toward GDB only) and the exec-file we serve. */
static void on_feature(void *arg, const struct rsp_feature *f)
{
    struct rsp_buf *out = arg;
    /* Ours, or QEMU's that would show GDB QEMU's threads instead of our processes. */
    static const char *const ours[] = { "QStartNoAckMode", "qXfer:exec-file:read",
                                        "qXfer:threads:read" };
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
        if (f->name_len == strlen(ours[i]) && memcmp(f->name, ours[i], f->name_len) == 0)
            return;
    }
    if (out->len)
        rsp_buf_append_str(out, ";");
    rsp_buf_append(out, f->name, f->name_len);
    if (f->support == '=') {
        rsp_buf_append_str(out, "=");
        rsp_buf_append(out, f->value, f->value_len);
    } else {
        rsp_buf_append(out, &f->support, 1);
    }
}

static void reply_qsupported(struct session *s, const uint8_t *p, size_t len)
{
    struct rsp_buf out;
    rsp_buf_init(&out);
    if (rsp_parse_features(p, len, on_feature, &out) != 0) {
        char text[120];
        log_warn("qemu: malformed qSupported reply, relayed as it is: %s",
                 mux_log_escape(p, len, text, sizeof text));
        rsp_buf_append(&out, p, len);
    }
    rsp_buf_append_str(&out, out.len ? ";QStartNoAckMode+" : "QStartNoAckMode+");
    if (s->mux->kernel_path)
        rsp_buf_append_str(&out, ";qXfer:exec-file:read+");
    if (!out.failed)
        reply(s, out.data, out.len);
    rsp_buf_free(&out);
}

static void on_qemu_reply(void *arg, int status, const uint8_t *p, size_t len)
{
    struct session *s = arg;
    s->busy = false;
    if (status == QEMU_LOST) {
        if (s->pending == PEND_RESUME) {
            static const char msg[] = "rspmux: lost the connection to QEMU\n";
            send_console(s, msg, sizeof msg - 1);
            reply_str(s, "X09");
        } else {
            reply_str(s, "E.rspmux: lost the connection to QEMU");
        }
    } else if (s->pending == PEND_QSUPPORTED) {
        reply_qsupported(s, p, len);
    } else if (s->pending == PEND_MASK && !(len >= 1 && p[0] == 'E')) {
        /* A process that is not on the CPU: its registers are unavailable,
         * all but the pc, which is the CPU's (GDB needs a pc to resume). */
        char *masked = malloc(len ? len : 1);
        size_t pc_at = (size_t)s->mux->router.reg_pc * 16;
        if (masked) {
            memset(masked, 'x', len);
            if (s->mask_keep_pc && pc_at + 16 <= len)
                memcpy(masked + pc_at, p + pc_at, 16);
            else if (s->mask_keep_pc && s->mask_single)
                memcpy(masked, p, len);
            reply(s, masked, len);
            free(masked);
        }
    } else {
        reply(s, p, len);
    }
    next_packet(s);
}

static void on_qemu_output(void *arg, const uint8_t *p, size_t len)
{
    struct session *s = arg;
    reply(s, p, len);
}

static int forward(struct session *s, const uint8_t *pkt, size_t len, enum pending_kind kind,
                   unsigned flags)
{
    s->pending = kind;
    if (qemu_request(&s->mux->qemu, pkt, len, flags, on_qemu_reply, on_qemu_output, s) != 0) {
        reply_str(s, "E.rspmux: QEMU is not connected");
        return RSP_DEFERRED;   /* replied just now */
    }
    s->busy = true;
    return RSP_DEFERRED;
}

/* -------------------------------------------------------------- handlers */

/* The packet being dispatched, for handlers that forward it as is. */
struct dispatch_ctx {
    struct session *s;
    const uint8_t *pkt;
    size_t len;
};

static int on_qsupported(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)out;
    d->s->gdb_multiprocess = memmem(args->a[0].str, args->a[0].len, "multiprocess+", 13) != NULL;
    return forward(d->s, d->pkt, d->len, PEND_QSUPPORTED, 0);
}

static int on_no_ack(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)args;
    /* The '+' for this packet is already out; OK is the last acked reply
     * (queued behind any unacked one), and GDB's '+' for it is ignored. */
    conn_send_packet(&d->s->conn, "OK", 2);
    conn_acks_off(&d->s->conn);
    (void)out;
    return RSP_DEFERRED; /* replied above, before acks were switched off */
}

static int on_features_read(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const struct tdesc_file *f =
        tdesc_find(&d->s->mux->qemu.tdesc, (const char *)args->a[0].str, args->a[0].len);
    if (!f) {
        rsp_buf_append_str(out, "E00");
        return RSP_HANDLED;
    }
    xfer_reply(out, f->data, f->len, args->a[1].num, args->a[2].num);
    return RSP_HANDLED;
}

/* ---------------------------------------------------- processes, threads */

/* The process a thread id names; 0 for "any" or "all", or a malformed id
 * (then the process of the last stop is meant). */
static unsigned parse_thread_pid(const uint8_t *t, size_t len)
{
    struct rsp_thread_id id;
    if (rsp_parse_thread_id(t, len, &id) != 0 || !id.has_pid || id.pid <= 0 ||
        id.pid > 0xffffffffLL)
        return 0;
    return (unsigned)id.pid;
}

static unsigned selected_pid(const struct session *s)
{
    return s->hg_pid ? s->hg_pid : router_current_pid(&s->mux->router);
}

static int on_set_thread(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const uint8_t *t = args->a[0].str;
    size_t len = args->a[0].len;
    if (len >= 1 && t[0] == 'g') {
        unsigned pid = parse_thread_pid(t + 1, len - 1);
        const struct mux_space *sp = spaces_by_pid(&d->s->mux->router.spaces, pid);
        if (pid && (!sp || sp->state != SPACE_LIVE)) {
            rsp_buf_append_str(out, "E.rspmux: no such process");
            return RSP_HANDLED;
        }
        d->s->hg_pid = pid;
    }
    rsp_buf_append_str(out, "OK");   /* Hc: the resume actions say who runs */
    return RSP_HANDLED;
}

static int on_current_thread(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)args;
    rsp_buf_printf(out, "QCp%x.1", router_current_pid(&d->s->mux->router));
    return RSP_HANDLED;
}

static bool listed(const struct mux_space *sp)
{
    return sp->state == SPACE_LIVE;
}

/* One 'm' reply lists every process, so qsThreadInfo only ends the list. */
static int on_thread_list_first(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const struct mux_spaces *sp = &d->s->mux->router.spaces;
    (void)args;
    rsp_buf_append_str(out, "m");
    for (size_t i = 0, n = 0; i < sp->n; i++) {
        if (listed(sp->v[i])) {
            rsp_buf_printf(out, "%sp%x.1", n++ ? "," : "", sp->v[i]->pid);
            sp->v[i]->announced = true;   /* GDB adds the processes it finds here */
        }
    }
    return RSP_HANDLED;
}

static int on_thread_list_next(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    (void)ctx, (void)args;
    rsp_buf_append_str(out, "l");
    return RSP_HANDLED;
}

static int on_thread_alive(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    unsigned pid = parse_thread_pid(args->a[0].str, args->a[0].len);
    const struct mux_space *sp = spaces_by_pid(&d->s->mux->router.spaces, pid);
    rsp_buf_append_str(out, sp && sp->state == SPACE_LIVE ? "OK" : "E01");
    return RSP_HANDLED;
}

static int on_thread_extra(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const struct router *r = &d->s->mux->router;
    unsigned pid = parse_thread_pid(args->a[0].str, args->a[0].len);
    const struct mux_space *sp = spaces_by_pid(&r->spaces, pid);
    char text[160];
    if (!sp) {
        rsp_buf_append_str(out, "E01");
        return RSP_HANDLED;
    }
    int n = snprintf(text, sizeof text, "%s%s", space_name(&r->spaces, sp),
                     router_on_cpu(r, pid) ? ", on the CPU" : "");
    rsp_buf_append_hex(out, text, (size_t)n);
    return RSP_HANDLED;
}

static int on_attached(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    (void)ctx, (void)args;
    rsp_buf_append_str(out, "1");   /* we attached to a running machine: detach, never kill */
    return RSP_HANDLED;
}

static int on_exec_file_read(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const struct router *r = &d->s->mux->router;
    uint64_t pid = SPACE_KERNEL_PID;
    if (args->a[0].len && rsp_parse_hex_u64(args->a[0].str, args->a[0].len, &pid) != 0) {
        rsp_buf_append_str(out, "E.rspmux: bad process id");
        return RSP_HANDLED;
    }
    if (!args->a[0].len)
        pid = selected_pid(d->s);
    const struct mux_space *sp = spaces_by_pid(&r->spaces, (unsigned)pid);
    const char *path = pid == SPACE_KERNEL_PID ? d->s->mux->kernel_path
                       : sp ? space_path(&r->spaces, sp) : NULL;
    if (!path) {
        rsp_buf_printf(out, "E.rspmux: %s", pid == SPACE_KERNEL_PID
                       ? "no kernel ELF configured (use --kernel)"
                       : "this process runs none of the configured user programs");
        return RSP_HANDLED;
    }
    xfer_reply(out, path, strlen(path), args->a[1].num, args->a[2].num);
    return RSP_HANDLED;
}

/* -------------------------------------------------- registers and memory */

/* The router answers this request (session_router_reply); it may do so at
 * once, so the session is marked busy first. */
static int router_request(struct session *s)
{
    s->pending = PEND_ROUTER;
    s->busy = true;
    return RSP_DEFERRED;
}

static int on_registers(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)out;
    if (router_on_cpu(&d->s->mux->router, selected_pid(d->s)))
        return forward(d->s, d->pkt, d->len, PEND_PLAIN, 0);
    int regnum = d->pkt[0] == 'g' ? -1 : args->a[0].num > 4096 ? 4096 : (int)args->a[0].num;
    if (router_has_frame(&d->s->mux->router, selected_pid(d->s), regnum)) {
        router_request(d->s);
        router_frame_registers(&d->s->mux->router, d->s, selected_pid(d->s), regnum);
        return RSP_DEFERRED;
    }
    d->s->mask_single = d->pkt[0] == 'p';
    d->s->mask_keep_pc = d->pkt[0] == 'g' || args->a[0].num == d->s->mux->router.reg_pc;
    return forward(d->s, d->pkt, d->len, PEND_MASK, 0);
}

static int on_register_write(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)args;
    if (router_on_cpu(&d->s->mux->router, selected_pid(d->s)))
        return forward(d->s, d->pkt, d->len, PEND_PLAIN, 0);
    rsp_buf_printf(out, "E.rspmux: process %u is not on the CPU; its registers are not "
                   "available", selected_pid(d->s));
    return RSP_HANDLED;
}

static int on_read_memory(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    uint64_t len = args->a[1].num;
    if (len > 2048) {          /* QEMU's PacketSize=1000 (hex) holds 2048 bytes */
        rsp_buf_append_str(out, "E.rspmux: at most 2048 bytes per read");
        return RSP_HANDLED;
    }
    router_request(d->s);
    router_memory(&d->s->mux->router, d->s, selected_pid(d->s), args->a[0].num, (size_t)len,
                  NULL);
    return RSP_DEFERRED;
}

static int on_write_memory(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    uint64_t len = args->a[1].num;
    uint8_t bytes[2048];
    if (len > sizeof bytes || args->a[2].len != len * 2 ||
        rsp_hex_decode(args->a[2].str, len, bytes) != 0) {
        rsp_buf_append_str(out, "E.rspmux: bad M packet (at most 2048 bytes, hex data)");
        return RSP_HANDLED;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        rsp_buf_append_str(out, "E0c");
        return RSP_HANDLED;
    }
    memcpy(copy, bytes, len);
    free(d->s->write_buf);
    d->s->write_buf = copy;
    router_request(d->s);
    router_memory(&d->s->mux->router, d->s, selected_pid(d->s), args->a[0].num, (size_t)len,
                  copy);
    return RSP_DEFERRED;
}

/* Binary writes are not offered: GDB then writes with M. */
static int on_write_binary(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    (void)ctx, (void)args, (void)out;
    return RSP_HANDLED;
}

/* ------------------------------------------------------------- monitor */

static int on_monitor(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const char *cmd = (const char *)args->a[0].str;
    size_t len = args->a[0].len;
    if (len > 5 && memcmp(cmd, "qemu ", 5) == 0) {
        /* "monitor qemu CMD": CMD goes to QEMU's monitor, even "help". */
        struct rsp_buf pkt;
        rsp_buf_init(&pkt);
        rsp_buf_append_str(&pkt, "qRcmd,");
        rsp_buf_append_hex(&pkt, cmd + 5, len - 5);
        int r = pkt.failed ? (rsp_buf_append_str(out, "E.rspmux: out of memory"), RSP_HANDLED)
                           : forward(d->s, pkt.data, pkt.len, PEND_MONITOR, QREQ_OUTPUT);
        rsp_buf_free(&pkt);
        return r;
    }
    struct rsp_buf text;
    rsp_buf_init(&text);
    if (monitor_run(d->s->mux, (const char *)args->a[0].str, args->a[0].len, &text) != 0) {
        rsp_buf_free(&text);
        return forward(d->s, d->pkt, d->len, PEND_MONITOR, QREQ_OUTPUT);
    }
    if (!text.failed)
        send_console(d->s, (const char *)text.data, text.len);
    rsp_buf_free(&text);
    rsp_buf_append_str(out, "OK");
    return RSP_HANDLED;
}

/* ------------------------------------------------------------- running */

/* vCont;ACTION[:THREAD];...: is the CPU stepped, and which processes run?
 * (One hart: any 's' steps it; "c:pN.-1" alone resumes process N only.) */
struct vcont_scan {
    struct resume_req *req;
    bool any_all;
    unsigned scope;
};

static void on_vcont_action(void *arg, const struct rsp_vcont_action *a)
{
    struct vcont_scan *v = arg;
    if (a->action == 's' || a->action == 'S')
        v->req->step = true;
    if (!a->has_thread) {
        v->any_all = true;
        v->req->cont_others = v->req->cont_others || a->action == 'c' || a->action == 'C';
        return;
    }
    if (a->thread.tid > 0)
        v->req->one_thread = true;   /* "c:pN.1": GDB steps over a breakpoint */
    unsigned pid = a->thread.has_pid && a->thread.pid > 0 && a->thread.pid <= 0xffffffffLL
                       ? (unsigned)a->thread.pid : 0;
    if (pid == 0)
        v->any_all = true;
    else if (!v->scope)
        v->scope = pid;
    else if (v->scope != pid)
        v->any_all = true;
}

static int parse_vcont(const uint8_t *p, size_t len, struct resume_req *req)
{
    struct vcont_scan v = { .req = req };
    *req = (struct resume_req){ 0 };
    if (rsp_parse_vcont(p, len, on_vcont_action, &v) != 0)
        return -1;
    req->scope = v.any_all ? 0 : v.scope;
    return 0;
}

static int on_vcont(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    struct resume_req req;
    if (parse_vcont(args->a[0].str, args->a[0].len, &req) != 0) {
        rsp_buf_append_str(out, "E.rspmux: malformed vCont");
        return RSP_HANDLED;
    }
    log_debug("gdb: resumes the guest (%.*s)", (int)(d->len < 40 ? d->len : 40), d->pkt);
    d->s->pending = PEND_RESUME;
    d->s->busy = true;
    router_resume(&d->s->mux->router, d->s, &req);
    return RSP_DEFERRED;
}

/* The old c/s/C/S packets: the whole machine continues, or the CPU steps. */
static int on_resume(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    struct resume_req req = { .step = d->pkt[0] == 's' || d->pkt[0] == 'S' };
    (void)args, (void)out;
    d->s->pending = PEND_RESUME;
    d->s->busy = true;
    router_resume(&d->s->mux->router, d->s, &req);
    return RSP_DEFERRED;
}

static int on_query_stop(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)args, (void)out;
    router_request(d->s);
    router_query(&d->s->mux->router, d->s, d->pkt, d->len);
    return RSP_DEFERRED;
}

static int on_insert(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    struct mux_bp bp = { args->a[0].num, args->a[1].num, args->a[2].num };
    unsigned pid = selected_pid(d->s);
    if (bp.type > 4)
        return RSP_HANDLED;    /* unknown kinds: not supported (empty reply) */
    if (router_bp(&d->s->mux->router, pid, true, bp) != 0)
        rsp_buf_printf(out, "E.rspmux: process %u is gone", pid);
    else
        rsp_buf_append_str(out, "OK");
    return RSP_HANDLED;
}

static int on_remove(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    struct mux_bp bp = { args->a[0].num, args->a[1].num, args->a[2].num };
    if (bp.type > 4)
        return RSP_HANDLED;
    router_bp(&d->s->mux->router, selected_pid(d->s), false, bp);
    rsp_buf_append_str(out, "OK");   /* a process that is gone holds nothing */
    return RSP_HANDLED;
}

/* Detach is done here rather than by QEMU: QEMU would resume the guest
 * without a stop reply to come, leaving us unable to tell it runs. "D;pid"
 * detaches one process: its breakpoints go; the kernel's (pid 1) or a plain
 * "D" ends the session's hold on the machine, which then runs on. */
static int on_detach(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    struct session *s = d->s;
    uint64_t pid = SPACE_KERNEL_PID;
    if (args->a[0].len > 1 && args->a[0].str[0] == ';' &&
        rsp_parse_hex_u64(args->a[0].str + 1, args->a[0].len - 1, &pid) != 0) {
        rsp_buf_append_str(out, "E.rspmux: bad process id");
        return RSP_HANDLED;
    }
    if (pid != SPACE_KERNEL_PID) {
        router_forget_process(&s->mux->router, (unsigned)pid);
    } else if (!s->detached) {
        mux_client_gone(s->mux, s, true);
        s->detached = true;
    }
    rsp_buf_append_str(out, "OK");
    return RSP_HANDLED;
}

/* vFile: host I/O on the files rspmux serves (the kernel ELF), so that GDB
 * with its default sysroot "target:" reads them through the connection. */
static int on_vfile_setfs(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    (void)ctx, (void)args;
    rsp_buf_append_str(out, "F0");
    return RSP_HANDLED;
}

static int on_vfile_open(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const struct mux_spaces *sp = &d->s->mux->router.spaces;
    const char *allowed[64];
    size_t n = 0;
    allowed[n++] = d->s->mux->kernel_path;
    for (size_t i = 0; i < sp->nprograms && n < 63; i++)
        allowed[n++] = sp->programs[i].path;
    allowed[n] = NULL;
    hostio_open(&d->s->hostio, allowed, args->a[0].str, args->a[0].len, args->a[1].num, out);
    return RSP_HANDLED;
}

static int on_vfile_pread(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    hostio_pread(&d->s->hostio, args->a[0].num, args->a[1].num, args->a[2].num, out);
    return RSP_HANDLED;
}

static int on_vfile_fstat(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    hostio_fstat(&d->s->hostio, args->a[0].num, out);
    return RSP_HANDLED;
}

static int on_vfile_close(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    hostio_close(&d->s->hostio, args->a[0].num, out);
    return RSP_HANDLED;
}

static int on_kill(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)args, (void)out;
    /* QEMU exits on 'k' without a reply; GDB expects none either. */
    qemu_request(&d->s->mux->qemu, d->pkt, d->len, QREQ_NO_REPLY, NULL, NULL, NULL);
    return RSP_DEFERRED;
}

static const struct rsp_command gdb_commands[] = {
    { "qSupported", RSP_MATCH_PREFIX, "r", on_qsupported },
    { "QStartNoAckMode", RSP_MATCH_EXACT, "", on_no_ack },
    { "qXfer:features:read:", RSP_MATCH_PREFIX, "s:x,x", on_features_read },
    { "qXfer:exec-file:read:", RSP_MATCH_PREFIX, "s:x,x", on_exec_file_read },
    { "qRcmd,", RSP_MATCH_PREFIX, "h", on_monitor },
    { "qC", RSP_MATCH_EXACT, "", on_current_thread },
    { "qfThreadInfo", RSP_MATCH_EXACT, "", on_thread_list_first },
    { "qsThreadInfo", RSP_MATCH_EXACT, "", on_thread_list_next },
    { "qThreadExtraInfo,", RSP_MATCH_PREFIX, "r", on_thread_extra },
    { "qAttached", RSP_MATCH_PREFIX, "r", on_attached },
    { "?", RSP_MATCH_EXACT, "", on_query_stop },
    { "H", RSP_MATCH_PREFIX, "r", on_set_thread },
    { "T", RSP_MATCH_PREFIX, "r", on_thread_alive },
    { "vCont;", RSP_MATCH_PREFIX, "r", on_vcont },
    { "c", RSP_MATCH_PREFIX, "r", on_resume },
    { "C", RSP_MATCH_PREFIX, "r", on_resume },
    { "s", RSP_MATCH_PREFIX, "r", on_resume },
    { "S", RSP_MATCH_PREFIX, "r", on_resume },
    { "g", RSP_MATCH_EXACT, "", on_registers },
    { "p", RSP_MATCH_PREFIX, "x", on_registers },
    { "G", RSP_MATCH_PREFIX, "r", on_register_write },
    { "P", RSP_MATCH_PREFIX, "r", on_register_write },
    { "m", RSP_MATCH_PREFIX, "x,x", on_read_memory },
    { "M", RSP_MATCH_PREFIX, "x,x:s", on_write_memory },
    { "X", RSP_MATCH_PREFIX, "r", on_write_binary },
    { "Z", RSP_MATCH_PREFIX, "x,x,x", on_insert },
    { "z", RSP_MATCH_PREFIX, "x,x,x", on_remove },
    { "D", RSP_MATCH_PREFIX, "r", on_detach },
    { "k", RSP_MATCH_EXACT, "", on_kill },
    { "vFile:setfs:", RSP_MATCH_PREFIX, "x", on_vfile_setfs },
    { "vFile:open:", RSP_MATCH_PREFIX, "h,x,x", on_vfile_open },
    { "vFile:pread:", RSP_MATCH_PREFIX, "x,x,x", on_vfile_pread },
    { "vFile:fstat:", RSP_MATCH_PREFIX, "x", on_vfile_fstat },
    { "vFile:close:", RSP_MATCH_PREFIX, "x", on_vfile_close },
};

/* ------------------------------------------------------------- dispatch */

static void handle_packet(struct session *s, const uint8_t *pkt, size_t len)
{
    if (s->refused) {
        reply_str(s, "E.rspmux: another GDB client is already connected; only one at a time");
        conn_close_after_writes(&s->conn);
        return;
    }
    struct dispatch_ctx d = { s, pkt, len };
    struct rsp_buf out;
    rsp_buf_init(&out);
    int result = RSP_FORWARD;
    enum rsp_dispatch_status st = rsp_dispatch(gdb_commands, sizeof gdb_commands /
                                               sizeof gdb_commands[0], pkt, len, &d, &out, &result);
    if (st == RSP_DISPATCH_BAD_ARGS)
        result = RSP_HANDLED;
    if (result == RSP_FORWARD)
        forward(s, pkt, len, PEND_PLAIN, 0);
    else if (result == RSP_HANDLED && !out.failed)
        reply(s, out.data, out.len);
    rsp_buf_free(&out);
}

static void hold(struct session *s, const uint8_t *pkt, size_t len)
{
    struct held *h = malloc(sizeof *h + len);
    if (!h)
        return;
    h->next = NULL;
    h->len = len;
    memcpy(h->data, pkt, len);
    if (s->held_tail)
        s->held_tail->next = h;
    else
        s->held_head = h;
    s->held_tail = h;
}

static void on_hold_timeout(uv_timer_t *t);

/* Handles held packets one at a time while nothing is with QEMU. */
static void next_packet(struct session *s)
{
    while (!s->busy && !s->gone && s->held_head &&
           (qemu_ready(&s->mux->qemu) || s->refused)) {
        struct held *h = s->held_head;
        s->held_head = h->next;
        if (!s->held_head)
            s->held_tail = NULL;
        handle_packet(s, h->data, h->len);
        free(h);
    }
    if (s->held_head && !s->busy && !uv_is_active((uv_handle_t *)&s->hold_timer))
        uv_timer_start(&s->hold_timer, on_hold_timeout, HOLD_MS, 0);
}

static void on_conn_event(struct conn *c, const struct rsp_event *ev)
{
    struct session *s = c->owner;
    if (ev->kind == RSP_EV_INTERRUPT) {
        /* Only the attached client may stop the guest: not a refused one,
         * nor one that detached (the guest then runs for nobody). */
        if (s->refused || s->detached || s->mux->client != s)
            return;
        log_debug("gdb: interrupt (0x03)%s", qemu_running(&s->mux->qemu) ? "" : ", guest not running");
        router_interrupt(&s->mux->router);
        return;
    }
    if (ev->kind != RSP_EV_PACKET)
        return;
    hold(s, ev->payload, ev->len);
    next_packet(s);
}

/* QEMU did not come up in time: answer what waited, so GDB does not hang. */
static void on_hold_timeout(uv_timer_t *t)
{
    struct session *s = t->data;
    if (s->refused) {          /* a refused client that never asked anything */
        session_close(s);
        return;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "E.rspmux: QEMU's gdbstub at %s:%u is not connected (%s)",
             s->mux->qemu.host, s->mux->qemu.port, qemu_state_name(&s->mux->qemu));
    while (!qemu_ready(&s->mux->qemu) && s->held_head && !s->busy) {
        struct held *h = s->held_head;
        s->held_head = h->next;
        if (!s->held_head)
            s->held_tail = NULL;
        free(h);
        reply_str(s, msg);
    }
    next_packet(s);
}

void session_qemu_ready(struct session *s)
{
    uv_timer_stop(&s->hold_timer);
    next_packet(s);
}

/* ------------------------------------------------------------ lifetime */

static void free_held(struct session *s)
{
    while (s->held_head) {
        struct held *h = s->held_head;
        s->held_head = h->next;
        free(h);
    }
    s->held_tail = NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
    struct session *s = h->data;
    struct session **link = &s->mux->sessions;
    while (*link && *link != s)
        link = &(*link)->next;
    if (*link)
        *link = s->next;
    hostio_close_all(&s->hostio);
    free(s->write_buf);
    free(s);
}

static void on_conn_freed(struct conn *c)
{
    struct session *s = c->owner;
    uv_close((uv_handle_t *)&s->hold_timer, on_timer_closed);
}

static void on_conn_closed(struct conn *c, const char *why)
{
    struct session *s = c->owner;
    s->gone = true;
    free_held(s);
    uv_timer_stop(&s->hold_timer);
    if (s->refused) {
        s->mux->clients_refused++;
        return;
    }
    log_info("GDB client %s disconnected (%s)", s->peer, why);
    mux_client_gone(s->mux, s, false);   /* after a detach: only forgets the session */
}

struct session *session_accept(struct mux *m, uv_stream_t *server, bool refuse)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s || conn_init(&s->conn, m->loop, "gdb", s, on_conn_event, on_conn_closed,
                        on_conn_freed) != 0) {
        free(s);
        return NULL;
    }
    s->mux = m;
    s->refused = refuse;
    hostio_init(&s->hostio);
    uv_timer_init(m->loop, &s->hold_timer);
    s->hold_timer.data = s;
    s->connected_ms = uv_now(m->loop);
    if (uv_accept(server, (uv_stream_t *)&s->conn.tcp) != 0 || conn_start(&s->conn) != 0) {
        conn_close(&s->conn);
        return NULL;
    }
    conn_peer_name(&s->conn, s->peer, sizeof s->peer);
    s->next = m->sessions;
    m->sessions = s;
    if (refuse) {
        uv_timer_start(&s->hold_timer, on_hold_timeout, HOLD_MS, 0);
        log_warn("refusing GDB client %s: another client is connected", s->peer);
    } else {
        log_info("GDB client %s connected", s->peer);
    }
    return s;
}

void session_close(struct session *s)
{
    if (!s->gone) {
        s->gone = true;
        free_held(s);
        uv_timer_stop(&s->hold_timer);
        conn_close(&s->conn);
    }
}

void session_close_all(struct mux *m)
{
    for (struct session *s = m->sessions; s; s = s->next)
        session_close(s);
}

/* ------------------------------------------------------- router replies */

void session_router_reply(struct session *s, const void *payload, size_t len)
{
    if (s->gone)
        return;
    s->busy = false;
    /* After a stop reply GDB takes the stopped thread as the selected one. */
    if (s->pending == PEND_RESUME || (len && ((const char *)payload)[0] == 'T'))
        s->hg_pid = 0;
    reply(s, payload, len);
    next_packet(s);
}

void session_router_lost(struct session *s)
{
    if (s->gone)
        return;
    if (s->pending == PEND_RESUME) {
        static const char msg[] = "rspmux: lost the connection to QEMU\n";
        send_console(s, msg, sizeof msg - 1);
        session_router_reply(s, "X09", 3);
    } else {
        session_router_reply(s, "E.rspmux: lost the connection to QEMU", 37);
    }
}

void session_router_output(struct session *s, const uint8_t *p, size_t len)
{
    if (!s->gone)
        reply(s, p, len);
}

void session_console(struct session *s, const char *text)
{
    if (!s->gone)
        send_console(s, text, strlen(text));
}

void session_describe(struct session *s, struct rsp_buf *out)
{
    uint64_t secs = (uv_now(s->mux->loop) - s->connected_ms) / 1000;
    size_t nbps = router_gdb_bps(&s->mux->router);
    rsp_buf_printf(out, "%s for %llus, %s mode, %s, %zu breakpoint%s inserted, "
                   "packets %lu in / %lu out, bad %lu", s->peer, (unsigned long long)secs,
                   s->conn.acks ? "ack" : "no-ack",
                   s->gdb_multiprocess ? "multiprocess" : "single-process", nbps,
                   nbps == 1 ? "" : "s", s->conn.packets_in, s->conn.packets_out,
                   s->conn.bad_in);
}
