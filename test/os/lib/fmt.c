/* printf-style formatting with no libc (see fmt.h). */
#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>

#define FMT_MAX_WIDTH 4096

struct spec {
    bool left;      /* '-' flag: pad on the right */
    bool zero;      /* '0' flag: pad numbers with zeros */
    int width;
    int longs;      /* number of 'l' (or 'z') modifiers */
};

struct out {
    fmt_putc_fn putc;
    void *arg;
    int count;
};

static void emit(struct out *o, char c)
{
    o->putc(o->arg, c);
    o->count++;
}

static void pad(struct out *o, int n, char c)
{
    while (n-- > 0)
        emit(o, c);
}

/* Emits `len` bytes of `s` padded to the spec's width. */
static void emit_field(struct out *o, const struct spec *sp, const char *s, int len)
{
    if (!sp->left)
        pad(o, sp->width - len, ' ');
    for (int i = 0; i < len; i++)
        emit(o, s[i]);
    if (sp->left)
        pad(o, sp->width - len, ' ');
}

static void emit_number(struct out *o, const struct spec *sp, uint64_t v,
                        unsigned base, bool upper, bool negative, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v != 0);

    int plen = 0;
    while (prefix[plen])
        plen++;
    int len = n + plen + (negative ? 1 : 0);
    if (!sp->left && !sp->zero)
        pad(o, sp->width - len, ' ');
    if (negative)
        emit(o, '-');
    for (int i = 0; i < plen; i++)
        emit(o, prefix[i]);
    if (!sp->left && sp->zero)
        pad(o, sp->width - len, '0');
    while (n > 0)
        emit(o, buf[--n]);
    if (sp->left)
        pad(o, sp->width - len, ' ');
}

static uint64_t take_unsigned(const struct spec *sp, va_list *ap)
{
    if (sp->longs > 0)
        return va_arg(*ap, unsigned long long);
    return va_arg(*ap, unsigned int);
}

static int64_t take_signed(const struct spec *sp, va_list *ap)
{
    if (sp->longs > 0)
        return va_arg(*ap, long long);
    return va_arg(*ap, int);
}

/* Parses flags, width and length after '%'; returns the conversion character. */
static const char *parse_spec(const char *f, struct spec *sp)
{
    *sp = (struct spec){0};
    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else
            break;
    }
    while (*f >= '0' && *f <= '9') {
        /* Saturate: an absurd width must not overflow the int. */
        if (sp->width < FMT_MAX_WIDTH)
            sp->width = sp->width * 10 + (*f - '0');
        f++;
    }
    if (sp->width > FMT_MAX_WIDTH)
        sp->width = FMT_MAX_WIDTH;
    while (*f == 'l' || *f == 'z') {
        sp->longs++;
        f++;
    }
    return f;
}

int fmt_vformat(fmt_putc_fn putc, void *arg, const char *fmt, va_list ap)
{
    struct out o = { putc, arg, 0 };
    va_list args;
    va_copy(args, ap);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            emit(&o, *f);
            continue;
        }
        const char *start = f;
        struct spec sp;
        f = parse_spec(f + 1, &sp);
        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v = take_signed(&sp, &args);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_number(&o, &sp, mag, 10, false, v < 0, "");
            break;
        }
        case 'u':
            emit_number(&o, &sp, take_unsigned(&sp, &args), 10, false, false, "");
            break;
        case 'x':
        case 'X':
            emit_number(&o, &sp, take_unsigned(&sp, &args), 16, *f == 'X', false, "");
            break;
        case 'p':
            emit_number(&o, &sp, (uint64_t)(uintptr_t)va_arg(args, void *), 16,
                        false, false, "0x");
            break;
        case 's': {
            const char *s = va_arg(args, const char *);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len])
                len++;
            emit_field(&o, &sp, s, len);
            break;
        }
        case 'c': {
            char c = (char)va_arg(args, int);
            emit_field(&o, &sp, &c, 1);
            break;
        }
        case '%':
            emit(&o, '%');
            break;
        default:
            /* Unknown or truncated conversion: show it verbatim. */
            for (const char *p = start; p <= f && *p; p++)
                emit(&o, *p);
            if (*f == '\0')
                f--;
            break;
        }
    }
    va_end(args);
    return o.count;
}

struct sbuf {
    char *buf;
    size_t size;
    size_t len;
};

static void sbuf_putc(void *arg, char c)
{
    struct sbuf *s = arg;
    if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sbuf s = { buf, size, 0 };
    int n = fmt_vformat(sbuf_putc, &s, fmt, ap);
    if (size > 0)
        buf[s.len < size ? s.len : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
