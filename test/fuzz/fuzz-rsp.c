/* libFuzzer harness for the RSP codec (rsp/parser.c, buf.c, packets.c,
 * dispatch.c). The input's first bytes say how to cut the rest into feeds;
 * the rest is a byte stream for a parser.
 * Checked with __builtin_trap:
 *   - events do not depend on the cuts (the same stream fed whole agrees),
 *     with max_payload 4096 and again with 16 (to reach OVERSIZE cheaply);
 *   - each packet's payload, framed again with rsp_frame and parsed by a
 *     fresh parser, comes back as exactly one identical packet;
 *   - rsp_parse_stop, rsp_parse_features, rsp_dispatch, rsp_parse_thread_id
 *     and rsp_parse_vcont on each payload stay inside it and keep their
 *     contracts.
 * Seeds: test/fuzz/corpus/rsp/ (first byte 0x00: one chunk-size byte follows). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_PAYLOAD = 4096, SMALL_PAYLOAD = 16 };

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

static bool inside(const uint8_t *p, size_t n, const uint8_t *lo, size_t len)
{
    uintptr_t at = (uintptr_t)p, base = (uintptr_t)lo;
    return at >= base && n <= len && at - base <= len - n;
}

/* ---------------------------------------------- thread ids, vCont */

static void on_action(void *arg, const struct rsp_vcont_action *a)
{
    (void)arg;
    check(a->action && strchr("csCSrt", a->action));
    if (a->has_thread)
        check(a->thread.tid >= -1 && (!a->thread.has_pid || a->thread.pid >= -1));
}

static void check_ids(const uint8_t *p, size_t len)
{
    struct rsp_thread_id id;
    if (rsp_parse_thread_id(p, len, &id) == 0)
        check(id.tid >= -1 && (id.has_pid ? id.pid >= -1 : id.pid == -2));
    rsp_parse_vcont(p, len, on_action, NULL);
}

/* ---------------------------------------------- stop replies, features */

struct feature_check {
    const uint8_t *list;
    size_t len;
};

static void on_feature(void *arg, const struct rsp_feature *f)
{
    struct feature_check *fc = arg;
    check(f->name_len > 0 && inside(f->name, f->name_len, fc->list, fc->len));
    check(f->support == '+' || f->support == '-' || f->support == '?' || f->support == '=');
    if (f->support == '=')
        check(inside(f->value, f->value_len, fc->list, fc->len));
}

static void check_stop(const uint8_t *p, size_t len)
{
    struct rsp_stop st;
    if (rsp_parse_stop(p, len, &st) != 0)
        return;
    check(len > 0 && st.kind == (char)p[0] && strchr("STWXO", st.kind));
    check(st.has_thread || st.tid == -1);
    if (st.reason)
        check(inside(st.reason, st.reason_len, p, len));
}

/* ------------------------------------------------------------- dispatch */

struct dispatch_check {
    const uint8_t *pkt;
    size_t len;
};

static int on_command(void *ctx, const struct rsp_args *args, struct rsp_buf *reply)
{
    struct dispatch_check *dc = ctx;
    check(args->n <= RSP_MAX_ARGS && reply->len == 0);
    for (unsigned i = 0; i < args->n; i++) {
        const struct rsp_arg *a = &args->a[i];
        if (a->present && a->len > 0)
            check(inside(a->str, a->len, dc->pkt, dc->len) ||
                  inside(a->str, a->len, args->hexbuf, sizeof args->hexbuf));
    }
    rsp_buf_append_str(reply, "OK");
    return RSP_HANDLED;
}

static const struct rsp_command commands[] = {
    { "m", RSP_MATCH_PREFIX, "x,x", on_command },
    { "X", RSP_MATCH_PREFIX, "x,x:r", on_command },
    { "Z", RSP_MATCH_PREFIX, "x,x,x", on_command },
    { "qXfer:exec-file:read:", RSP_MATCH_PREFIX, "s:x,x", on_command },
    { "qRcmd,", RSP_MATCH_PREFIX, "h", on_command },
    { "vCont?", RSP_MATCH_EXACT, "", on_command },
    { "vCont", RSP_MATCH_PREFIX, "r", on_command },
    { "qSupported", RSP_MATCH_PREFIX, ":r?", on_command },
    { "c", RSP_MATCH_PREFIX, "x?", on_command },
    { "T", RSP_MATCH_PREFIX, "x,x?;s?:h?", on_command },
    { "?", RSP_MATCH_EXACT, "", NULL },
};

static void check_dispatch(const uint8_t *p, size_t len)
{
    struct dispatch_check dc = { p, len };
    struct rsp_buf reply;
    int result = -1;
    rsp_buf_init(&reply);
    enum rsp_dispatch_status st = rsp_dispatch(commands, sizeof commands / sizeof commands[0],
                                               p, len, &dc, &reply, &result);
    if (st == RSP_DISPATCH_BAD_ARGS) {
        check(result == RSP_HANDLED && reply.len > 2 && memcmp(reply.data, "E.", 2) == 0);
        for (size_t i = 0; i < reply.len; i++)
            check(reply.data[i] >= ' ' && reply.data[i] <= '~');
    } else if (st == RSP_DISPATCH_HANDLED) {
        check(result == RSP_HANDLED || result == RSP_FORWARD);
    } else {
        check(st == RSP_DISPATCH_NO_MATCH && result == RSP_FORWARD);
    }
    rsp_buf_free(&reply);
}

