/* Logging to stderr with a level chosen on the command line (-v, -q). */
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* The one process-wide setting: the log level is not protocol state. */
static enum mux_log_level current_level = MUX_LOG_INFO;

void mux_log_set_level(enum mux_log_level level)
{
    current_level = level;
}

enum mux_log_level mux_log_get_level(void)
{
    return current_level;
}

void mux_log(enum mux_log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "info", "debug", "trace" };
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rspmux: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *mux_log_escape(const void *data, size_t len, char *out, size_t outlen)
{
    const unsigned char *p = data;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (o + 8 >= outlen) {
            snprintf(out + o, outlen - o, "...");
            return out;
        }
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", p[i]);
    }
    out[o] = '\0';
    return out;
}
