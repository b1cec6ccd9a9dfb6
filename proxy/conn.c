/* A TCP connection carrying RSP: buffered writes, the parser, acks. */
#define _POSIX_C_SOURCE 200809L
#include "conn.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_RESENDS 5

struct write_req {
    uv_write_t req;
    uv_buf_t buf;
};

static void on_write(uv_write_t *req, int status)
{
    struct write_req *w = (struct write_req *)req;
    struct conn *c = req->data;
    free(w->buf.base);
    free(w);
    if (status < 0 && status != UV_ECANCELED && !c->closing) {
        log_debug("%s: write failed: %s", c->name, uv_strerror(status));
        c->closing = true;
        if (c->on_closed)
            c->on_closed(c, uv_strerror(status));
        conn_close(c);
    }
}

void conn_send_raw(struct conn *c, const void *data, size_t len)
{
    if (c->closing || len == 0)
        return;
    struct write_req *w = malloc(sizeof *w);
    char *copy = malloc(len);
    if (!w || !copy) {
        free(w);
        free(copy);
        log_error("%s: out of memory writing %zu bytes", c->name, len);
        return;
    }
    memcpy(copy, data, len);
    w->buf = uv_buf_init(copy, (unsigned)len);
    w->req.data = c;
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &w->buf, 1, on_write);
    if (rc < 0) {
        free(copy);
        free(w);
        log_debug("%s: write failed: %s", c->name, uv_strerror(rc));
    }
}

struct frame {
    struct frame *next;
    size_t len;
    uint8_t data[];
};

static void transmit(struct conn *c, struct frame *f)
{
    c->packets_out++;
    conn_send_raw(c, f->data, f->len);
}

static void push_unacked(struct conn *c, struct frame *f)
{
    f->next = NULL;
    if (c->unacked_tail)
        c->unacked_tail->next = f;
    else
        c->unacked_head = f;
    c->unacked_tail = f;
    c->nunacked++;
}

static void pop_unacked(struct conn *c)
{
    struct frame *f = c->unacked_head;
    if (!f)
        return;
    c->unacked_head = f->next;
    if (!c->unacked_head)
        c->unacked_tail = NULL;
    c->nunacked--;
    free(f);
}

/* Puts waiting frames on the wire up to the window (acks on), or all of
 * them (off). */
static void send_waiting(struct conn *c)
{
    while (c->queue_head && (!c->acks || c->nunacked < c->window)) {
        struct frame *f = c->queue_head;
        c->queue_head = f->next;
        if (!c->queue_head)
            c->queue_tail = NULL;
        transmit(c, f);
        c->resends = 0;
        if (c->acks)
            push_unacked(c, f);
        else
            free(f);
    }
}

void conn_set_window(struct conn *c, unsigned n)
{
    c->window = n ? n : 1;
    send_waiting(c);
}

static void send_frame(struct conn *c, const void *payload, size_t len, bool notification)
{
    if (mux_log_get_level() >= MUX_LOG_TRACE) {
        char text[200];
        log_trace("%s <- %c%s", c->name, notification ? '%' : '$',
                  mux_log_escape(payload, len, text, sizeof text));
    }
    struct rsp_buf b;
    rsp_buf_init(&b);
    rsp_frame(&b, payload, len, notification);
    struct frame *f = b.failed ? NULL : malloc(sizeof *f + b.len);
    if (!f) {
        rsp_buf_free(&b);
        log_error("%s: out of memory framing a %zu-byte packet", c->name, len);
        return;
    }
    *f = (struct frame){ .len = b.len };
    memcpy(f->data, b.data, b.len);
    rsp_buf_free(&b);
    if (notification || !c->acks) {   /* notifications are never acked */
        transmit(c, f);
        free(f);
        return;
    }
    if (c->queue_tail)
        c->queue_tail->next = f;
    else
        c->queue_head = f;
    c->queue_tail = f;
    send_waiting(c);
}

static void free_frames(struct conn *c)
{
    while (c->unacked_head)
        pop_unacked(c);
    while (c->queue_head) {
        struct frame *f = c->queue_head;
        c->queue_head = f->next;
        free(f);
    }
    c->queue_tail = NULL;
}

/* The peer still acks the packets already under way, the reply to
 * QStartNoAckMode among them, so the last one stays resendable on '-'. */
void conn_acks_off(struct conn *c)
{
    c->acks = false;
    while (c->queue_head) {
        struct frame *f = c->queue_head;
        c->queue_head = f->next;
        transmit(c, f);
        while (c->unacked_head)
            pop_unacked(c);
        push_unacked(c, f);
        c->resends = 0;
    }
    c->queue_tail = NULL;
}

