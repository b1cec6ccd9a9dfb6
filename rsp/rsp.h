/* The GDB Remote Serial Protocol: framing, parsing, building, and parsing of
 * the packets rspmux looks inside. Pure code: no I/O, no event loop.
 *
 * Wire facts (GDB manual, "Overview" and "Packets" in the RSP appendix):
 *   packet        $<payload>#<two lowercase hex digits: sum of payload bytes mod 256>
 *   notification  %<payload>#<checksum>          (no ack is sent for these)
 *   ack / nak     '+' / '-'   (not sent once QStartNoAckMode is in effect)
 *   interrupt     the raw byte 0x03 outside any packet
 *   escape        '}' then (byte ^ 0x20); '$', '#', '}', '*' must be escaped in
 *                 binary data
 *   run-length    '*' then a count char n (n >= 29+3 normally): the previous
 *                 payload byte is repeated n - 29 more times
 * The checksum covers the payload bytes as sent (escapes and RLE included).
 *
 * Decoding order (as GDB's remote.c and gdbserver's encoder do it): '*'
 * repeats the previous payload character *as sent*, and the copies are then
 * unescaped like any other sent character. So "}]*!" is 0x7d followed by
 * four ']' (gdbserver's RLE of the escaped buffer), not five 0x7d.
 * The count char must be ' '..'~' (3..97 copies) and follow something to
 * repeat, else the packet is MALFORMED; '$' there restarts the packet as
 * anywhere before '#'.
 */
#ifndef RSP_H
#define RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest decoded payload the parser accepts by default; QEMU 7.2 announces
 * PacketSize=1000 (hex: 4096), GDB's own writes stay below what it is told. */
#define RSP_DEFAULT_MAX_PAYLOAD 16384

/* ------------------------------------------------------------- the parser */

enum rsp_event_kind {
    RSP_EV_PACKET,        /* a complete packet with a good checksum: payload/len */
    RSP_EV_NOTIFICATION,  /* a complete %notification with a good checksum */
    RSP_EV_ACK,           /* '+' */
    RSP_EV_NAK,           /* '-' */
    RSP_EV_INTERRUPT,     /* 0x03 outside a packet */
    RSP_EV_BAD_CHECKSUM,  /* framing ok, checksum wrong: answer with '-' */
    RSP_EV_OVERSIZE,      /* decoded payload exceeded max_payload; dropped: answer '-' */
    RSP_EV_GARBAGE,       /* bytes outside any packet that mean nothing; skipped */
    RSP_EV_MALFORMED,     /* framed but undecodable (bad '*' count, '}' before '#',
                             non-hex checksum digit): `why` says what; answer '-' */
};

struct rsp_event {
    enum rsp_event_kind kind;
    const uint8_t *payload;  /* decoded (unescaped, RLE-expanded); valid only
                                during the callback; NUL-terminated for convenience;
                                NULL for ACK, NAK, INTERRUPT and GARBAGE */
    size_t len;
    uint8_t sum_sent;        /* BAD_CHECKSUM: the checksum the peer sent ... */
    uint8_t sum_computed;    /* ... and the one computed over what arrived */
    size_t garbage_len;      /* GARBAGE: how many bytes were skipped */
    /* Added after the first draft: */
    bool notification;       /* BAD_CHECKSUM/OVERSIZE/MALFORMED of a %notification:
                                no '-' is due (notifications are not acked) */
    const char *why;         /* MALFORMED: what was wrong (static string); else NULL */
    size_t decoded_len;      /* OVERSIZE: decoded length of the whole packet; `payload`
                                and `len` hold only its first max_payload bytes */
};

/* Called for each event, in order. */
typedef void (*rsp_event_fn)(void *arg, const struct rsp_event *ev);

