/* JSON text checked strictly, parsed with cJSON and validated against const
 * tables of keys; every error names the source and the place. */
#define _POSIX_C_SOURCE 200809L

#include "jsonpath.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CONTEXT_CHARS  16   /* characters of text shown after "near" */
#define QUOTE_CHARS    40   /* characters of a string value shown in messages */
#define KEY_CHARS      64   /* characters of a key shown in a path */
#define LINE_MAX_LEN   (JP_PATH_MAX + 512)

/* Room kept after the first error line for the longest summary line. */
#define SUMMARY_RESERVE sizeof("\n... and 4294967295 more")

/* ------------------------------------------------------------ bounded text */

/* Appends into p[cap]: keeps p NUL-terminated, drops what does not fit, and
 * never leaves half a UTF-8 sequence at the end. */
struct sbuf {
    char *p;
    size_t cap;
    size_t used;
};

static void sb_init(struct sbuf *b, char *p, size_t cap)
{
    b->p = p;
    b->cap = cap;
    b->used = 0;
    if (cap > 0)
        p[0] = '\0';
}

/* Drops a UTF-8 sequence cut short at the end of b (after a truncation). */
static void sb_trim_cut(struct sbuf *b)
{
    size_t i = b->used, cont = 0;
    while (i > 0 && cont < 3 && ((unsigned char)b->p[i - 1] & 0xC0) == 0x80) {
        i--;
        cont++;
    }
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)b->p[i - 1];
    size_t want = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (want > cont) {
        b->used = i - 1;
        b->p[b->used] = '\0';
    }
}

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    if (b->cap == 0)
        return;
    size_t room = b->cap - 1 - b->used;
    bool cut = n > room;
    if (cut)
        n = room;
    memcpy(b->p + b->used, s, n);
    b->used += n;
    b->p[b->used] = '\0';
    if (cut)
        sb_trim_cut(b);
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
    if (b->cap == 0)
        return;
    size_t room = b->cap - b->used;
    int n = vsnprintf(b->p + b->used, room, fmt, ap);
    if (n < 0) {
        b->p[b->used] = '\0';
        return;
    }
    if ((size_t)n < room) {
        b->used += (size_t)n;
    } else {
        b->used = b->cap - 1;
        sb_trim_cut(b);
    }
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at s[0..n), n > 0; 0 if invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Appends s[0..n) with JSON escapes, at most max_chars characters, then
 * "..." if more was left. Bytes that are not UTF-8 show as \xNN. With
 * `quotes` false, '"' and '\\' stay as they are (text shown between '...'). */
static void sb_escaped(struct sbuf *b, const char *s, size_t n, size_t max_chars, bool quotes)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    for (size_t chars = 0; i < n; chars++) {
        if (chars == max_chars) {
            sb_puts(b, "...");
            return;
        }
        unsigned char c = u[i];
        size_t len = utf8_len(u + i, n - i);
        if (quotes && (c == '"' || c == '\\'))
            sb_printf(b, "\\%c", c);
        else if (c == '\n')
            sb_puts(b, "\\n");
        else if (c == '\t')
            sb_puts(b, "\\t");
        else if (c == '\r')
            sb_puts(b, "\\r");
        else if (c < 0x20 || c == 0x7F)
            sb_printf(b, "\\u%04x", c);
        else if (len == 0)
            sb_printf(b, "\\x%02x", c);
        else
            sb_putn(b, s + i, len);
        i += len ? len : 1;
    }
}

void jp_quote(const char *s, size_t max_chars, char *buf, size_t len)
{
    struct sbuf b;
    sb_init(&b, buf, len);
    sb_puts(&b, "\"");
    sb_escaped(&b, s, strlen(s), max_chars, true);
    sb_puts(&b, "\"");
}

/* "1234", "2.5"; NaN and the infinities (cJSON's 1e999) are not expected. */
static void format_number(double d, char *buf, size_t len)
{
    if (d > -1e15 && d < 1e15 && (double)(long long)d == d)
        snprintf(buf, len, "%lld", (long long)d);
    else
        snprintf(buf, len, "%.15g", d);
}

