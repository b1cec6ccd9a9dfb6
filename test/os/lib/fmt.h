/* printf-style formatting with no libc, shared by the kernel and user programs. */
#ifndef OS_FMT_H
#define OS_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each output character in order. */
typedef void (*fmt_putc_fn)(void *arg, char c);

/* Formats `fmt` with `ap`, feeding characters to `putc(arg, c)`; returns how
 * many were produced. Conversions: %d %i %u %x %X %p %s %c %%, with flags '-'
 * and '0', a decimal width (larger widths count as 4096), and the length
 * modifiers l, ll and z. An unknown conversion is printed as written, so a
 * bad format string is visible. */
int fmt_vformat(fmt_putc_fn putc, void *arg, const char *fmt, va_list ap);

/* Like snprintf: writes at most `size` bytes including the terminating NUL and
 * returns the length the whole output would have had. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
