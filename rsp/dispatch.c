/* Table-driven packet dispatch: match a row's prefix, parse its schema, call its handler. */
#include <string.h>

#include "rsp.h"

/* Parsing one packet against one row's schema. */
struct parse {
    const uint8_t *pkt;      /* the packet after the prefix */
    size_t len, pos;
    const char *schema;      /* the whole schema */
    struct rsp_args *args;
    size_t hexused;          /* bytes of args->hexbuf taken by 'h' fields */
    unsigned last;           /* number of the last field present, 0 for none */
    const char *cmd;         /* the row's prefix, for error texts */
    struct rsp_buf *reply;
};

static bool is_field(char c)
{
    return c == 'x' || c == 's' || c == 'h' || c == 'r';
}

/* Is the schema item at `i` an optional group "Lf?"? */
static bool opens_group(const char *schema, size_t i)
{
    return schema[i] && !is_field(schema[i]) && is_field(schema[i + 1]) && schema[i + 2] == '?';
}

/* "E.<command>: " with the command's trailing separator dropped
 * ("qXfer:exec-file:read:" → "qXfer:exec-file:read"). */
static void error_start(struct parse *ps)
{
    size_t n = strlen(ps->cmd);
    while (n > 1 && strchr(":,;", ps->cmd[n - 1]))
        n--;
    rsp_buf_clear(ps->reply);
    rsp_buf_append_str(ps->reply, "E.");
    rsp_buf_append(ps->reply, ps->cmd, n);
    rsp_buf_append_str(ps->reply, ": ");
}

/* A short printable excerpt of packet bytes, in double quotes. */
static void append_excerpt(struct rsp_buf *b, const uint8_t *s, size_t len)
{
    enum { MAX_EXCERPT = 24 };
    rsp_buf_append_str(b, "\"");
    for (size_t i = 0; i < len && i < MAX_EXCERPT; i++) {
        uint8_t c = s[i];
        rsp_buf_append(b, c >= ' ' && c <= '~' && c != '"' ? (const char *)&s[i] : ".", 1);
    }
    rsp_buf_append_str(b, len > MAX_EXCERPT ? "...\"" : "\"");
}

/* "field N <what>", optionally followed by ": <excerpt>". Returns -1. */
static int field_error(struct parse *ps, const char *what, const uint8_t *s, size_t len)
{
    error_start(ps);
    rsp_buf_printf(ps->reply, "field %u %s", ps->args->n, what);
    if (s) {
        rsp_buf_append_str(ps->reply, ": ");
        append_excerpt(ps->reply, s, len);
    }
    return -1;
}

/* A table bug, reported like bad input so it cannot go unnoticed. */
static int too_many_fields(struct parse *ps)
{
    error_start(ps);
    rsp_buf_printf(ps->reply, "schema has more than %d fields", RSP_MAX_ARGS);
    return -1;
}

/* Where parsing stands, for "expected ':' after field 2". */
static void append_place(struct parse *ps)
{
    if (ps->last == 0)
        rsp_buf_append_str(ps->reply, "after the command name");
    else
        rsp_buf_printf(ps->reply, "after field %u", ps->last);
}

static int literal_error(struct parse *ps, char want)
{
    error_start(ps);
    rsp_buf_printf(ps->reply, "expected '%c' ", want);
    append_place(ps);
    if (ps->pos < ps->len)
        rsp_buf_printf(ps->reply, ", found '%c'",
                       ps->pkt[ps->pos] >= ' ' && ps->pkt[ps->pos] <= '~' ? ps->pkt[ps->pos] : '.');
    else
        rsp_buf_append_str(ps->reply, ", found the end of the packet");
    return -1;
}

static int trailing_error(struct parse *ps)
{
    error_start(ps);
    rsp_buf_append_str(ps->reply, "unexpected ");
    append_excerpt(ps->reply, ps->pkt + ps->pos, ps->len - ps->pos);
    rsp_buf_append_str(ps->reply, " ");
    append_place(ps);
    return -1;
}

/* The literals that may follow the field ending before schema[i]: the next
 * literal, and while that one opens an optional group, the one after it. */
static void terminators(const char *schema, size_t i, char *set, size_t setsize)
{
    size_t n = 0;
    while (schema[i] && !is_field(schema[i]) && n + 1 < setsize) {
        set[n++] = schema[i];
        if (!opens_group(schema, i))
            break;
        i += 3;
    }
    set[n] = '\0';
}

/* Length of the field starting at ps->pos whose schema item ends before
 * schema[next]. */
static size_t field_extent(struct parse *ps, char type, size_t next)
{
    if (type == 'r')
        return ps->len - ps->pos;
    char set[2 * RSP_MAX_ARGS + 2];
    terminators(ps->schema, next, set, sizeof set);
    size_t n = 0;
    while (ps->pos + n < ps->len && !(ps->pkt[ps->pos + n] && strchr(set, ps->pkt[ps->pos + n])))
        n++;
    return n;
}

