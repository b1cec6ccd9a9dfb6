/* The GDB-facing session: one client connection, its packets dispatched by a
 * const table, each answered exactly once — locally, or by QEMU. */
#ifndef MUX_SESSION_H
#define MUX_SESSION_H

#include <stdbool.h>

#include "conn.h"
#include "mux.h"

/* Accepts a client on `server` into a new session. A refused session (a
 * second client) answers its first packet with an error and closes. */
struct session *session_accept(struct mux *m, uv_stream_t *server, bool refuse);
/* QEMU became ready: held packets may go now. */
void session_qemu_ready(struct session *s);
/* Closes the client connection (mux shutdown). */
void session_close(struct session *s);
/* Closes every session, refused ones too (shutdown). */
void session_close_all(struct mux *m);
/* The router's answer to the request it was given (a stop reply, memory,
 * '?'), or that QEMU was lost meanwhile. */
void session_router_reply(struct session *s, const void *payload, size_t len);
void session_router_lost(struct session *s);
/* QEMU's 'O' console packets while the guest runs for this client. */
void session_router_output(struct session *s, const uint8_t *p, size_t len);
/* Text for GDB's console; only while GDB waits for a stop reply. */
void session_console(struct session *s, const char *text);
/* For `monitor status`. */
void session_describe(struct session *s, struct rsp_buf *out);

#endif
