/* Byte-fed RSP framing: turns a byte stream into packets, acks, interrupts and errors. */
#include <stdlib.h>
#include <string.h>

#include "rsp.h"

/* idle → payload (escape is a flag, since RLE copies go through it too)
 *      → rle count → payload … → checksum digit 1 → digit 2 → idle */
enum parser_state {
    ST_IDLE,
    ST_PAYLOAD,
    ST_RLE_COUNT,
    ST_CSUM1,
    ST_CSUM2,
};

/* One rsp_parser_feed call: where events go. */
struct feed {
    struct rsp_parser *p;
    rsp_event_fn fn;
    void *arg;
};

int rsp_parser_init(struct rsp_parser *p, size_t max_payload)
{
    memset(p, 0, sizeof *p);
    if (max_payload == SIZE_MAX)
        return -1;
    p->buf = malloc(max_payload + 1);
    if (!p->buf)
        return -1;
    p->buf[0] = '\0';
    p->max_payload = max_payload;
    rsp_parser_reset(p);
    return 0;
}

void rsp_parser_free(struct rsp_parser *p)
{
    free(p->buf);
    p->buf = NULL;
}

void rsp_parser_reset(struct rsp_parser *p)
{
    p->state = ST_IDLE;
    p->len = 0;
    p->garbage_pending = 0;
    p->escape = false;
    p->why = NULL;
}

/* A run of garbage is reported just before the next other event, so the
 * events do not depend on how the stream was split into feeds. */
static void flush_garbage(struct feed *f)
{
    if (f->p->garbage_pending == 0)
        return;
    struct rsp_event ev = { .kind = RSP_EV_GARBAGE, .garbage_len = f->p->garbage_pending };
    f->p->garbage_pending = 0;
    f->fn(f->arg, &ev);
}

static void emit(struct feed *f, const struct rsp_event *ev)
{
    flush_garbage(f);
    f->fn(f->arg, ev);
}

static void emit_kind(struct feed *f, enum rsp_event_kind kind)
{
    struct rsp_event ev = { .kind = kind };
    emit(f, &ev);
}

static void add_garbage(struct rsp_parser *p, size_t n)
{
    p->garbage_pending += n;
    p->garbage_bytes += n;
}

static void begin_packet(struct rsp_parser *p, bool notification)
{
    p->state = ST_PAYLOAD;
    p->notification = notification;
    p->len = 0;
    p->decoded_len = 0;
    p->raw_len = 1;
    p->sum = 0;
    p->sum_sent = 0;
    p->overflow = false;
    p->escape = false;
    p->rle_prev = -1;
    p->why = NULL;
}

/* A '$' before the '#': what came so far was not a packet after all. */
static void restart_packet(struct rsp_parser *p)
{
    add_garbage(p, p->raw_len);
    begin_packet(p, false);
}

/* Keeps the first problem: later ones are usually its consequences. */
static void set_malformed(struct rsp_parser *p, const char *why)
{
    if (!p->why)
        p->why = why;
}

static void store(struct rsp_parser *p, uint8_t b)
{
    if (p->len < p->max_payload)
        p->buf[p->len++] = b;
    else
        p->overflow = true;
    if (p->decoded_len < SIZE_MAX)
        p->decoded_len++;
}

/* One payload character as sent (or as copied by '*'): '}' escapes the
 * next one. Remembered raw, because '*' repeats the sent character. */
static void raw_char(struct rsp_parser *p, uint8_t c)
{
    p->rle_prev = c;
    if (p->escape) {
        p->escape = false;
        store(p, c ^ 0x20);
    } else if (c == '}') {
        p->escape = true;
    } else {
        store(p, c);
    }
}

static void idle_byte(struct feed *f, uint8_t c)
{
    switch (c) {
    case '$': begin_packet(f->p, false); break;
    case '%': begin_packet(f->p, true); break;
    case '+': emit_kind(f, RSP_EV_ACK); break;
    case '-': emit_kind(f, RSP_EV_NAK); break;
    case 0x03: emit_kind(f, RSP_EV_INTERRUPT); break;
    default: add_garbage(f->p, 1); break;
    }
}