static int parse_x(struct parse *ps, struct rsp_arg *a)
{
    if (a->len == 0)
        return field_error(ps, "is missing", NULL, 0);
    for (size_t i = 0; i < a->len; i++)
        if (rsp_hex_digit(a->str[i]) < 0)
            return field_error(ps, "is not a hex number", a->str, a->len);
    if (rsp_parse_hex_u64(a->str, a->len, &a->num) != 0)
        return field_error(ps, "has more than 16 hex digits", a->str, a->len);
    return 0;
}

static int parse_h(struct parse *ps, struct rsp_arg *a)
{
    size_t n = a->len / 2;
    if (a->len % 2 != 0)
        return field_error(ps, "has an odd number of hex digits", a->str, a->len);
    if (n > sizeof ps->args->hexbuf - ps->hexused)
        return field_error(ps, "decodes to more bytes than the 512 of 'h' storage", NULL, 0);
    uint8_t *out = ps->args->hexbuf + ps->hexused;
    if (rsp_hex_decode(a->str, n, out) != 0)
        return field_error(ps, "is not hex-encoded bytes", a->str, a->len);
    a->str = out;
    a->len = n;
    ps->hexused += n;
    return 0;
}

/* Parses the field of type `type` at ps->pos into the next argument slot;
 * `next` indexes the schema item after it. */
static int parse_field(struct parse *ps, char type, size_t next)
{
    struct rsp_arg *a = &ps->args->a[ps->args->n++];
    a->present = true;
    ps->last = ps->args->n;
    a->str = ps->pkt + ps->pos;
    a->len = field_extent(ps, type, next);
    ps->pos += a->len;
    if (type == 'x')
        return parse_x(ps, a);
    if (type == 'h')
        return parse_h(ps, a);
    return 0;
}

static int skip_absent(struct parse *ps)
{
    ps->args->a[ps->args->n++].present = false;
    return 0;
}

/* One schema item at schema[*i]: a field, an optional group, or a literal. */
static int parse_item(struct parse *ps, size_t *i)
{
    const char *sc = ps->schema;
    char c = sc[*i];
    bool at_end = ps->pos == ps->len;
    if (is_field(c)) {
        size_t next = *i + (sc[*i + 1] == '?' ? 2 : 1);
        bool absent = sc[*i + 1] == '?' && at_end;
        *i = next;
        return absent ? skip_absent(ps) : parse_field(ps, c, next);
    }
    if (opens_group(sc, *i)) {
        char type = sc[*i + 1];
        *i += 3;
        if (at_end || ps->pkt[ps->pos] != (uint8_t)c)
            return skip_absent(ps);
        ps->pos++;
        return parse_field(ps, type, *i);
    }
    if (at_end || ps->pkt[ps->pos] != (uint8_t)c)
        return literal_error(ps, c);
    ps->pos++;
    (*i)++;
    return 0;
}

static unsigned count_fields(const char *schema)
{
    unsigned n = 0;
    for (; *schema; schema++)
        n += is_field(*schema);
    return n;
}

static int parse_args(struct parse *ps)
{
    size_t i = 0;
    if (count_fields(ps->schema) > RSP_MAX_ARGS)
        return too_many_fields(ps);
    while (ps->schema[i])
        if (parse_item(ps, &i) != 0)
            return -1;
    return ps->pos == ps->len ? 0 : trailing_error(ps);
}

static bool row_matches(const struct rsp_command *row, const uint8_t *pkt, size_t len)
{
    size_t n = strlen(row->prefix);
    if (n > len || memcmp(pkt, row->prefix, n) != 0)
        return false;
    return row->match == RSP_MATCH_PREFIX || n == len;
}

enum rsp_dispatch_status rsp_dispatch(const struct rsp_command *table, size_t rows,
                                      const uint8_t *pkt, size_t len, void *ctx,
                                      struct rsp_buf *reply, int *result)
{
    for (size_t r = 0; r < rows; r++) {
        const struct rsp_command *row = &table[r];
        if (!row_matches(row, pkt, len))
            continue;
        struct rsp_args args;
        memset(&args, 0, sizeof args);
        size_t plen = strlen(row->prefix);
        struct parse ps = {
            .pkt = pkt + plen, .len = len - plen, .schema = row->schema,
            .args = &args, .cmd = row->prefix, .reply = reply,
        };
        if (parse_args(&ps) != 0) {
            *result = RSP_HANDLED;
            return RSP_DISPATCH_BAD_ARGS;
        }
        rsp_buf_clear(reply);
        *result = row->handler ? row->handler(ctx, &args, reply) : RSP_FORWARD;
        return RSP_DISPATCH_HANDLED;
    }
    *result = RSP_FORWARD;
    return RSP_DISPATCH_NO_MATCH;
}
