/* The QEMU gdbstub backend: connection, handshake, ordered requests. */
#define _POSIX_C_SOURCE 200809L
#include "qemu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct qemu_req {
    struct qemu_req *next;
    uint8_t *payload;
    size_t len;
    unsigned flags;
    qemu_reply_fn done;
    qemu_output_fn output;
    void *arg;
};

/* The features we offer QEMU ourselves (GDB's own qSupported is relayed
 * per client; see session.c). */
static const char handshake_features[] =
    "qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+";

static void connect_now(struct qemu *q);
static void pump(struct qemu *q);
static void start_handshake(struct qemu *q);

/* ------------------------------------------------------------ requests */

static struct qemu_req *req_new(const void *payload, size_t len, unsigned flags,
                                qemu_reply_fn done, qemu_output_fn output, void *arg)
{
    struct qemu_req *r = malloc(sizeof *r);
    uint8_t *copy = malloc(len ? len : 1);
    if (!r || !copy) {
        free(r);
        free(copy);
        return NULL;
    }
    memcpy(copy, payload, len);
    *r = (struct qemu_req){ .payload = copy, .len = len, .flags = flags,
                            .done = done, .output = output, .arg = arg };
    return r;
}

static void req_finish(struct qemu_req *r, int status, const uint8_t *payload, size_t len)
{
    if (r->done)
        r->done(r->arg, status, payload, len);
    free(r->payload);
    free(r);
}

static int enqueue(struct qemu *q, const void *payload, size_t len, unsigned flags,
                   qemu_reply_fn done, qemu_output_fn output, void *arg)
{
    struct qemu_req *r = req_new(payload, len, flags, done, output, arg);
    if (!r) {
        log_error("qemu: out of memory queueing a %zu-byte request", len);
        return -1;
    }
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->requests++;
    pump(q);
    return 0;
}

int qemu_request(struct qemu *q, const void *payload, size_t len, unsigned flags,
                 qemu_reply_fn done, qemu_output_fn output, void *arg)
{
    if (q->state != QEMU_READY)
        return -1;
    return enqueue(q, payload, len, flags, done, output, arg);
}

/* The guest runs once the resume is the oldest request in flight: QEMU has
 * answered everything sent before it. */
static void update_running(struct qemu *q)
{
    bool was = q->running;
    q->running = q->inflight_head && (q->inflight_head->flags & QREQ_RESUME);
    if (q->running && !was) {
        q->interrupt_sent = false;
        if (q->interrupt_pending)
            qemu_interrupt(q);
    }
}

/* May the next queued request go out now? One at a time, except pipelined
 * requests behind pipelined ones; nothing after a resume. */
static bool may_send(const struct qemu *q, const struct qemu_req *r)
{
    if (!q->ninflight)
        return true;
    return !q->resume_inflight && (r->flags & QREQ_PIPELINE) &&
           (q->inflight_tail->flags & QREQ_PIPELINE) && q->ninflight < QEMU_WINDOW;
}

/* Sends queued requests as far as may_send allows. */
static void pump(struct qemu *q)
{
    while (q->head && q->conn && q->state >= QEMU_HANDSHAKE && may_send(q, q->head)) {
        struct qemu_req *r = q->head;
        q->head = r->next;
        if (!q->head)
            q->tail = NULL;
        r->next = NULL;
        conn_send_packet(q->conn, r->payload, r->len);
        if (r->flags & QREQ_NO_REPLY) {
            req_finish(r, 0, NULL, 0);
            continue;
        }
        if (q->inflight_tail)
            q->inflight_tail->next = r;
        else
            q->inflight_head = r;
        q->inflight_tail = r;
        q->ninflight++;
        q->resume_inflight |= (r->flags & QREQ_RESUME) != 0;
        update_running(q);
    }
}

/* Takes the oldest request in flight off the list. */
static struct qemu_req *pop_inflight(struct qemu *q)
{
    struct qemu_req *r = q->inflight_head;
    if (!r)
        return NULL;
    q->inflight_head = r->next;
    if (!q->inflight_head)
        q->inflight_tail = NULL;
    q->ninflight--;
    if (r->flags & QREQ_RESUME)
        q->resume_inflight = false;
    r->next = NULL;
    return r;
}

