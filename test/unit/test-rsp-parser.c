/* Unit tests for the byte-fed RSP parser (rsp/parser.c): framing, checksums,
 * escapes, run-length decoding, resync, and independence from how the bytes
 * are split between feeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rsp.h"

#define IN(s) (const uint8_t *)(s), sizeof(s) - 1

/* A byte stream and the events it must produce, written as text:
 *   P:<payload>  N:<payload>  +  -  ^C  G<garbage bytes>
 *   BAD(<sent>!=<computed>):<payload>   MAL(<why>):<payload>
 *   BIG(<decoded length>):<first max_payload bytes>
 * BAD, MAL and BIG of a notification are written BAD%, MAL%, BIG%. Payload
 * bytes outside ' '..'~' and the backslash are written \xNN. */
struct parse_case {
    const char *name;
    const uint8_t *in;
    size_t len;
    size_t max_payload;
    const char *want;
};

static const struct parse_case cases[] = {
    { "empty stream",
      IN(""), RSP_DEFAULT_MAX_PAYLOAD, "" },
    { "one packet",
      IN("$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "P:g" },
    { "empty packet",
      IN("$#00"), RSP_DEFAULT_MAX_PAYLOAD, "P:" },
    { "acks around a packet",
      IN("+$OK#9a+"), RSP_DEFAULT_MAX_PAYLOAD, "+ | P:OK | +" },
    { "ack nak ack",
      IN("+-+"), RSP_DEFAULT_MAX_PAYLOAD, "+ | - | +" },
    { "session start",
      IN("+$qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386#f0+$PacketSize=1000;qXfer:features:read+#cc-$\?#3f"), RSP_DEFAULT_MAX_PAYLOAD, "+ | P:qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386 | + | P:PacketSize=1000;qXfer:features:read+ | - | P:\?" },
    { "checksum in upper case",
      IN("$OK#9A"), RSP_DEFAULT_MAX_PAYLOAD, "P:OK" },
    { "checksum in mixed case",
      IN("$qC#B4$qC#b4"), RSP_DEFAULT_MAX_PAYLOAD, "P:qC | P:qC" },
    { "bad checksum",
      IN("$OK#9b"), RSP_DEFAULT_MAX_PAYLOAD, "BAD(9b!=9a):OK" },
    { "bad checksum then good packet",
      IN("$OK#00+$OK#9a"), RSP_DEFAULT_MAX_PAYLOAD, "BAD(00!=9a):OK | + | P:OK" },
    { "notification",
      IN("%Stop:T05thread:p1.1;#86"), RSP_DEFAULT_MAX_PAYLOAD, "N:Stop:T05thread:p1.1;" },
    { "notification with bad checksum",
      IN("%Stop:T05#00"), RSP_DEFAULT_MAX_PAYLOAD, "BAD%(00!=99):Stop:T05" },
    { "notification between acks",
      IN("+%Stop:W00#97-"), RSP_DEFAULT_MAX_PAYLOAD, "+ | N:Stop:W00 | -" },
    { "interrupt between packets",
      IN("$c#63\003$\?#3f"), RSP_DEFAULT_MAX_PAYLOAD, "P:c | ^C | P:\?" },
    { "interrupt after ack",
      IN("+\003\003"), RSP_DEFAULT_MAX_PAYLOAD, "+ | ^C | ^C" },
    { "0x03 inside a packet is data",
      IN("$X0,1:\003#22"), RSP_DEFAULT_MAX_PAYLOAD, "P:X0,1:\134x03" },
    { "acks inside a packet are data",
      IN("$a+-b#1b"), RSP_DEFAULT_MAX_PAYLOAD, "P:a+-b" },
    { "percent inside a packet is data",
      IN("$X0,3:%a%#cc"), RSP_DEFAULT_MAX_PAYLOAD, "P:X0,3:%a%" },
    { "escapes of the four special bytes",
      IN("$X0,4:}\003}\004}]}\012#84"), RSP_DEFAULT_MAX_PAYLOAD, "P:X0,4:#$}*" },
    { "escape of an ordinary byte",
      IN("$}A}\000#3b"), RSP_DEFAULT_MAX_PAYLOAD, "P:a " },
    { "NUL bytes in an X packet",
      IN("$X80200000,4:\000\000\001\000#7d"), RSP_DEFAULT_MAX_PAYLOAD, "P:X80200000,4:\134x00\134x00\134x01\134x00" },
    { "RLE: GDB's example 0* is four zeros",
      IN("$0* #7a"), RSP_DEFAULT_MAX_PAYLOAD, "P:0000" },
    { "RLE: count ! is four more",
      IN("$a*!#ac"), RSP_DEFAULT_MAX_PAYLOAD, "P:aaaaa" },
    { "RLE: count ~ is 97 more",
      IN("$a*~#09"), RSP_DEFAULT_MAX_PAYLOAD, "P:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
    { "RLE: twice in a row",
      IN("$xa*!*!y#e8"), RSP_DEFAULT_MAX_PAYLOAD, "P:xaaaaaaaaay" },
    { "RLE: in the middle of a reply",
      IN("$00000000* 11#2c"), RSP_DEFAULT_MAX_PAYLOAD, "P:0000000000011" },
    { "RLE: count \042 is five more",
      IN("$0*\042#7c"), RSP_DEFAULT_MAX_PAYLOAD, "P:000000" },
    { "RLE after an escape repeats the sent character",
      IN("$}]*!#25"), RSP_DEFAULT_MAX_PAYLOAD, "P:}]]]]" },
    { "RLE of an escape character goes through unescaping",
      IN("$}}*!#45"), RSP_DEFAULT_MAX_PAYLOAD, "P:]]]" },
    { "RLE with nothing to repeat",
      IN("$* #4a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL('*' has no previous character to repeat):" },
    { "RLE count below space",
      IN("$a*\035#a8"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(run-length count is not a printable character):a" },
    { "RLE count DEL",
      IN("$a*\177#0a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(run-length count is not a printable character):a" },
    { "RLE count high byte",
      IN("$a*\377#8a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(run-length count is not a printable character):a" },
    { "RLE '*' right before '#'",
      IN("$a*#8b"), RSP_DEFAULT_MAX_PAYLOAD, "MAL('*' has no run-length count before '#'):a" },
    { "escape right before '#'",
      IN("$a}#de"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(packet ends inside a '}' escape):a" },
    { "malformed then good",
      IN("$* #4a+$OK#9a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL('*' has no previous character to repeat): | + | P:OK" },
    { "malformed notification",
      IN("%a}#de"), RSP_DEFAULT_MAX_PAYLOAD, "MAL%(packet ends inside a '}' escape):a" },
    { "bad checksum beats malformed",
      IN("$a}#00"), RSP_DEFAULT_MAX_PAYLOAD, "BAD(00!=de):a" },
    { "non-hex checksum digit",
      IN("$OK#9g+$OK#9a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(checksum digit after '#' is not a hex digit):OK | G1 | + | P:OK" },
    { "non-hex first checksum digit",
      IN("$OK#x9a+"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(checksum digit after '#' is not a hex digit):OK | G3 | +" },
    { "'$' after '#' resyncs",
      IN("$OK#$OK#9a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(checksum digit after '#' is not a hex digit):OK | P:OK" },
    { "'$' after the first checksum digit resyncs",
      IN("$OK#9$OK#9a"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(checksum digit after '#' is not a hex digit):OK | P:OK" },
    { "interrupt after '#' is still an interrupt",
      IN("$OK#\003"), RSP_DEFAULT_MAX_PAYLOAD, "MAL(checksum digit after '#' is not a hex digit):OK | ^C" },
    { "lost '#' then a new '$'",
      IN("$m0,4$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G5 | P:g" },
    { "lost '#' and checksum then a new '$'",
      IN("$m0,4e3$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G7 | P:g" },
    { "'$' inside an escape restarts",
      IN("$a}$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G3 | P:g" },
    { "'$' as RLE count restarts",
      IN("$a*$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G3 | P:g" },
    { "'$' restarts a notification",
      IN("%Stop$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G5 | P:g" },
    { "garbage before a packet",
      IN("\015\012xyz$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G5 | P:g" },
    { "garbage before an ack",
      IN("x+"), RSP_DEFAULT_MAX_PAYLOAD, "G1 | +" },
    { "garbage before an interrupt",
      IN("xy\003"), RSP_DEFAULT_MAX_PAYLOAD, "G2 | ^C" },
    { "garbage runs merge with a dropped partial packet",
      IN("zz$abc$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "G6 | P:g" },
    { "garbage at the end is not reported yet",
      IN("$g#67abc"), RSP_DEFAULT_MAX_PAYLOAD, "P:g" },
    { "garbage between packets",
      IN("$g#67 \015\012$g#67"), RSP_DEFAULT_MAX_PAYLOAD, "P:g | G3 | P:g" },
    { "oversize: exactly max",
      IN("$12345678#a4"), 8, "P:12345678" },
    { "oversize: max + 1",
      IN("$123456789#dd"), 8, "BIG(9):12345678" },
    { "oversize: then a good packet",
      IN("$123456789abcdef#32+$1234#ca"), 8, "BIG(15):12345678 | + | P:1234" },
    { "oversize: by RLE",
      IN("$a*~#09"), 8, "BIG(98):aaaaaaaa" },
    { "oversize: RLE to exactly max",
      IN("$abcd*!#d5"), 8, "P:abcddddd" },
    { "oversize: escapes count once",
      IN("$1234567}]#46"), 8, "P:1234567}" },
    { "oversize notification",
      IN("%123456789#dd"), 8, "BIG%(9):12345678" },
    { "oversize with a bad checksum",
      IN("$123456789#00"), 8, "BAD(00!=dd):12345678" },
    { "max_payload 0",
      IN("$#00$a#61"), 0, "P: | BIG(1):" },
    { "split packet mixture",
      IN("-\003$vCont;c:p1.-1#0f+%Stop:T05#99junk$T05thread:p1.1;#a6"), RSP_DEFAULT_MAX_PAYLOAD, "- | ^C | P:vCont;c:p1.-1 | + | N:Stop:T05 | G4 | P:T05thread:p1.1;" },
};

/* ------------------------------------------------------------ recording */

struct record {
    struct rsp_buf text;
    unsigned events;
    unsigned unterminated;   /* payloads without a NUL at payload[len] */
};

static void append_payload(struct rsp_buf *b, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] >= ' ' && p[i] <= '~' && p[i] != '\\')
            rsp_buf_append(b, &p[i], 1);
        else
            rsp_buf_printf(b, "\\x%02x", p[i]);
    }
}

static void append_event(struct rsp_buf *b, const struct rsp_event *ev)
{
    const char *pct = ev->notification ? "%" : "";
    switch (ev->kind) {
    case RSP_EV_PACKET: rsp_buf_append_str(b, "P:"); break;
    case RSP_EV_NOTIFICATION: rsp_buf_append_str(b, "N:"); break;
    case RSP_EV_ACK: rsp_buf_append_str(b, "+"); return;
    case RSP_EV_NAK: rsp_buf_append_str(b, "-"); return;
    case RSP_EV_INTERRUPT: rsp_buf_append_str(b, "^C"); return;
    case RSP_EV_GARBAGE: rsp_buf_printf(b, "G%zu", ev->garbage_len); return;
    case RSP_EV_BAD_CHECKSUM:
        rsp_buf_printf(b, "BAD%s(%02x!=%02x):", pct, ev->sum_sent, ev->sum_computed);
        break;
    case RSP_EV_OVERSIZE: rsp_buf_printf(b, "BIG%s(%zu):", pct, ev->decoded_len); break;
    case RSP_EV_MALFORMED: rsp_buf_printf(b, "MAL%s(%s):", pct, ev->why); break;
    }
    append_payload(b, ev->payload, ev->len);
}

static void record_event(void *arg, const struct rsp_event *ev)
{
    struct record *r = arg;
    if (r->events++ > 0)
        rsp_buf_append_str(&r->text, " | ");
    if (ev->kind != RSP_EV_GARBAGE && ev->kind != RSP_EV_ACK && ev->kind != RSP_EV_NAK &&
        ev->kind != RSP_EV_INTERRUPT && ev->payload[ev->len] != '\0')
        r->unterminated++;
    append_event(&r->text, ev);
}

static void record_init(struct record *r)
{
    rsp_buf_init(&r->text);
    rsp_buf_append(&r->text, "", 0);
    r->events = 0;
    r->unterminated = 0;
}

/* Feeds `c` to a fresh parser in pieces that end at the offsets in `cuts`
 * (ascending, the last one c->len), and returns the recorded text (malloc). */
static char *parse_pieces(const struct parse_case *c, const size_t *cuts, size_t ncuts)
{
    struct rsp_parser p;
    struct record r;
    assert_int_equal(rsp_parser_init(&p, c->max_payload), 0);
    record_init(&r);
    size_t at = 0;
    for (size_t i = 0; i < ncuts; i++) {
        rsp_parser_feed(&p, c->in + at, cuts[i] - at, record_event, &r);
        at = cuts[i];
    }
    rsp_parser_free(&p);
    assert_false(r.text.failed);
    assert_int_equal(r.unterminated, 0);
    return (char *)r.text.data;
}

/* Compares one way of splitting a case with the expected events. */
static int check_split(const struct parse_case *c, const char *how, const size_t *cuts,
                       size_t ncuts)
{
    char *got = parse_pieces(c, cuts, ncuts);
    int bad = strcmp(got, c->want) != 0;
    if (bad)
        print_error("\"%s\" fed %s:\n   got: %s\n  want: %s\n", c->name, how, got, c->want);
    free(got);
    return bad;
}

/* ---------------------------------------------------------------- tests */

/* Every row, fed whole, byte by byte, and in every split into two feeds:
 * the events never depend on where the stream was cut. */
static void test_parse_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        size_t whole = c->len;
        failures += check_split(c, "whole", &whole, 1);
        size_t *cuts = malloc((c->len + 1) * sizeof *cuts);
        assert_non_null(cuts);
        for (size_t k = 0; k < c->len; k++)
            cuts[k] = k + 1;
        failures += check_split(c, "byte by byte", cuts, c->len);
        for (size_t k = 0; k <= c->len; k++) {
            size_t two[2] = { k, c->len };
            char how[64];
            snprintf(how, sizeof how, "split at %zu", k);
            failures += check_split(c, how, two, 2);
        }
        free(cuts);
    }
    assert_int_equal(failures, 0);
}

static void count_event(void *arg, const struct rsp_event *ev)
{
    unsigned *counts = arg;
    counts[ev->kind]++;
}

/* The counters for `monitor status` add up over a mixed stream. */
static void test_counters(void **state)
{
    (void)state;
    static const uint8_t stream[] =
        "$g#67" "%Stop:W00#97" "$OK#00" "$123456789#dd" "$* #4a" "xy$ab$g#67" "tail";
    struct rsp_parser p;
    unsigned counts[RSP_EV_MALFORMED + 1] = { 0 };
    assert_int_equal(rsp_parser_init(&p, 8), 0);
    rsp_parser_feed(&p, stream, sizeof stream - 1, count_event, counts);
    assert_int_equal(p.packets, 3);
    assert_int_equal(p.bad_checksums, 1);
    assert_int_equal(p.oversize, 1);
    assert_int_equal(p.malformed, 1);
    assert_int_equal(p.garbage_bytes, 2 + 3 + 4);
    assert_int_equal(counts[RSP_EV_PACKET], 2);
    assert_int_equal(counts[RSP_EV_NOTIFICATION], 1);
    assert_int_equal(counts[RSP_EV_GARBAGE], 1);  /* "tail" is not reported yet */
    rsp_parser_free(&p);
}

/* Reset drops a partial packet and unreported garbage, and keeps counters. */
static void test_reset(void **state)
{
    (void)state;
    struct rsp_parser p;
    struct record r;
    assert_int_equal(rsp_parser_init(&p, RSP_DEFAULT_MAX_PAYLOAD), 0);
    record_init(&r);
    rsp_parser_feed(&p, IN("$g#67junk"), record_event, &r);
    rsp_parser_reset(&p);
    rsp_parser_feed(&p, IN("+$qC#b"), record_event, &r);
    rsp_parser_reset(&p);
    rsp_parser_feed(&p, IN("4$g#67"), record_event, &r);
    assert_string_equal((char *)r.text.data, "P:g | + | G1 | P:g");
    assert_int_equal(p.packets, 2);
    assert_int_equal(p.garbage_bytes, 5);
    rsp_buf_free(&r.text);
    rsp_parser_free(&p);
}

static void test_init_limits(void **state)
{
    (void)state;
    struct rsp_parser p;
    assert_int_equal(rsp_parser_init(&p, SIZE_MAX), -1);
    rsp_parser_free(&p);
    assert_int_equal(rsp_parser_init(&p, 0), 0);
    rsp_parser_free(&p);
    rsp_parser_free(&p);  /* twice is harmless */
}

/* Collects the single packet a frame must parse back into. */
struct one_packet {
    unsigned events;
    enum rsp_event_kind kind;
    uint8_t payload[512];
    size_t len;
};

static void keep_packet(void *arg, const struct rsp_event *ev)
{
    struct one_packet *o = arg;
    o->events++;
    o->kind = ev->kind;
    o->len = ev->len;
    if (ev->payload && ev->len <= sizeof o->payload)
        memcpy(o->payload, ev->payload, ev->len);
}

/* In a frame, '$' '#' '*' appear only as framing and '}' only as an escape. */
static void check_frame_shape(const struct rsp_buf *f, bool notification)
{
    assert_true(f->len >= 4);
    assert_int_equal(f->data[0], notification ? '%' : '$');
    assert_int_equal(f->data[f->len - 3], '#');
    for (size_t i = 1; i < f->len - 3; i++) {
        uint8_t c = f->data[i];
        assert_true(c != '$' && c != '#' && c != '*');
        if (c == '}') {
            uint8_t e = f->data[++i] ^ 0x20;
            assert_true(e == '$' || e == '#' || e == '}' || e == '*');
        }
    }
    for (size_t i = f->len - 2; i < f->len; i++)
        assert_non_null(strchr("0123456789abcdef", f->data[i]));
}

static void round_trip(const uint8_t *payload, size_t len, bool notification)
{
    struct rsp_buf f;
    struct rsp_parser p;
    struct one_packet o = { 0 };
    rsp_buf_init(&f);
    rsp_frame(&f, payload, len, notification);
    assert_false(f.failed);
    check_frame_shape(&f, notification);
    assert_int_equal(rsp_parser_init(&p, 512), 0);
    rsp_parser_feed(&p, f.data, f.len, keep_packet, &o);
    assert_int_equal(o.events, 1);
    assert_int_equal(o.kind, notification ? RSP_EV_NOTIFICATION : RSP_EV_PACKET);
    assert_int_equal(o.len, len);
    assert_memory_equal(o.payload, payload, len);
    rsp_parser_free(&p);
    rsp_buf_free(&f);
}

/* rsp_frame output parses back to the same bytes, for every byte value
 * alone, all 256 in a row, and runs that an RLE decoder must not touch. */
static void test_frame_round_trip_all_bytes(void **state)
{
    (void)state;
    uint8_t all[256], run[300];
    for (int i = 0; i < 256; i++) {
        uint8_t b = (uint8_t)i;
        all[i] = b;
        round_trip(&b, 1, false);
        round_trip(&b, 1, true);
        memset(run, b, sizeof run);
        round_trip(run, sizeof run, false);
    }
    round_trip(all, sizeof all, false);
    round_trip(all, sizeof all, true);
    round_trip(NULL, 0, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_init_limits),
        cmocka_unit_test(test_frame_round_trip_all_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
