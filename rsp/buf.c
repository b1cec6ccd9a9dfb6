/* Growable byte buffers, packet framing (escapes and checksum), and hex helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp.h"

static const char hex_chars[] = "0123456789abcdef";

void rsp_buf_init(struct rsp_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

void rsp_buf_free(struct rsp_buf *b)
{
    free(b->data);
    rsp_buf_init(b);
}

void rsp_buf_clear(struct rsp_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for `extra` more bytes plus the NUL; false (and `failed` set)
 * when that cannot be had. */
static bool reserve(struct rsp_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra >= SIZE_MAX - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *data = realloc(b->data, cap);
    if (!data) {
        b->failed = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

void rsp_buf_append(struct rsp_buf *b, const void *data, size_t len)
{
    if (!reserve(b, len))
        return;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void rsp_buf_append_str(struct rsp_buf *b, const char *s)
{
    rsp_buf_append(b, s, strlen(s));
}

void rsp_buf_printf(struct rsp_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        b->failed = true;
    else if (reserve(b, (size_t)n)) {
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
    va_end(ap);
}

void rsp_buf_append_hex(struct rsp_buf *b, const void *data, size_t len)
{
    if (len > SIZE_MAX / 2 || !reserve(b, 2 * len)) {
        b->failed = true;
        return;
    }
    const uint8_t *in = data;
    uint8_t *out = b->data + b->len;
    for (size_t i = 0; i < len; i++) {
        *out++ = (uint8_t)hex_chars[in[i] >> 4];
        *out++ = (uint8_t)hex_chars[in[i] & 0xf];
    }
    b->len += 2 * len;
    b->data[b->len] = '\0';
}

static bool needs_escape(uint8_t c)
{
    return c == '$' || c == '#' || c == '}' || c == '*';
}

void rsp_frame(struct rsp_buf *out, const void *payload, size_t len, bool notification)
{
    /* Worst case: every byte escaped, plus '$', '#' and two digits. */
    if (len > (SIZE_MAX - 8) / 2 || !reserve(out, 2 * len + 4)) {
        out->failed = true;
        return;
    }
    const uint8_t *in = payload;
    uint8_t *w = out->data + out->len;
    uint8_t sum = 0;
    *w++ = notification ? '%' : '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (needs_escape(c)) {
            *w++ = '}';
            sum += '}';
            c ^= 0x20;
        }
        *w++ = c;
        sum += c;
    }
    *w++ = '#';
    *w++ = (uint8_t)hex_chars[sum >> 4];
    *w++ = (uint8_t)hex_chars[sum & 0xf];
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
}

int rsp_hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rsp_hex_decode(const uint8_t *hex, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = rsp_hex_digit(hex[2 * i]), lo = rsp_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int rsp_parse_hex_u64(const uint8_t *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int d = rsp_hex_digit(s[i]);
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}