/* Drops the unsent requests of `arg` that `flags_mask` selects (0: all). */
static void drop_unsent(struct qemu *q, const void *arg, unsigned flags_mask)
{
    struct qemu_req **link = &q->head, *r;
    q->tail = NULL;
    while ((r = *link) != NULL) {
        if (r->arg == arg && (!flags_mask || (r->flags & flags_mask))) {
            *link = r->next;
            free(r->payload);
            free(r);
            continue;
        }
        q->tail = r;
        link = &r->next;
    }
}

bool qemu_forget(struct qemu *q, void *arg)
{
    bool any = false;
    drop_unsent(q, arg, 0);
    for (struct qemu_req *r = q->inflight_head; r; r = r->next) {
        if (r->arg != arg)
            continue;
        r->done = NULL;
        r->output = NULL;
        any = true;
    }
    return any;
}

void qemu_cancel_resumes(struct qemu *q, void *arg)
{
    drop_unsent(q, arg, QREQ_RESUME);
}

void qemu_interrupt(struct qemu *q)
{
    if (!q->running) {
        /* A resume still queued, or sent behind requests QEMU has not
         * answered yet, is stopped as soon as QEMU runs it. */
        q->interrupt_pending |= q->resume_inflight;
        for (struct qemu_req *r = q->head; r; r = r->next)
            q->interrupt_pending |= (r->flags & QREQ_RESUME) != 0;
        return;
    }
    if (q->interrupt_sent || !q->conn)
        return;
    q->interrupt_sent = true;
    q->interrupt_pending = false;
    q->interrupts++;
    conn_send_raw(q->conn, "\x03", 1);
}

/* Fails every request (inflight first, then in queue order). */
static void fail_all(struct qemu *q)
{
    struct qemu_req *r;
    q->running = false;
    while ((r = pop_inflight(q)) != NULL)
        req_finish(r, QEMU_LOST, NULL, 0);
    q->running = false;
    while ((r = q->head) != NULL) {
        q->head = r->next;
        req_finish(r, QEMU_LOST, NULL, 0);
    }
    q->tail = NULL;
}

/* ------------------------------------------------------------- replies */

/* "O" + hex digits (and not "OK"): console output, not a reply. */
static bool is_console_output(const uint8_t *p, size_t len)
{
    if (len < 3 || p[0] != 'O' || (len - 1) % 2 != 0)
        return false;
    for (size_t i = 1; i < len; i++) {
        if (rsp_hex_digit(p[i]) < 0)
            return false;
    }
    return true;
}

/* An S or T stop reply (what no handshake request is answered with). */
static bool is_stop(const uint8_t *p, size_t len)
{
    struct rsp_stop stop;
    return rsp_parse_stop(p, len, &stop) == 0 && (stop.kind == 'S' || stop.kind == 'T');
}

static void on_packet(struct qemu *q, const uint8_t *payload, size_t len)
{
    struct qemu_req *r = q->inflight_head;
    if (!r) {
        char text[120];
        log_warn("qemu: unexpected packet with no request pending: %s",
                 mux_log_escape(payload, len, text, sizeof text));
        return;
    }
    bool asked_for_stop = r->len == 1 && r->payload[0] == '?';
    if (q->state == QEMU_HANDSHAKE && !asked_for_stop && is_stop(payload, len)) {
        /* Connecting stopped a running guest, and QEMU said so unasked
         * (T02) before answering our first request. */
        log_debug("qemu: the guest was running; connecting stopped it");
        q->handshake_was_running = true;
        return;
    }
    if ((r->flags & QREQ_OUTPUT) && is_console_output(payload, len)) {
        if (r->output)
            r->output(r->arg, payload, len);
        return;
    }
    pop_inflight(q);
    update_running(q);
    req_finish(r, 0, payload, len);
    pump(q);
}

static void on_conn_event(struct conn *c, const struct rsp_event *ev)
{
    struct qemu *q = c->owner;
    if (ev->kind == RSP_EV_PACKET)
        on_packet(q, ev->payload, ev->len);
    else if (ev->kind == RSP_EV_NOTIFICATION)
        log_debug("qemu: ignoring a notification");
}

/* --------------------------------------------------------- connection */

static void on_retry_timer(uv_timer_t *t)
{
    connect_now(t->data);
}

static void schedule_retry(struct qemu *q)
{
    if (q->stopping)
        return;
    q->state = QEMU_DOWN;
    uv_timer_start(&q->retry_timer, on_retry_timer, q->retry_ms, 0);
}

static void on_conn_freed(struct conn *c)
{
    free(c);
}

