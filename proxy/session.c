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
enum pending_kind { PEND_PLAIN, PEND_RESUME, PEND_INSERT, PEND_REMOVE, PEND_QSUPPORTED,
                    PEND_MONITOR };

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
    struct mux_bp pending_bp;
    struct held *held_head, *held_tail;
    uv_timer_t hold_timer;
    struct mux_bp *bps;
    size_t nbps, bps_cap;
    bool gdb_multiprocess;
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

/* ----------------------------------------------------------- breakpoints */

static void bp_add(struct session *s, struct mux_bp bp)
{
    if (s->nbps == s->bps_cap) {
        size_t cap = s->bps_cap ? s->bps_cap * 2 : 16;
        struct mux_bp *grown = realloc(s->bps, cap * sizeof *grown);
        if (!grown) {
            log_error("gdb: out of memory tracking breakpoint at 0x%llx",
                      (unsigned long long)bp.addr);
            return;
        }
        s->bps = grown;
        s->bps_cap = cap;
    }
    s->bps[s->nbps++] = bp;
}

static void bp_remove(struct session *s, struct mux_bp bp)
{
    for (size_t i = 0; i < s->nbps; i++) {
        if (s->bps[i].type == bp.type && s->bps[i].addr == bp.addr && s->bps[i].kind == bp.kind) {
            s->bps[i] = s->bps[--s->nbps];
            return;
        }
    }
}

/* ----------------------------------------------------------- forwarding */

static void next_packet(struct session *s);

/* Builds our qSupported reply from QEMU's: its features, plus no-ack mode
 * (toward GDB only) and the exec-file we serve. */
static void on_feature(void *arg, const struct rsp_feature *f)
{
    struct rsp_buf *out = arg;
    static const char *const ours[] = { "QStartNoAckMode", "qXfer:exec-file:read" };
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
    } else {
        bool ok = len == 2 && p[0] == 'O' && p[1] == 'K';
        if (ok && s->pending == PEND_INSERT)
            bp_add(s, s->pending_bp);
        else if (ok && s->pending == PEND_REMOVE)
            bp_remove(s, s->pending_bp);
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

static int on_exec_file_read(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    const char *path = d->s->mux->kernel_path;
    if (!path) {
        rsp_buf_append_str(out, "E.rspmux: no kernel ELF configured (use --kernel)");
        return RSP_HANDLED;
    }
    xfer_reply(out, path, strlen(path), args->a[1].num, args->a[2].num);
    return RSP_HANDLED;
}

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

static int on_resume(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)args, (void)out;
    log_debug("gdb: resumes the guest (%.*s)", (int)(d->len < 40 ? d->len : 40), d->pkt);
    return forward(d->s, d->pkt, d->len, PEND_RESUME, QREQ_RESUME | QREQ_OUTPUT);
}

static int on_insert(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)out;
    d->s->pending_bp = (struct mux_bp){ args->a[0].num, args->a[1].num, args->a[2].num };
    return forward(d->s, d->pkt, d->len, PEND_INSERT, 0);
}

static int on_remove(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    (void)out;
    d->s->pending_bp = (struct mux_bp){ args->a[0].num, args->a[1].num, args->a[2].num };
    return forward(d->s, d->pkt, d->len, PEND_REMOVE, 0);
}

/* Detach is done here rather than by QEMU: QEMU would resume the guest
 * without a stop reply to come, leaving us unable to tell it runs. */
static int on_detach(void *ctx, const struct rsp_args *args, struct rsp_buf *out)
{
    struct dispatch_ctx *d = ctx;
    struct session *s = d->s;
    (void)args;
    mux_client_gone(s->mux, s, s->bps, s->nbps, true);
    s->nbps = 0;
    s->detached = true;
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
    const char *allowed[] = { d->s->mux->kernel_path, NULL };
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
    d->s->nbps = 0;
    qemu_request(&d->s->mux->qemu, d->pkt, d->len, QREQ_NO_REPLY, NULL, NULL, NULL);
    return RSP_DEFERRED;
}

static const struct rsp_command gdb_commands[] = {
    { "qSupported", RSP_MATCH_PREFIX, "r", on_qsupported },
    { "QStartNoAckMode", RSP_MATCH_EXACT, "", on_no_ack },
    { "qXfer:features:read:", RSP_MATCH_PREFIX, "s:x,x", on_features_read },
    { "qXfer:exec-file:read:", RSP_MATCH_PREFIX, "s:x,x", on_exec_file_read },
    { "qRcmd,", RSP_MATCH_PREFIX, "h", on_monitor },
    { "vCont;", RSP_MATCH_PREFIX, "r", on_resume },
    { "c", RSP_MATCH_PREFIX, "r", on_resume },
    { "C", RSP_MATCH_PREFIX, "r", on_resume },
    { "s", RSP_MATCH_PREFIX, "r", on_resume },
    { "S", RSP_MATCH_PREFIX, "r", on_resume },
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
        qemu_interrupt(&s->mux->qemu);
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
    free(s->bps);
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
    /* A Z or z already sent has taken effect in QEMU: count it. (Unsent
     * requests of this client are dropped, never sent.) */
    if (qemu_forget(&s->mux->qemu, s)) {
        if (s->pending == PEND_INSERT)
            bp_add(s, s->pending_bp);
        else if (s->pending == PEND_REMOVE)
            bp_remove(s, s->pending_bp);
    }
    mux_client_gone(s->mux, s, s->bps, s->nbps, false);
    s->nbps = 0;
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

void session_qemu_lost(struct session *s)
{
    s->nbps = 0;
}

void session_describe(struct session *s, struct rsp_buf *out)
{
    uint64_t secs = (uv_now(s->mux->loop) - s->connected_ms) / 1000;
    rsp_buf_printf(out, "%s for %llus, %s mode, %zu breakpoint%s inserted, "
                   "packets %lu in / %lu out, bad %lu",
                   s->peer, (unsigned long long)secs, s->conn.acks ? "ack" : "no-ack", s->nbps,
                   s->nbps == 1 ? "" : "s", s->conn.packets_in, s->conn.packets_out,
                   s->conn.bad_in);
}