void conn_send_packet(struct conn *c, const void *payload, size_t len)
{
    send_frame(c, payload, len, false);
}

void conn_send_notification(struct conn *c, const void *payload, size_t len)
{
    send_frame(c, payload, len, true);
}

static const char *problem_name(enum rsp_event_kind kind)
{
    switch (kind) {
    case RSP_EV_BAD_CHECKSUM: return "bad checksum";
    case RSP_EV_OVERSIZE: return "oversized packet";
    case RSP_EV_GARBAGE: return "bytes outside any packet";
    default: return "malformed packet";
    }
}

/* A packet that arrived damaged: NAK it (when acks are on; notifications
 * are never acked) so the peer resends; stray bytes are skipped. Either way
 * the parser has resynced. */
static void report_problem(struct conn *c, const struct rsp_event *ev)
{
    c->bad_in++;
    bool nak = c->acks && ev->kind != RSP_EV_GARBAGE && !ev->notification;
    log_warn("%s: %s%s%s; %s", c->name, problem_name(ev->kind), ev->why ? ": " : "",
             ev->why ? ev->why : "",
             ev->kind == RSP_EV_GARBAGE ? "skipped" : nak ? "sent NAK" : "dropped");
    if (nak)
        conn_send_raw(c, "-", 1);
}

static void on_parsed(void *arg, const struct rsp_event *ev)
{
    struct conn *c = arg;
    if (c->closing)
        return;
    switch (ev->kind) {
    case RSP_EV_PACKET:
        c->packets_in++;
        if (c->acks)
            conn_send_raw(c, "+", 1);
        if (mux_log_get_level() >= MUX_LOG_TRACE) {
            char text[200];
            log_trace("%s -> $%s", c->name, mux_log_escape(ev->payload, ev->len, text, sizeof text));
        }
        break;
    case RSP_EV_NAK:
        c->naks_in++;
        if (c->unacked_head && c->resends++ < MAX_RESENDS) {
            /* Acks come in order: a '-' is for the oldest packet not acked. */
            log_debug("%s: NAK, resending the packet it was for", c->name);
            if (c->nunacked > 1)
                log_warn("%s: NAK with %u packets under way; the peer may answer them out "
                         "of order", c->name, c->nunacked);
            conn_send_raw(c, c->unacked_head->data, c->unacked_head->len);
        }
        return;
    case RSP_EV_ACK:
        pop_unacked(c);
        send_waiting(c);
        break;
    case RSP_EV_INTERRUPT:
    case RSP_EV_NOTIFICATION:
        break;
    default:
        report_problem(c, ev);
        return;
    }
    c->on_event(c, ev);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    if (n > 0 && !c->closing)
        rsp_parser_feed(&c->parser, (const uint8_t *)buf->base, (size_t)n, on_parsed, c);
    free(buf->base);
    if (n < 0 && !c->closing) {
        c->closing = true;
        if (c->on_closed)
            c->on_closed(c, n == UV_EOF ? "connection closed by peer" : uv_strerror((int)n));
        conn_close(c);
    }
}

int conn_init(struct conn *c, uv_loop_t *loop, const char *name, void *owner,
              conn_event_fn on_event, conn_closed_fn on_closed, conn_freed_fn on_freed)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->owner = owner;
    c->on_event = on_event;
    c->on_closed = on_closed;
    c->on_freed = on_freed;
    c->acks = true;
    c->window = 1;
    if (rsp_parser_init(&c->parser, RSP_DEFAULT_MAX_PAYLOAD) != 0)
        return -1;
    uv_tcp_init(loop, &c->tcp);
    c->tcp.data = c;
    return 0;
}

int conn_start(struct conn *c)
{
    uv_tcp_nodelay(&c->tcp, 1);
    return uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_handle_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    rsp_parser_free(&c->parser);
    free_frames(c);
    if (c->on_freed)
        c->on_freed(c);
}

void conn_close(struct conn *c)
{
    c->closing = true;
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    struct conn *c = req->data;
    (void)status;
    free(req);
    conn_close(c);
}

void conn_close_after_writes(struct conn *c)
{
    uv_shutdown_t *req = malloc(sizeof *req);
    c->closing = true;
    if (!req || uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        free(req);
        conn_close(c);
        return;
    }
    req->data = c;
}

void conn_peer_name(struct conn *c, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    char host[64] = "?";
    int port = 0;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
    }
    snprintf(out, outlen, "%s:%d", host, port);
}
