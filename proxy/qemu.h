/* The QEMU gdbstub backend: one long-lived RSP connection, reconnected when
 * lost, with a queue of requests answered strictly in order.
 *
 * QEMU 7.2 facts this follows (see ../shared/ARCHITECTURE.md): acks stay on
 * (no QStartNoAckMode); while the guest runs, any byte but 0x03 halts it and
 * is dropped, so nothing else is sent until the stop reply; p/P work only
 * after target.xml was read on the connection, so the handshake reads it. */
#ifndef MUX_QEMU_H
#define MUX_QEMU_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "conn.h"
#include "rsp.h"
#include "tdesc.h"

enum qemu_state { QEMU_DOWN, QEMU_CONNECTING, QEMU_HANDSHAKE, QEMU_READY };

/* Request flags. */
#define QREQ_RESUME    1u  /* c/s/vCont: the reply is a stop reply, maybe much later */
#define QREQ_OUTPUT    2u  /* 'O' console packets may precede the reply (qRcmd, resumes) */
#define QREQ_NO_REPLY  4u  /* 'k': QEMU exits instead of answering */
#define QREQ_PIPELINE  8u  /* may go out while other such requests await their
                              replies (QEMU answers in order). Not for a
                              resume: our '+' for the replies before it would
                              reach a running QEMU, which halts on any byte */

#define QEMU_WINDOW 16     /* most pipelined requests on the wire at once */

/* status: 0 with the reply, or QEMU_LOST if the connection went first. */
#define QEMU_LOST (-1)
typedef void (*qemu_reply_fn)(void *arg, int status, const uint8_t *payload, size_t len);
/* An 'O' console packet that arrived while a QREQ_OUTPUT request waits. */
typedef void (*qemu_output_fn)(void *arg, const uint8_t *payload, size_t len);

struct qemu_req;

struct qemu_events {
    /* The handshake finished. `was_running`: the guest was running when we
     * connected (QEMU stopped it for us; its stop signal was SIGINT). */
    void (*ready)(void *owner, bool was_running);
    /* The connection was lost (requests already failed with QEMU_LOST). */
    void (*lost)(void *owner, const char *why);
};

struct qemu {
    uv_loop_t *loop;
    char *host;
    uint16_t port;
    unsigned retry_ms;
    void *owner;
    struct qemu_events events;

    enum qemu_state state;
    struct conn *conn;             /* NULL while down */
    uv_timer_t retry_timer;
    uv_getaddrinfo_t resolve;
    uv_connect_t connect_req;
    bool waiting_logged;           /* "waiting for QEMU" said once per outage */
    bool stopping;

    struct qemu_req *head, *tail;  /* not yet sent */
    struct qemu_req *inflight_head, *inflight_tail;   /* sent, replies pending, in order */
    unsigned ninflight;
    bool resume_inflight;          /* a resume was sent (it is the last in flight) */
    bool running;                  /* the resume is the oldest in flight: QEMU runs it */
    bool interrupt_sent;
    bool interrupt_pending;        /* stop the queued resume once it is sent */
    struct conn *connecting;       /* a connect in progress, or NULL */
    bool resolving;                /* a getaddrinfo in progress */

    struct tdesc tdesc;            /* fetched during the handshake */
    struct rsp_buf features;       /* QEMU's qSupported reply */
    bool handshake_was_running;
    unsigned pending_includes;

    unsigned long connects, losses, requests, interrupts;
};

/* Sets up the backend (no I/O yet). `host` is copied. 0 or -1. */
int qemu_init(struct qemu *q, uv_loop_t *loop, const char *host, uint16_t port,
              unsigned retry_ms, const struct qemu_events *events, void *owner);
/* Starts connecting, retrying every retry_ms until QEMU answers. */
void qemu_start(struct qemu *q);
/* Closes everything; pending requests fail with QEMU_LOST. */
void qemu_stop(struct qemu *q);
/* After the loop has finished: frees what qemu_init allocated. */
void qemu_free(struct qemu *q);

/* Queues a request. Returns 0, or -1 when QEMU is not connected (nothing is
 * queued and no callback will run). `done` runs exactly once otherwise. */
int qemu_request(struct qemu *q, const void *payload, size_t len, unsigned flags,
                 qemu_reply_fn done, qemu_output_fn output, void *arg);
/* For a client that went away: drops its unsent requests, and detaches the
 * one in flight (it completes, but its callbacks do not run). Returns true
 * if `arg` had a request in flight. */
bool qemu_forget(struct qemu *q, void *arg);
/* Drops the unsent resumes of `arg` (the proxy's own, when a client arrives). */
void qemu_cancel_resumes(struct qemu *q, void *arg);
/* Interrupts a running guest (0x03), once per resume; a resume still queued
 * is interrupted as soon as it is sent. */
void qemu_interrupt(struct qemu *q);

bool qemu_ready(const struct qemu *q);
/* The guest runs because of a resume sent for `arg`. */
bool qemu_resumed_by(const struct qemu *q, const void *arg);
bool qemu_running(const struct qemu *q);
const char *qemu_state_name(const struct qemu *q);

#endif