/* Byte-fed incremental parser: bytes may arrive split anywhere, and the events
 * do not depend on where. A '$' inside a packet that has not seen its '#'
 * restarts the packet (resync after a lost '#'); the partial packet counts as
 * garbage. A '%' inside a packet is payload: binary data does not escape it.
 * After '#' come exactly two hex digits (either case); any other byte there
 * ends the packet as MALFORMED and is then parsed afresh, so "#$" resyncs.
 * A damaged or oversized packet is consumed up to its checksum and reported
 * once, as BAD_CHECKSUM (checked first), MALFORMED, or OVERSIZE.
 * Garbage is reported as one GARBAGE event per run, just before the next
 * other event (so a run at the very end of the stream is counted in
 * `garbage_bytes` but reported only when something follows it).
 * Counters are for `monitor status`; `packets` counts packets and
 * notifications with good checksums. */
struct rsp_parser {
    int state;                 /* internal */
    uint8_t *buf;              /* decoded payload, max_payload + 1 bytes */
    size_t len, max_payload;
    uint8_t sum;               /* running checksum of raw payload bytes */
    uint8_t sum_sent;
    bool notification, overflow;
    unsigned long packets, bad_checksums, oversize, garbage_bytes;
    /* Added after the first draft: */
    unsigned long malformed;
    bool escape;               /* internal: a '}' waits for its byte */
    int rle_prev;              /* internal: last payload character as sent, or -1 */
    const char *why;           /* internal: first decoding problem of this packet */
    size_t raw_len;            /* internal: bytes of this packet so far, from '$' */
    size_t decoded_len;        /* internal: decoded length, may exceed max_payload */
    size_t garbage_pending;    /* internal: garbage not yet reported */
};

/* 0, or -1 if memory for the payload buffer cannot be had. */
int rsp_parser_init(struct rsp_parser *p, size_t max_payload);
void rsp_parser_free(struct rsp_parser *p);
/* Forgets any partial packet and unreported garbage (e.g. after
 * reconnecting); keeps the counters. */
void rsp_parser_reset(struct rsp_parser *p);
/* Consumes all `len` bytes, calling `fn` for each event. `fn` may not call
 * rsp_parser_feed on the same parser. */
void rsp_parser_feed(struct rsp_parser *p, const uint8_t *data, size_t len,
                     rsp_event_fn fn, void *arg);

/* ---------------------------------------------------- building packets */

/* A growable byte buffer (malloc). A failed allocation sets `failed`; every
 * later append is ignored, so callers check once at the end. rsp_buf_clear
 * empties the buffer and clears `failed`. Once anything was appended, `data`
 * is NUL-terminated (data[len] == 0), so text replies can be used as strings. */
struct rsp_buf {
    uint8_t *data;
    size_t len, cap;
    bool failed;
};