static void payload_byte(struct rsp_parser *p, uint8_t c)
{
    if (c == '$') {
        restart_packet(p);
        return;
    }
    p->raw_len++;
    if (c == '#') {
        if (p->escape)
            set_malformed(p, "packet ends inside a '}' escape");
        p->state = ST_CSUM1;
        return;
    }
    p->sum += c;
    if (c == '*')
        p->state = ST_RLE_COUNT;
    else
        raw_char(p, c);
}

/* The character after '*': n - 29 more copies of the previous one. */
static void rle_count_byte(struct rsp_parser *p, uint8_t c)
{
    if (c == '$') {
        restart_packet(p);
        return;
    }
    p->raw_len++;
    if (c == '#') {
        set_malformed(p, "'*' has no run-length count before '#'");
        p->state = ST_CSUM1;
        return;
    }
    p->sum += c;
    p->state = ST_PAYLOAD;
    if (c < ' ' || c > '~')
        set_malformed(p, "run-length count is not a printable character");
    else if (p->rle_prev < 0)
        set_malformed(p, "'*' has no previous character to repeat");
    else
        for (int i = 0; i < c - 29; i++)
            raw_char(p, (uint8_t)p->rle_prev);
}

static void finish_packet(struct feed *f)
{
    struct rsp_parser *p = f->p;
    p->state = ST_IDLE;
    p->buf[p->len] = '\0';
    struct rsp_event ev = {
        .payload = p->buf, .len = p->len, .notification = p->notification,
        .sum_sent = p->sum_sent, .sum_computed = p->sum,
    };
    if (p->sum != p->sum_sent) {
        ev.kind = RSP_EV_BAD_CHECKSUM;
        p->bad_checksums++;
    } else if (p->why) {
        ev.kind = RSP_EV_MALFORMED;
        ev.why = p->why;
        p->malformed++;
    } else if (p->overflow) {
        ev.kind = RSP_EV_OVERSIZE;
        ev.decoded_len = p->decoded_len;
        p->oversize++;
    } else {
        ev.kind = p->notification ? RSP_EV_NOTIFICATION : RSP_EV_PACKET;
        p->packets++;
    }
    emit(f, &ev);
}

/* A byte after '#' that is not a hex digit: the packet cannot be checked.
 * Report it, then read the byte afresh: it may start the next packet. */
static void bad_checksum_digit(struct feed *f, uint8_t c)
{
    struct rsp_parser *p = f->p;
    p->state = ST_IDLE;
    p->buf[p->len] = '\0';
    set_malformed(p, "checksum digit after '#' is not a hex digit");
    p->malformed++;
    struct rsp_event ev = {
        .kind = RSP_EV_MALFORMED, .payload = p->buf, .len = p->len,
        .notification = p->notification, .sum_computed = p->sum, .why = p->why,
    };
    emit(f, &ev);
    idle_byte(f, c);
}

static void checksum_byte(struct feed *f, uint8_t c)
{
    struct rsp_parser *p = f->p;
    int d = rsp_hex_digit(c);
    if (d < 0) {
        bad_checksum_digit(f, c);
    } else if (p->state == ST_CSUM1) {
        p->sum_sent = (uint8_t)(d << 4);
        p->state = ST_CSUM2;
    } else {
        p->sum_sent |= (uint8_t)d;
        finish_packet(f);
    }
}

void rsp_parser_feed(struct rsp_parser *p, const uint8_t *data, size_t len,
                     rsp_event_fn fn, void *arg)
{
    struct feed f = { .p = p, .fn = fn, .arg = arg };
    for (size_t i = 0; i < len; i++) {
        switch ((enum parser_state)p->state) {
        case ST_IDLE: idle_byte(&f, data[i]); break;
        case ST_PAYLOAD: payload_byte(p, data[i]); break;
        case ST_RLE_COUNT: rle_count_byte(p, data[i]); break;
        case ST_CSUM1:
        case ST_CSUM2: checksum_byte(&f, data[i]); break;
        }
    }
}