void jp_describe(const cJSON *v, char *buf, size_t len)
{
    struct sbuf b;
    char num[32];
    sb_init(&b, buf, len);
    if (!v) {
        sb_puts(&b, "nothing");
    } else if (cJSON_IsString(v)) {
        sb_puts(&b, "string \"");
        sb_escaped(&b, v->valuestring, strlen(v->valuestring), QUOTE_CHARS, true);
        sb_puts(&b, "\"");
    } else if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        sb_puts(&b, "number too large to represent");
    } else if (cJSON_IsNumber(v)) {
        format_number(v->valuedouble, num, sizeof num);
        sb_printf(&b, "number %s", num);
    } else if (cJSON_IsTrue(v)) {
        sb_puts(&b, "boolean true");
    } else if (cJSON_IsFalse(v)) {
        sb_puts(&b, "boolean false");
    } else if (cJSON_IsNull(v)) {
        sb_puts(&b, "null");
    } else if (cJSON_IsObject(v)) {
        sb_puts(&b, "object");
    } else if (cJSON_IsArray(v)) {
        sb_puts(&b, "array");
    } else {
        sb_puts(&b, "a value of unknown type");
    }
}

/* ------------------------------------------------------------ error lines */

void jp_init(struct jp_ctx *ctx, const char *source, char *err, size_t errlen)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->source = source;
    ctx->err = errlen ? err : NULL;
    ctx->errlen = ctx->err ? errlen : 0;
    if (ctx->err)
        ctx->err[0] = '\0';
}

/* Adds one error line. The first line is always written (cut to fit); a
 * later one only if it fits whole with room left for the summary, and once
 * one is left out, all later ones are too, so the lines shown are the first
 * ones in document order. */
static void emit(struct jp_ctx *ctx, const char *line)
{
    ctx->errors++;
    if (ctx->errlen == 0 || ctx->omitted > 0 || ctx->shown == JP_MAX_LINES) {
        ctx->omitted++;
        return;
    }
    size_t room = ctx->errlen - 1 - ctx->used;
    if (ctx->shown > 0 && strlen(line) + 1 + SUMMARY_RESERVE > room) {
        ctx->omitted++;
        return;
    }
    struct sbuf b = { ctx->err, ctx->errlen, ctx->used };
    if (ctx->shown > 0)
        sb_puts(&b, "\n");
    sb_puts(&b, line);
    ctx->used = b.used;
    ctx->shown++;
}

void jp_error(struct jp_ctx *ctx, const char *fmt, ...)
{
    char line[LINE_MAX_LEN];
    struct sbuf b;
    va_list ap;
    sb_init(&b, line, sizeof line);
    sb_printf(&b, "%s: %s: ", ctx->source, ctx->pathlen ? ctx->path : "(top level)");
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    emit(ctx, line);
}

void jp_error_source(struct jp_ctx *ctx, const char *fmt, ...)
{
    char line[LINE_MAX_LEN];
    struct sbuf b;
    va_list ap;
    sb_init(&b, line, sizeof line);
    sb_printf(&b, "%s: ", ctx->source);
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    emit(ctx, line);
}

/* The summary goes in only whole: emit() keeps room for it after the first
 * line, so only a first line that filled the buffer leaves it out. */
int jp_finish(struct jp_ctx *ctx)
{
    char line[48];
    if (ctx->omitted > 0 && ctx->errlen > 0) {
        int n = snprintf(line, sizeof line, "%s... and %u more", ctx->shown ? "\n" : "",
                         ctx->omitted);
        if (n > 0 && (size_t)n < ctx->errlen - ctx->used) {
            memcpy(ctx->err + ctx->used, line, (size_t)n + 1);
            ctx->used += (size_t)n;
        }
    }
    return ctx->errors ? -1 : 0;
}

/* ------------------------------------------------------------ JSON paths */

/* Keys shown as .key; anything else as ["key"] with escapes. */
static bool plain_key(const char *key)
{
    const char *p = key;
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' || *p == '$'))
        return false;
    for (; *p; p++) {
        bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '$' || *p == '-';
        if (!ok)
            return false;
    }
    return p - key <= KEY_CHARS;
}

