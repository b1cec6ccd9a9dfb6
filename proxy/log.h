/* Logging to stderr with a level chosen on the command line (-v, -q). */
#ifndef MUX_LOG_H
#define MUX_LOG_H

enum mux_log_level { MUX_LOG_ERROR, MUX_LOG_WARN, MUX_LOG_INFO, MUX_LOG_DEBUG, MUX_LOG_TRACE };

/* Messages above `level` are dropped. Default MUX_LOG_INFO. */
void mux_log_set_level(enum mux_log_level level);
enum mux_log_level mux_log_get_level(void);
void mux_log(enum mux_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) mux_log(MUX_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  mux_log(MUX_LOG_WARN, __VA_ARGS__)
#define log_info(...)  mux_log(MUX_LOG_INFO, __VA_ARGS__)
#define log_debug(...) mux_log(MUX_LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) mux_log(MUX_LOG_TRACE, __VA_ARGS__)

/* Writes up to `max` bytes of a packet as printable text into `out` (for
 * trace logs): non-printable bytes as \xNN, a cut marked with "...". */
const char *mux_log_escape(const void *data, size_t len, char *out, size_t outlen);

#endif