static void on_conn_closed(struct conn *c, const char *why)
{
    struct qemu *q = c->owner;
    bool was_ready = q->state == QEMU_READY;
    q->conn = NULL;
    q->losses++;
    tdesc_free(&q->tdesc);
    fail_all(q);
    log_warn("qemu: lost %s:%u: %s; reconnecting every %u ms", q->host, q->port, why,
             q->retry_ms);
    q->waiting_logged = true;
    schedule_retry(q);
    if (was_ready && q->events.lost)
        q->events.lost(q->owner, why);
}

static void on_connected(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    struct qemu *q = c->owner;
    q->connecting = NULL;
    if (q->stopping) {
        c->on_closed = NULL;
        conn_close(c);
        return;
    }
    if (status < 0) {
        if (!q->waiting_logged) {
            log_info("waiting for QEMU's gdbstub at %s:%u (%s)", q->host, q->port,
                     uv_strerror(status));
            q->waiting_logged = true;
        }
        c->on_closed = NULL;
        conn_close(c);
        schedule_retry(q);
        return;
    }
    q->conn = c;
    q->connects++;
    q->waiting_logged = false;
    conn_set_window(c, QEMU_WINDOW);   /* QEMU handles packets strictly in order */
    conn_start(c);
    start_handshake(q);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct qemu *q = req->data;
    q->resolving = false;
    if (q->stopping) {
        uv_freeaddrinfo(res);
        return;
    }
    if (status < 0 || !res) {
        log_error("qemu: cannot resolve %s: %s", q->host, uv_strerror(status));
        uv_freeaddrinfo(res);
        schedule_retry(q);
        return;
    }
    struct conn *c = malloc(sizeof *c);
    if (!c || conn_init(c, q->loop, "qemu", q, on_conn_event, on_conn_closed, on_conn_freed)) {
        free(c);
        uv_freeaddrinfo(res);
        schedule_retry(q);
        return;
    }
    q->connect_req.data = c;
    q->connecting = c;
    int rc = uv_tcp_connect(&q->connect_req, &c->tcp, res->ai_addr, on_connected);
    uv_freeaddrinfo(res);
    if (rc < 0)
        on_connected(&q->connect_req, rc);
}