/* The path buffer, ending in "..." if something did not fit. */
static void path_end(struct jp_ctx *ctx, struct sbuf *b)
{
    if (b->used + 1 == b->cap) {
        b->used = b->cap - 4;
        b->p[b->used] = '\0';
        sb_trim_cut(b);
        sb_puts(b, "...");
    }
    ctx->pathlen = b->used;
}

/* Appends one key to the path; returns what path_pop restores. */
static size_t path_push_key(struct jp_ctx *ctx, const char *key)
{
    size_t saved = ctx->pathlen;
    struct sbuf b = { ctx->path, sizeof ctx->path, ctx->pathlen };
    if (plain_key(key)) {
        sb_printf(&b, "%s%s", ctx->pathlen ? "." : "", key);
    } else {
        sb_puts(&b, "[\"");
        sb_escaped(&b, key, strlen(key), KEY_CHARS, true);
        sb_puts(&b, "\"]");
    }
    path_end(ctx, &b);
    return saved;
}

static size_t path_push_index(struct jp_ctx *ctx, size_t index)
{
    size_t saved = ctx->pathlen;
    struct sbuf b = { ctx->path, sizeof ctx->path, ctx->pathlen };
    sb_printf(&b, "[%zu]", index);
    path_end(ctx, &b);
    return saved;
}

static void path_pop(struct jp_ctx *ctx, size_t saved)
{
    ctx->pathlen = saved;
    ctx->path[saved] = '\0';
}

/* ------------------------------------------------------------ syntax */

/* The strict checker. Errors are positioned at a byte offset; jp_parse turns
 * that into line:column. */
struct syn {
    const unsigned char *s;
    size_t len;
    size_t err_at;
    struct sbuf msg;
};

/* Where an expectation failed: the what-was-wanted text after the text
 * found there, or after "unexpected end of input". */
static int syn_near(struct syn *sy, size_t at, const char *want, const char *hint)
{
    sy->err_at = at;
    if (at >= sy->len) {
        sb_printf(&sy->msg, "JSON syntax error: unexpected end of input, %s", want);
        return -1;
    }
    size_t n = 0, chars = 0;
    while (at + n < sy->len && chars < CONTEXT_CHARS && sy->s[at + n] != '\n' &&
           sy->s[at + n] != '\r') {
        size_t l = utf8_len(sy->s + at + n, sy->len - at - n);
        n += l ? l : 1;
        chars++;
    }
    sb_puts(&sy->msg, "JSON syntax error near '");
    sb_escaped(&sy->msg, (const char *)sy->s + at, n, CONTEXT_CHARS, false);
    sb_printf(&sy->msg, "': %s%s", want, hint ? hint : "");
    return -1;
}