/* ------------------------------------------------- reframe and reparse */

/* What the second parser saw of one re-framed packet. */
struct reparse {
    unsigned events;
    enum rsp_event_kind kind;
    const uint8_t *want;
    size_t want_len;
    bool same;
};

static void on_reparsed(void *arg, const struct rsp_event *ev)
{
    struct reparse *r = arg;
    r->events++;
    r->kind = ev->kind;
    r->same = ev->len == r->want_len && memcmp(ev->payload, r->want, ev->len) == 0;
}

static void reframe(struct rsp_parser *second, const struct rsp_event *ev)
{
    bool notification = ev->kind == RSP_EV_NOTIFICATION;
    struct rsp_buf frame;
    struct reparse r = { .want = ev->payload, .want_len = ev->len };
    rsp_buf_init(&frame);
    rsp_frame(&frame, ev->payload, ev->len, notification);
    check(!frame.failed);
    rsp_parser_reset(second);
    rsp_parser_feed(second, frame.data, frame.len, on_reparsed, &r);
    check(r.events == 1 && r.same && r.kind == ev->kind);
    rsp_buf_free(&frame);
}

/* ------------------------------------------------------------ the stream */

struct harness {
    size_t max_payload;
    struct rsp_parser second;   /* re-parses re-framed packets */
    struct rsp_buf log;         /* every event, serialized, to compare runs */
    bool deep;                  /* run the per-packet checks (first run only) */
};

static void check_event(const struct rsp_event *ev, size_t max)
{
    switch (ev->kind) {
    case RSP_EV_GARBAGE: check(ev->garbage_len > 0); break;
    case RSP_EV_MALFORMED: check(ev->why != NULL); break;
    case RSP_EV_OVERSIZE: check(ev->len == max && ev->decoded_len > max); break;
    case RSP_EV_BAD_CHECKSUM: check(ev->sum_sent != ev->sum_computed); break;
    default: break;
    }
    if (ev->payload)
        check(ev->len <= max && ev->payload[ev->len] == '\0');
}

static void on_event(void *arg, const struct rsp_event *ev)
{
    struct harness *h = arg;
    check_event(ev, h->max_payload);
    rsp_buf_printf(&h->log, "%d %zu %d %d %zu %d %zu:", (int)ev->kind, ev->len, ev->sum_sent,
                   ev->sum_computed, ev->garbage_len, ev->notification, ev->decoded_len);
    if (ev->payload)
        rsp_buf_append(&h->log, ev->payload, ev->len);
    if (ev->why)
        rsp_buf_append_str(&h->log, ev->why);
    bool packet = ev->kind == RSP_EV_PACKET || ev->kind == RSP_EV_NOTIFICATION;
    if (!h->deep || !packet)
        return;
    reframe(&h->second, ev);
    check_stop(ev->payload, ev->len);
    struct feature_check fc = { ev->payload, ev->len };
    rsp_parse_features(ev->payload, ev->len, on_feature, &fc);
    check_dispatch(ev->payload, ev->len);
    check_ids(ev->payload, ev->len);
}

/* Feeds `stream` in chunks whose sizes cycle through `sizes` (0: all the rest). */
static void feed_chunks(struct harness *h, const uint8_t *stream, size_t len,
                        const uint8_t *sizes, size_t nsizes)
{
    struct rsp_parser p;
    check(rsp_parser_init(&p, h->max_payload) == 0);
    for (size_t at = 0, j = 0; at < len; j++) {
        size_t n = nsizes ? sizes[j % nsizes] : 0;
        if (n == 0 || n > len - at)
            n = len - at;
        rsp_parser_feed(&p, stream + at, n, on_event, h);
        at += n;
    }
    rsp_parser_free(&p);
}

/* Feeds the stream in chunks and whole, and checks both saw the same events. */
static void compare_runs(struct harness *h, const uint8_t *stream, size_t len,
                         const uint8_t *sizes, size_t nsizes)
{
    rsp_buf_init(&h->log);
    feed_chunks(h, stream, len, sizes, nsizes);
    struct rsp_buf chunked = h->log;
    bool deep = h->deep;

    rsp_buf_init(&h->log);
    h->deep = false;
    feed_chunks(h, stream, len, NULL, 0);
    h->deep = deep;
    check(!chunked.failed && !h->log.failed && chunked.len == h->log.len &&
          (chunked.len == 0 || memcmp(chunked.data, h->log.data, chunked.len) == 0));
    rsp_buf_free(&chunked);
    rsp_buf_free(&h->log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nsizes = (size_t)(data[0] & 3) + 1;
    if (size < 1 + nsizes)
        return 0;
    const uint8_t *sizes = data + 1, *stream = data + 1 + nsizes;
    size_t len = size - 1 - nsizes;

    struct harness h = { .max_payload = MAX_PAYLOAD, .deep = true };
    check(rsp_parser_init(&h.second, MAX_PAYLOAD) == 0);
    compare_runs(&h, stream, len, sizes, nsizes);
    h.max_payload = SMALL_PAYLOAD;
    h.deep = false;  /* its packets were all checked in the first run */
    compare_runs(&h, stream, len, sizes, nsizes);
    rsp_parser_free(&h.second);
    return 0;
}