static void connect_now(struct qemu *q)
{
    if (q->stopping)
        return;
    char port[8];
    snprintf(port, sizeof port, "%u", q->port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    q->state = QEMU_CONNECTING;
    q->resolve.data = q;
    q->resolving = true;
    int rc = uv_getaddrinfo(q->loop, &q->resolve, on_resolved, q->host, port, &hints);
    if (rc < 0)
        on_resolved(&q->resolve, rc, NULL);
}

/* ---------------------------------------------------------- handshake */

static void fetch_file(struct qemu *q, const char *name);

static void handshake_done(struct qemu *q)
{
    q->state = QEMU_READY;
    log_info("connected to QEMU at %s:%u (%u target description files)", q->host, q->port,
             q->tdesc.nfiles);
    if (q->events.ready)
        q->events.ready(q->owner, q->handshake_was_running);
    pump(q);
}

/* One qXfer:features:read file, fetched in chunks into a growing buffer. */
struct fetch {
    struct qemu *q;
    char name[TDESC_NAME_MAX];
    struct rsp_buf data;
};

static void fetch_next_chunk(struct fetch *f);

static void on_include(void *arg, const char *href, size_t len)
{
    struct qemu *q = arg;
    char name[TDESC_NAME_MAX];
    if (len >= sizeof name || tdesc_find(&q->tdesc, href, len))
        return;
    memcpy(name, href, len);
    name[len] = '\0';
    q->pending_includes++;
    fetch_file(q, name);
}

/* A file is complete (or failed): keep it, follow target.xml's includes, and
 * finish the handshake when the last file is in. */
static void fetch_finished(struct fetch *f, bool ok)
{
    struct qemu *q = f->q;
    bool main_file = strcmp(f->name, "target.xml") == 0;
    if (ok && (f->data.failed || tdesc_add(&q->tdesc, f->name, (char *)f->data.data, f->data.len)))
        log_error("qemu: out of memory keeping %s", f->name);
    else if (ok && main_file)
        tdesc_each_include((char *)f->data.data, f->data.len, on_include, q);
    rsp_buf_free(&f->data);
    free(f);
    if (!main_file)
        q->pending_includes--;
    if (q->pending_includes == 0 && q->state == QEMU_HANDSHAKE)
        handshake_done(q);
}

static void on_chunk(void *arg, int status, const uint8_t *p, size_t len)
{
    struct fetch *f = arg;
    if (status == QEMU_LOST) {
        rsp_buf_free(&f->data);
        free(f);
        return;
    }
    if (len == 0 || (p[0] != 'm' && p[0] != 'l')) {
        log_error("qemu: cannot read %s: reply '%.*s'", f->name, (int)(len < 40 ? len : 40), p);
        fetch_finished(f, false);
        return;
    }
    rsp_buf_append(&f->data, p + 1, len - 1);
    if (p[0] == 'm')
        fetch_next_chunk(f);
    else
        fetch_finished(f, true);
}

static void fetch_next_chunk(struct fetch *f)
{
    char pkt[160];
    int n = snprintf(pkt, sizeof pkt, "qXfer:features:read:%s:%zx,%x", f->name, f->data.len, 0xf00);
    enqueue(f->q, pkt, (size_t)n, 0, on_chunk, NULL, f);
}

static void fetch_file(struct qemu *q, const char *name)
{
    struct fetch *f = calloc(1, sizeof *f);
    if (!f)
        return;
    f->q = q;
    snprintf(f->name, sizeof f->name, "%s", name);
    rsp_buf_init(&f->data);
    fetch_next_chunk(f);
}

static void on_status(void *arg, int status, const uint8_t *p, size_t len)
{
    struct qemu *q = arg;
    if (status == QEMU_LOST)
        return;
    /* QEMU stops a running guest when a debugger connects: it says so with
     * an unsolicited T02 (see on_packet), and '?' may report T02 too; a
     * guest started halted (-S) reports T05. */
    if (len >= 3 && p[0] == 'T' && p[1] == '0' && p[2] == '2')
        q->handshake_was_running = true;
    fetch_file(q, "target.xml");
}

static void on_features(void *arg, int status, const uint8_t *p, size_t len)
{
    struct qemu *q = arg;
    if (status == QEMU_LOST)
        return;
    rsp_buf_clear(&q->features);
    rsp_buf_append(&q->features, p, len);
    enqueue(q, "?", 1, 0, on_status, NULL, q);
}

static void start_handshake(struct qemu *q)
{
    q->state = QEMU_HANDSHAKE;
    q->handshake_was_running = false;
    q->pending_includes = 0;
    enqueue(q, handshake_features, strlen(handshake_features), 0, on_features, NULL, q);
}

/* ------------------------------------------------------------ lifetime */

int qemu_init(struct qemu *q, uv_loop_t *loop, const char *host, uint16_t port,
              unsigned retry_ms, const struct qemu_events *events, void *owner)
{
    memset(q, 0, sizeof *q);
    q->loop = loop;
    q->host = strdup(host);
    q->port = port;
    q->retry_ms = retry_ms;
    q->events = *events;
    q->owner = owner;
    tdesc_init(&q->tdesc);
    rsp_buf_init(&q->features);
    uv_timer_init(loop, &q->retry_timer);
    q->retry_timer.data = q;
    return q->host ? 0 : -1;
}

void qemu_start(struct qemu *q)
{
    connect_now(q);
}

void qemu_stop(struct qemu *q)
{
    q->stopping = true;
    uv_timer_stop(&q->retry_timer);
    uv_close((uv_handle_t *)&q->retry_timer, NULL);
    fail_all(q);
    if (q->conn) {
        q->conn->on_closed = NULL;
        conn_close(q->conn);
        q->conn = NULL;
    }
    if (q->connecting)                 /* its connect callback sees ECANCELED */
        conn_close(q->connecting);
    if (q->resolving)
        uv_cancel((uv_req_t *)&q->resolve);
    tdesc_free(&q->tdesc);
    rsp_buf_free(&q->features);
}

void qemu_free(struct qemu *q)
{
    free(q->host);
    q->host = NULL;
}

bool qemu_ready(const struct qemu *q)
{
    return q->state == QEMU_READY;
}

bool qemu_resumed_by(const struct qemu *q, const void *arg)
{
    return q->resume_inflight && q->inflight_tail && q->inflight_tail->arg == arg;
}

bool qemu_running(const struct qemu *q)
{
    return q->running;
}

const char *qemu_state_name(const struct qemu *q)
{
    static const char *const names[] = { "down", "connecting", "handshake", "connected" };
    return names[q->state];
}