__attribute__((format(printf, 3, 4)))
static int syn_fail(struct syn *sy, size_t at, const char *fmt, ...)
{
    va_list ap;
    sy->err_at = at;
    va_start(ap, fmt);
    sb_vprintf(&sy->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* Bytes that cJSON would stop at or pass through unchecked. */
static int check_encoding(struct syn *sy)
{
    for (size_t i = 0; i < sy->len;) {
        if (sy->s[i] == '\0')
            return syn_fail(sy, i, "NUL byte at offset %zu", i);
        size_t l = utf8_len(sy->s + i, sy->len - i);
        if (l == 0)
            return syn_fail(sy, i, "invalid UTF-8 at offset %zu (byte 0x%02x)", i, sy->s[i]);
        i += l;
    }
    return 0;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Four hex digits at s[at..]; -1 if not there. */
static int hex4(const struct syn *sy, size_t at, unsigned *out)
{
    unsigned v = 0;
    if (at > sy->len || sy->len - at < 4)
        return -1;
    for (size_t i = at; i < at + 4; i++) {
        unsigned char c = sy->s[i];
        unsigned d = is_digit(c) ? (unsigned)(c - '0')
                   : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                   : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10) : 16;
        if (d == 16)
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* One \ escape at s[*i] (the backslash); advances past it. */
static int scan_escape(struct syn *sy, size_t *i)
{
    size_t at = *i;
    unsigned char e = at + 1 < sy->len ? sy->s[at + 1] : 0;
    unsigned u, lo;
    if (e && strchr("\"\\/bfnrt", e)) {
        *i += 2;
        return 0;
    }
    if (e != 'u')
        return syn_near(sy, at, "invalid escape (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                        NULL);
    if (hex4(sy, at + 2, &u) != 0)
        return syn_near(sy, at, "\\u needs four hex digits", NULL);
    if (u == 0)
        return syn_near(sy, at, "\\u0000 is not allowed in strings", NULL);
    if (u >= 0xDC00 && u <= 0xDFFF)
        return syn_near(sy, at, "unpaired UTF-16 surrogate", NULL);
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (at + 7 >= sy->len || sy->s[at + 6] != '\\' || sy->s[at + 7] != 'u' ||
            hex4(sy, at + 8, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
            return syn_near(sy, at, "unpaired UTF-16 surrogate", NULL);
        *i += 12;
        return 0;
    }
    *i += 6;
    return 0;
}

/* A string at s[*i] (the opening quote); advances past the closing one. */
static int scan_string(struct syn *sy, size_t *i)
{
    size_t start = *i, at = start + 1;
    for (;;) {
        if (at >= sy->len)
            return syn_near(sy, start, "unterminated string", NULL);
        unsigned char c = sy->s[at];
        if (c == '"')
            break;
        if (c == '\\') {
            if (at + 1 >= sy->len)
                return syn_near(sy, start, "unterminated string", NULL);
            if (scan_escape(sy, &at) != 0)
                return -1;
            continue;
        }
        if (c < 0x20)
            return syn_fail(sy, at, "control character U+%04X in a string "
                            "(write it as an escape such as \\n or \\t)", c);
        at++;   /* UTF-8 was checked already */
    }
    *i = at + 1;
    return 0;
}

/* A number at s[*i] as RFC 8259 spells it, short enough for cJSON. */
static int scan_number(struct syn *sy, size_t *i)
{
    size_t start = *i, at = start;
    const unsigned char *s = sy->s;
    if (s[at] == '-')
        at++;
    if (at < sy->len && s[at] == '0') {
        at++;
    } else if (at < sy->len && is_digit(s[at])) {
        while (at < sy->len && is_digit(s[at]))
            at++;
    } else {
        return syn_near(sy, start, "invalid number", NULL);
    }
    if (at < sy->len && s[at] == '.') {
        if (++at >= sy->len || !is_digit(s[at]))
            return syn_near(sy, start, "invalid number (a digit must follow '.')", NULL);
        while (at < sy->len && is_digit(s[at]))
            at++;
    }
    if (at < sy->len && (s[at] == 'e' || s[at] == 'E')) {
        if (++at < sy->len && (s[at] == '+' || s[at] == '-'))
            at++;
        if (at >= sy->len || !is_digit(s[at]))
            return syn_near(sy, start, "invalid number (a digit must follow the exponent)", NULL);
        while (at < sy->len && is_digit(s[at]))
            at++;
    }
    if (at < sy->len && (is_digit(s[at]) || s[at] == '.' || s[at] == '+' || s[at] == '-' ||
                         s[at] == 'e' || s[at] == 'E'))
        return syn_near(sy, start, "invalid number (no leading zeros, one '.', one exponent)",
                        NULL);
    if (at - start > JP_MAX_NUMBER)
        return syn_fail(sy, start, "number longer than %d characters", JP_MAX_NUMBER);
    *i = at;
    return 0;
}

/* Hints for the usual ways of writing JavaScript instead of JSON. */
static const char *hint_for(unsigned char c)
{
    if (c == '\'')
        return " (JSON strings take double quotes)";
    if (c == '/' || c == '#')
        return " (JSON has no comments)";
    return NULL;
}

/* A string, number or literal at s[*i]. */
static int scan_scalar(struct syn *sy, size_t *i, bool after_comma)
{
    static const char *const literals[] = { "true", "false", "null" };
    unsigned char c = sy->s[*i];
    if (c == '"')
        return scan_string(sy, i);
    if (c == '-' || is_digit(c))
        return scan_number(sy, i);
    for (size_t k = 0; k < sizeof literals / sizeof literals[0]; k++) {
        size_t n = strlen(literals[k]);
        if (sy->len - *i >= n && memcmp(sy->s + *i, literals[k], n) == 0) {
            *i += n;
            return 0;
        }
    }
    if (after_comma && (c == ']' || c == '}'))
        return syn_near(sy, *i, "expected a value after ','", " (trailing comma?)");
    return syn_near(sy, *i, "expected a value", hint_for(c));
}

/* What each state of check_tokens waits for. */
enum want { W_VALUE, W_VALUE_OR_CLOSE, W_KEY, W_KEY_OR_CLOSE, W_COLON, W_NEXT, W_END };

static const char *want_text(enum want w, unsigned char open)
{
    switch (w) {
    case W_VALUE:          return "expected a value";
    case W_VALUE_OR_CLOSE: return "expected a value or ']'";
    case W_KEY:            return "expected a \"key\"";
    case W_KEY_OR_CLOSE:   return "expected a \"key\" or '}'";
    case W_COLON:          return "expected ':' after the key";
    case W_NEXT:           return open == '[' ? "expected ',' or ']'" : "expected ',' or '}'";
    case W_END:            break;
    }
    return "expected the end of the input after the JSON value";
}

/* The grammar, driven by an explicit stack of open brackets. */
static int check_tokens(struct syn *sy, size_t i)
{
    unsigned char stack[JP_MAX_DEPTH];
    size_t depth = 0;
    enum want w = W_VALUE;
    bool after_comma = false;
    for (;;) {
        while (i < sy->len && is_ws(sy->s[i]))
            i++;
        unsigned char open = depth ? stack[depth - 1] : 0;
        if (i == sy->len)
            return w == W_END ? 0 : syn_near(sy, i, want_text(w, open), NULL);
        unsigned char c = sy->s[i];
        if (c < 0x20)
            return syn_fail(sy, i, "control character U+%04X outside a string", c);
        bool comma = false;
        switch (w) {
        case W_END:
            return syn_near(sy, i, want_text(w, open), hint_for(c));
        case W_COLON:
            if (c != ':')
                return syn_near(sy, i, want_text(w, open), NULL);
            i++;
            w = W_VALUE;
            break;
        case W_NEXT:
            if (c == ',') {
                i++;
                comma = true;
                w = open == '[' ? W_VALUE : W_KEY;
            } else if (c == (open == '[' ? ']' : '}')) {
                i++;
                w = --depth ? W_NEXT : W_END;
            } else {
                return syn_near(sy, i, want_text(w, open), hint_for(c));
            }
            break;
        case W_KEY_OR_CLOSE:
        case W_KEY:
            if (w == W_KEY_OR_CLOSE && c == '}') {
                i++;
                w = --depth ? W_NEXT : W_END;
                break;
            }
            if (c != '"') {
                if (after_comma && c == '}')
                    return syn_near(sy, i, "expected a \"key\" after ','", " (trailing comma?)");
                return syn_near(sy, i, want_text(w, open), hint_for(c));
            }
            if (scan_string(sy, &i) != 0)
                return -1;
            w = W_COLON;
            break;
        case W_VALUE_OR_CLOSE:
        case W_VALUE:
            if (w == W_VALUE_OR_CLOSE && c == ']') {
                i++;
                w = --depth ? W_NEXT : W_END;
                break;
            }
            if (c == '{' || c == '[') {
                if (depth == JP_MAX_DEPTH)
                    return syn_fail(sy, i, "JSON nested deeper than %d levels", JP_MAX_DEPTH);
                stack[depth++] = c;
                i++;
                w = c == '{' ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
                break;
            }
            if (scan_scalar(sy, &i, after_comma) != 0)
                return -1;
            w = depth ? W_NEXT : W_END;
            break;
        }
        after_comma = comma;
    }
}

static bool has_bom(const unsigned char *s, size_t len)
{
    return len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
}

int jp_check_syntax(const char *text, size_t len, size_t *offset, char *msg, size_t msglen)
{
    struct syn sy = { .s = (const unsigned char *)text, .len = len };
    sb_init(&sy.msg, msg, msglen);
    int rc = check_encoding(&sy);
    if (rc == 0)
        rc = check_tokens(&sy, has_bom(sy.s, len) ? 3 : 0);
    if (rc != 0)
        *offset = sy.err_at;
    return rc;
}

/* 1-based line and column (in characters; a BOM is not one) of text[at]. */
static void line_col(const char *text, size_t len, size_t at, unsigned *line, unsigned *col)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = has_bom(s, len) && at >= 3 ? 3 : 0;
    *line = 1;
    *col = 1;
    for (; i < at && i < len; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else if ((s[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static bool only_ws(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = has_bom(s, len) ? 3 : 0; i < len; i++)
        if (!is_ws(s[i]))
            return false;
    return true;
}

static void report_at(struct jp_ctx *ctx, const char *text, size_t len, size_t at,
                      const char *msg)
{
    unsigned line, col;
    char buf[LINE_MAX_LEN];
    line_col(text, len, at, &line, &col);
    snprintf(buf, sizeof buf, "%s:%u:%u: %s", ctx->source, line, col, msg);
    emit(ctx, buf);
}

cJSON *jp_parse(struct jp_ctx *ctx, const char *text, size_t len)
{
    char msg[256];
    size_t at = 0;
    if (only_ws(text, len)) {
        jp_error_source(ctx, "empty input (no JSON value)");
        return NULL;
    }
    if (jp_check_syntax(text, len, &at, msg, sizeof msg) != 0) {
        report_at(ctx, text, len, at, msg);
        return NULL;
    }
    /* cJSON skips a BOM only when two more bytes follow it: skip it here.
     * Only running out of memory should fail then; cJSON still says where
     * it stopped (its parse-end pointer is cJSON_GetErrorPtr()). */
    size_t bom = has_bom((const unsigned char *)text, len) ? 3 : 0;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text + bom, len - bom, &end, 0);
    if (!root) {
        struct syn sy = { .s = (const unsigned char *)text, .len = len };
        sb_init(&sy.msg, msg, sizeof msg);
        at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        syn_near(&sy, at, "cJSON cannot parse this (out of memory?)", NULL);
        report_at(ctx, text, len, at, msg);
    }
    return root;
}

/* ------------------------------------------------------------ validation */

static void check_value(struct jp_ctx *ctx, const cJSON *v, const struct jp_field *row,
                        void *target, size_t index);

static bool has_range(const struct jp_field *row)
{
    return row->min != 0 || row->max != 0;
}

static void expected_text(const struct jp_field *row, char *buf, size_t len)
{
    if (row->expected)
        snprintf(buf, len, "%s", row->expected);
    else if (row->kind == JP_INTEGER && has_range(row))
        snprintf(buf, len, "an integer from %lld to %lld", row->min, row->max);
    else
        snprintf(buf, len, "%s", row->kind == JP_STRING ? "a string"
                               : row->kind == JP_INTEGER ? "an integer"
                               : row->kind == JP_BOOLEAN ? "true or false"
                               : row->kind == JP_OBJECT ? "an object" : "an array");
}

static bool kind_matches(enum jp_kind kind, const cJSON *v)
{
    switch (kind) {
    case JP_STRING:  return cJSON_IsString(v);
    case JP_INTEGER: return cJSON_IsNumber(v);
    case JP_BOOLEAN: return cJSON_IsBool(v);
    case JP_OBJECT:  return cJSON_IsObject(v);
    case JP_ARRAY:   return cJSON_IsArray(v);
    }
    return false;
}

/* A whole number within the row's range (or within long long). The
 * comparisons are false for NaN and the infinities. */
static bool integer_ok(const struct jp_field *row, double d)
{
    double lo = has_range(row) ? (double)row->min : -9223372036854775808.0;
    double hi = has_range(row) ? (double)row->max : 9223372036854775807.0;
    if (!(d >= lo && d <= hi) || d >= 9223372036854775807.0)
        return false;
    return (double)(long long)d == d;
}

/* "unknown key (known keys: a, b)" at the key's own path. */
static void report_unknown(struct jp_ctx *ctx, const struct jp_field *row)
{
    char known[256];
    struct sbuf b;
    sb_init(&b, known, sizeof known);
    for (size_t r = 0; r < row->nfields; r++)
        sb_printf(&b, "%s%s", r ? ", " : "", row->fields[r].key);
    if (row->nfields == 0)
        jp_error(ctx, "unknown key (no keys are allowed here)");
    else
        jp_error(ctx, "unknown key (known keys: %s)", known);
}

static size_t find_row(const struct jp_field *row, const char *key)
{
    size_t r = 0;
    while (r < row->nfields && strcmp(row->fields[r].key, key) != 0)
        r++;
    return r;
}

static void check_object(struct jp_ctx *ctx, const cJSON *obj, const struct jp_field *row,
                         void *target)
{
    uint64_t seen = 0;
    if (row->nfields > JP_MAX_KEYS) {
        jp_error(ctx, "internal error: a table of %zu keys (at most %d)", row->nfields,
                 JP_MAX_KEYS);
        return;
    }
    for (const cJSON *kv = obj->child; kv; kv = kv->next) {
        size_t saved = path_push_key(ctx, kv->string ? kv->string : "");
        size_t r = find_row(row, kv->string ? kv->string : "");
        if (r == row->nfields) {
            report_unknown(ctx, row);
        } else if (seen & (UINT64_C(1) << r)) {
            jp_error(ctx, "duplicate key");
        } else {
            seen |= UINT64_C(1) << r;
            check_value(ctx, kv, &row->fields[r], target, 0);
        }
        path_pop(ctx, saved);
    }
    for (size_t r = 0; r < row->nfields; r++)
        if (row->fields[r].required && !(seen & (UINT64_C(1) << r)))
            jp_error(ctx, "missing required key \"%s\"", row->fields[r].key);
}

static void check_array(struct jp_ctx *ctx, const cJSON *arr, const struct jp_field *row,
                        void *target)
{
    size_t n = 0;
    for (const cJSON *e = arr->child; e; e = e->next)
        n++;
    if (has_range(row) && ((long long)n < row->min || (long long)n > row->max))
        jp_error(ctx, "expected %lld to %lld elements, found %zu", row->min, row->max, n);
    if (row->nfields == 0)
        return;
    size_t i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        size_t saved = path_push_index(ctx, i);
        check_value(ctx, e, &row->fields[0], target, i);
        path_pop(ctx, saved);
    }
}

static void check_value(struct jp_ctx *ctx, const cJSON *v, const struct jp_field *row,
                        void *target, size_t index)
{
    char want[160], found[96];
    unsigned before = ctx->errors;
    if (row->kind == JP_ARRAY && row->or_one && row->nfields == 1 &&
        kind_matches(row->fields[0].kind, v)) {
        /* One element written without its array: the same as [v]. */
        if (row->enter && !(target = row->enter(ctx, target, index)))
            return;
        check_value(ctx, v, &row->fields[0], target, 0);
        if (row->apply && ctx->errors == before)
            row->apply(ctx, v, target);
        return;
    }
    if (!kind_matches(row->kind, v)) {
        expected_text(row, want, sizeof want);
        jp_describe(v, found, sizeof found);
        jp_error(ctx, "expected %s, found %s", want, found);
        return;
    }
    switch (row->kind) {
    case JP_INTEGER:
        if (!integer_ok(row, v->valuedouble)) {
            expected_text(row, want, sizeof want);
            if (isfinite(v->valuedouble))
                format_number(v->valuedouble, found, sizeof found);
            else
                jp_describe(v, found, sizeof found);
            jp_error(ctx, "expected %s, found %s", want, found);
            return;
        }
        break;
    case JP_OBJECT:
        if (row->enter && !(target = row->enter(ctx, target, index)))
            return;
        check_object(ctx, v, row, target);
        break;
    case JP_ARRAY:
        if (row->enter && !(target = row->enter(ctx, target, index)))
            return;
        check_array(ctx, v, row, target);
        break;
    case JP_STRING:
    case JP_BOOLEAN:
        break;
    }
    if (row->apply && ctx->errors == before)
        row->apply(ctx, v, target);
}

int jp_validate(struct jp_ctx *ctx, const cJSON *value, const struct jp_field *row, void *target)
{
    unsigned before = ctx->errors;
    check_value(ctx, value, row, target, 0);
    return ctx->errors == before ? 0 : -1;
}
