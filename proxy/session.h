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
/* QEMU was lost: the breakpoints it held are gone with it. */
void session_qemu_lost(struct session *s);
/* For `monitor status`. */
void session_describe(struct session *s, struct rsp_buf *out);

#endif
