/* Parsers for the packets rspmux reads: stop replies, qSupported feature
 * lists, thread ids and vCont actions. */
#include <string.h>

#include "rsp.h"

/* A byte range inside a packet. */
struct span {
    const uint8_t *s;
    size_t len;
};

static bool span_is(struct span sp, const char *word)
{
    return sp.len == strlen(word) && memcmp(sp.s, word, sp.len) == 0;
}

static bool all_hex(struct span sp)
{
    for (size_t i = 0; i < sp.len; i++)
        if (rsp_hex_digit(sp.s[i]) < 0)
            return false;
    return true;
}

/* Splits `*rest` at the first `sep`: the part before it is returned, `*rest`
 * keeps what follows (empty when there was no `sep`). */
static struct span split(struct span *rest, uint8_t sep)
{
    const uint8_t *at = rest->len ? memchr(rest->s, sep, rest->len) : NULL;
    struct span head = { rest->s, at ? (size_t)(at - rest->s) : rest->len };
    rest->s += at ? head.len + 1 : head.len;
    rest->len -= at ? head.len + 1 : head.len;
    return head;
}

/* A process or thread id in a ptid: 1-16 hex digits that fit an int64_t. */
static int parse_id(struct span sp, int64_t *out)
{
    uint64_t v;
    if (rsp_parse_hex_u64(sp.s, sp.len, &v) != 0 || v > INT64_MAX)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* "p<pid>.<tid>" or "<tid>" (GDB's read_ptid without "-1"). */
static int parse_ptid(struct span v, struct rsp_stop *st)
{
    if (v.len > 0 && v.s[0] == 'p') {
        struct span rest = { v.s + 1, v.len - 1 };
        struct span pid = split(&rest, '.');
        if (pid.len + 1 == v.len || parse_id(pid, &st->pid) != 0)
            return -1;
        v = rest;
    }
    st->has_thread = true;
    return parse_id(v, &st->tid);
}

/* Stop reasons GDB knows (manual, "Stop Reply Packets"). */
static const char *const reasons[] = {
    "watch", "rwatch", "awatch", "swbreak", "hwbreak", "library", "replaylog",
    "syscall_entry", "syscall_return", "fork", "vfork", "vforkdone", "exec",
    "clone", "create",
};

static bool is_reason(struct span name)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (span_is(name, reasons[i]))
            return true;
    return false;
}

static int t_reason(struct span name, struct span value, struct rsp_stop *st)
{
    if (st->reason)
        return 0;  /* the first reason wins; GDB too keeps only one */
    st->reason = name.s;
    st->reason_len = name.len;
    bool watch = span_is(name, "watch") || span_is(name, "rwatch") || span_is(name, "awatch");
    if (watch && rsp_parse_hex_u64(value.s, value.len, &st->reason_addr) != 0)
        return -1;
    return 0;
}

/* One "name:value" of a T reply. Order of checks as in GDB's remote.c:
 * known names first, then hex names are registers, the rest is ignored. */
static int t_field(struct span field, struct rsp_stop *st)
{
    struct span value = field;
    struct span name = split(&value, ':');
    if (name.len == 0 || name.len == field.len)
        return -1;
    if (span_is(name, "thread"))
        return parse_ptid(value, st);
    if (is_reason(name))
        return t_reason(name, value, st);
    return 0;  /* "core", a register ("NN:value"), or an extension */
}

static int parse_t(struct span rest, struct rsp_stop *st)
{
    while (rest.len > 0) {
        struct span field = split(&rest, ';');
        if (t_field(field, st) != 0)
            return -1;
    }
    return 0;
}

/* W and X: "AA" (one or two digits), then optionally ";process:<pid>". */
static int parse_exit(struct span rest, struct rsp_stop *st)
{
    struct span code = split(&rest, ';');
    uint64_t v;
    if (code.len > 2 || rsp_parse_hex_u64(code.s, code.len, &v) != 0)
        return -1;
    st->signal = (uint8_t)v;
    if (code.s + code.len == rest.s)  /* no ';' */
        return 0;
    struct span name = split(&rest, ':');
    if (!span_is(name, "process") || name.s + name.len == rest.s)
        return -1;
    return parse_id(rest, &st->pid);
}

static int parse_stop_body(char kind, struct span rest, struct rsp_stop *st)
{
    switch (kind) {
    case 'S':
    case 'T':
        if (rest.len < 2 || rsp_hex_decode(rest.s, 1, &st->signal) != 0)
            return -1;
        rest.s += 2;
        rest.len -= 2;
        return kind == 'S' ? (rest.len == 0 ? 0 : -1) : parse_t(rest, st);
    case 'W':
    case 'X':
        return parse_exit(rest, st);
    case 'O':
        return rest.len % 2 == 0 && all_hex(rest) ? 0 : -1;
    default:
        return -1;
    }
}

int rsp_parse_stop(const uint8_t *payload, size_t len, struct rsp_stop *stop)
{
    if (len == 0)
        return -1;
    struct rsp_stop st = { .kind = (char)payload[0], .pid = -1, .tid = -1 };
    if (parse_stop_body(st.kind, (struct span){ payload + 1, len - 1 }, &st) != 0)
        return -1;
    *stop = st;
    return 0;
}

/* ------------------------------------------------------------ qSupported */

/* "name=value", or "name" followed by '+', '-' or '?'. 0, or -1. */
static int parse_feature(struct span item, struct rsp_feature *f)
{
    const uint8_t *eq = memchr(item.s, '=', item.len);
    *f = (struct rsp_feature){ .name = item.s };
    if (eq) {
        f->name_len = (size_t)(eq - item.s);
        f->support = '=';
        f->value = eq + 1;
        f->value_len = item.len - f->name_len - 1;
    } else {
        uint8_t last = item.s[item.len - 1];
        if (last != '+' && last != '-' && last != '?')
            return -1;
        f->name_len = item.len - 1;
        f->support = (char)last;
    }
    return f->name_len > 0 ? 0 : -1;
}

/* Walks the list; calls `fn` only when it is non-NULL. */
static int walk_features(struct span rest, void (*fn)(void *, const struct rsp_feature *),
                         void *arg)
{
    while (rest.len > 0) {
        struct span item = split(&rest, ';');
        struct rsp_feature f;
        if (item.len == 0)
            continue;
        if (parse_feature(item, &f) != 0)
            return -1;
        if (fn)
            fn(arg, &f);
    }
    return 0;
}

int rsp_parse_features(const uint8_t *list, size_t len,
                       void (*fn)(void *arg, const struct rsp_feature *f), void *arg)
{
    struct span all = { list, len };
    if (walk_features(all, NULL, NULL) != 0)
        return -1;
    return walk_features(all, fn, arg);
}

/* ------------------------------------------------ thread ids, vCont */

/* One part of a thread id: hex, or "-1" (all). */
static int parse_id_or_all(struct span sp, int64_t *out)
{
    if (span_is(sp, "-1")) {
        *out = -1;
        return 0;
    }
    return parse_id(sp, out);
}

int rsp_parse_thread_id(const uint8_t *s, size_t len, struct rsp_thread_id *id)
{
    struct rsp_thread_id t = { .pid = -2 };
    struct span v = { s, len };
    if (len > 0 && s[0] == 'p') {
        struct span rest = { s + 1, len - 1 };
        struct span pid = split(&rest, '.');
        bool dot = pid.len + 1 < len;
        if (parse_id_or_all(pid, &t.pid) != 0 || (dot && rest.len == 0))
            return -1;
        t.has_pid = true;
        if (!dot) {
            t.tid = -1;            /* "pPID": every thread of the process */
            *id = t;
            return 0;
        }
        v = rest;
    }
    if (parse_id_or_all(v, &t.tid) != 0)
        return -1;
    *id = t;
    return 0;
}

/* One action: c, s, t, r (with its range), or C/S with two hex digits. */
static int parse_action(struct span a, struct rsp_vcont_action *act)
{
    struct span rest = a;
    struct span head = split(&rest, ':');
    bool has_thread = head.len < a.len;
    *act = (struct rsp_vcont_action){ .action = head.len ? (char)head.s[0] : 0 };
    switch (act->action) {
    case 'c': case 's': case 't':
        if (head.len != 1)
            return -1;
        break;
    case 'C': case 'S':
        if (head.len != 3 || !all_hex((struct span){ head.s + 1, 2 }))
            return -1;
        act->signal = (uint8_t)(rsp_hex_digit(head.s[1]) * 16 + rsp_hex_digit(head.s[2]));
        break;
    case 'r': {
        struct span range = { head.s + 1, head.len - 1 };
        struct span start = split(&range, ',');
        if (start.len == 0 || range.len == 0 || !all_hex(start) || !all_hex(range))
            return -1;
        break;
    }
    default:
        return -1;
    }
    act->has_thread = has_thread;
    return has_thread ? rsp_parse_thread_id(rest.s, rest.len, &act->thread) : 0;
}

int rsp_parse_vcont(const uint8_t *s, size_t len,
                    void (*fn)(void *arg, const struct rsp_vcont_action *a), void *arg)
{
    struct rsp_vcont_action acts[32];
    size_t n = 0;
    struct span rest = { s, len };
    if (len == 0)
        return -1;
    while (rest.len > 0 || (n == 0)) {
        struct span a = split(&rest, ';');
        if (n == sizeof acts / sizeof acts[0] || parse_action(a, &acts[n]) != 0)
            return -1;
        n++;
        if (rest.len == 0 && a.s + a.len < s + len)
            return -1;             /* a trailing ';' */
    }
    for (size_t i = 0; i < n; i++)
        fn(arg, &acts[i]);
    return 0;
}