void rsp_buf_init(struct rsp_buf *b);
void rsp_buf_free(struct rsp_buf *b);
void rsp_buf_clear(struct rsp_buf *b);
void rsp_buf_append(struct rsp_buf *b, const void *data, size_t len);
void rsp_buf_append_str(struct rsp_buf *b, const char *s);
void rsp_buf_printf(struct rsp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends `len` bytes as lowercase hex. */
void rsp_buf_append_hex(struct rsp_buf *b, const void *data, size_t len);

/* Appends a whole frame: '$' (or '%' if `notification`), the payload with
 * '$', '#', '}' and '*' escaped, '#', and the checksum. No RLE is used. */
void rsp_frame(struct rsp_buf *out, const void *payload, size_t len, bool notification);

/* ------------------------------------------------------------ hex helpers */

/* Value of a hex digit, or -1. */
int rsp_hex_digit(uint8_t c);
/* Decodes 2*n hex digits into n bytes. 0, or -1 on a non-hex digit. */
int rsp_hex_decode(const uint8_t *hex, size_t n, uint8_t *out);
/* Parses a whole field of 1..16 hex digits. 0, or -1. */
int rsp_parse_hex_u64(const uint8_t *s, size_t len, uint64_t *out);

/* ------------------------------------------------- table-driven dispatch */

/* One parsed argument. */
struct rsp_arg {
    uint64_t num;            /* 'x' fields */
    const uint8_t *str;      /* 's', 'r' and 'h' fields (points into the packet,
                                or for 'h' into decoded storage); not NUL-terminated.
                                For 'x' fields: the digits as sent */
    size_t len;
    bool present;            /* false for an absent optional field */
};

#define RSP_MAX_ARGS 8

struct rsp_args {
    unsigned n;
    struct rsp_arg a[RSP_MAX_ARGS];
    uint8_t hexbuf[512];     /* storage for decoded 'h' fields */
};

/* Handler results. */
enum {
    RSP_HANDLED = 0,   /* the handler filled `reply`: send it */
    RSP_FORWARD = 1,   /* pass the packet on unchanged (a proxy's default) */
    RSP_DEFERRED = 2,  /* the reply will be sent later by the handler's owner */
};

typedef int (*rsp_handler_fn)(void *ctx, const struct rsp_args *args, struct rsp_buf *reply);

enum rsp_match { RSP_MATCH_EXACT, RSP_MATCH_PREFIX };

/* A dispatch-table row. After `prefix` (matched exactly, or as a prefix) the
 * rest of the packet is parsed by `schema`, a string of field types and
 * literal separators:
 *   x   hex number (1-16 digits) up to the next separator
 *   s   bytes up to the next separator (may be empty)
 *   h   hex-encoded bytes up to the next separator, decoded (at most 512 in
 *       all the 'h' fields of one packet together)
 *   r   the rest of the packet, raw (binary allowed, may be empty)
 *   ?   after a field: the field and the separator before it may be absent
 *   any other character: a literal that must come next
 * The schema must consume the whole packet ('r' takes whatever is left).
 * A field other than 'r' ends at the first byte equal to the literal that
 * follows it in the schema; when that literal opens an optional group, a byte
 * equal to the literal after the group ends it too (and so on). A field that
 * ends the schema runs to the end of the packet.
 * Optional groups, precisely: "Lf?" (literal L, field f) is absent when the
 * packet is at its end or its next byte is not L; otherwise L is consumed and
 * f must parse. A leading "f?" (no literal before it) is absent only at the
 * end of the packet. An absent field still takes its argument slot, with
 * present == false. So ":r?" accepts "qSupported" (a[0] absent) and
 * "qSupported:xyz" (a[0] = "xyz"), and rejects "qSupportedX" (BAD_ARGS:
 * "X" is left over). "x?" accepts "c" and "c80200000".
 * 'x', 's', 'h' and 'r' are always fields; '?' is a literal unless it follows
 * a field. At most RSP_MAX_ARGS fields; RSP_MATCH_EXACT rows use "".
 * A NULL handler makes the row's result RSP_FORWARD (a row that only
 * validates). The dispatcher clears `reply` before calling the handler.
 * Example: {"Z", RSP_MATCH_PREFIX, "x,x,x", on_insert} for "Z0,80200000,2". */
struct rsp_command {
    const char *prefix;
    enum rsp_match match;
    const char *schema;
    rsp_handler_fn handler;
};

enum rsp_dispatch_status {
    RSP_DISPATCH_HANDLED,    /* a row matched; *result holds its handler's result */
    RSP_DISPATCH_NO_MATCH,   /* no row matched */
    RSP_DISPATCH_BAD_ARGS,   /* a row matched but the schema did not: `reply`
                                holds "E.<what was wrong>" (GDB's E.errtext form),
                                e.g. E.Z: field 2 is not a hex number: "8020zz" */
};

/* Finds the first row whose prefix matches `pkt`, parses its arguments, and
 * calls its handler. Row order matters: longer prefixes first; a matching row
 * whose schema fails is BAD_ARGS (later rows are not tried). `*result` is
 * the handler's result for HANDLED, RSP_HANDLED for BAD_ARGS (send `reply`),
 * and RSP_FORWARD for NO_MATCH. */
enum rsp_dispatch_status rsp_dispatch(const struct rsp_command *table, size_t rows,
                                      const uint8_t *pkt, size_t len, void *ctx,
                                      struct rsp_buf *reply, int *result);

/* ------------------------------------------------- packets rspmux reads */

/* A stop reply: S AA | T AA n1:r1;n2:r2;... | W AA[;process:pid] | X AA[;process:pid]
 * | O hex (console output; not a stop). */
struct rsp_stop {
    char kind;               /* 'S', 'T', 'W', 'X' or 'O' */
    uint8_t signal;          /* S/T: signal number; W: exit status; X: signal */
    bool has_thread;
    int64_t pid, tid;        /* from "thread:[p<pid>.]<tid>" (T) or ";process:" (W/X);
                                -1 when absent */
    const uint8_t *reason;   /* T: "watch", "rwatch", "awatch", "swbreak",
                                "hwbreak", "library", ... or NULL */
    size_t reason_len;
    uint64_t reason_addr;    /* T with watch/rwatch/awatch: the data address */
};

/* 0, or -1 if `payload` is not a stop reply (then *stop is unchanged).
 * S and T take exactly two signal digits; W and X one or two. In T, "thread"
 * sets has_thread/pid/tid (pid stays -1 without "p<pid>."), register fields
 * ("<hex regnum>:<value>"), "core" and unknown names are skipped, and the
 * first known reason (watch rwatch awatch swbreak hwbreak library replaylog
 * syscall_entry syscall_return fork vfork vforkdone exec clone create) is
 * `reason`. "O" needs an even number of hex digits (so "OK" is not a stop). */
int rsp_parse_stop(const uint8_t *payload, size_t len, struct rsp_stop *stop);

/* A thread id: "p<pid>.<tid>", "p<pid>" (every thread of it), or "<tid>";
 * each part hex, or "-1" (all) or "0" (any). has_pid is false for the bare
 * form. */
struct rsp_thread_id {
    bool has_pid;
    int64_t pid, tid;        /* -1: all; 0: any */
};

/* 0, or -1 if `s` is not exactly a thread id. */
int rsp_parse_thread_id(const uint8_t *s, size_t len, struct rsp_thread_id *id);

/* One vCont action: 'c', 's', 't', 'r' (range stepping), 'C' or 'S' with a
 * signal, for one thread if has_thread, else for every thread not named by
 * another action. */
struct rsp_vcont_action {
    char action;
    uint8_t signal;          /* C, S */
    bool has_thread;
    struct rsp_thread_id thread;
};

/* The part of a vCont packet after "vCont;": ';'-separated actions, each
 * "A[:THREAD]". The whole list is checked first: 0 with `fn` called for each
 * action in order, or -1 (at most 32 actions; nothing empty) and `fn` not
 * called at all. */
int rsp_parse_vcont(const uint8_t *s, size_t len,
                    void (*fn)(void *arg, const struct rsp_vcont_action *a), void *arg);

/* One feature from a qSupported request or reply: "name+", "name-", "name?",
 * or "name=value". */
struct rsp_feature {
    const uint8_t *name;
    size_t name_len;
    char support;            /* '+', '-', '?' or '=' */
    const uint8_t *value;    /* for '=' */
    size_t value_len;
};

/* Calls `fn` for each ';'-separated feature in `list` (the part after
 * "qSupported:" in a request, or a whole reply). 0, or -1 if malformed; the
 * whole list is checked first, so on -1 `fn` was not called at all. Empty
 * items (";;", a trailing ';', an empty list) are skipped, as GDB does. An
 * item with '=' is "name=value" (split at the first '='); otherwise it must
 * end in '+', '-' or '?'. A name is never empty. */
int rsp_parse_features(const uint8_t *list, size_t len,
                       void (*fn)(void *arg, const struct rsp_feature *f), void *arg);

#endif
