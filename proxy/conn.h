/* A TCP connection carrying RSP: buffered writes, the byte-fed parser, and
 * ack/no-ack bookkeeping for one side. Owned by a session or a backend. */
#ifndef MUX_CONN_H
#define MUX_CONN_H

#include <stdbool.h>
#include <uv.h>

#include "rsp.h"

struct conn;
struct frame;

/* Called for each parsed event (acks included; the conn has already
 * answered checksum errors with '-' when acks are on). */
typedef void (*conn_event_fn)(struct conn *c, const struct rsp_event *ev);
/* Called once when the peer closes or an I/O error occurs; after it returns
 * the conn is closing and must not be used (its owner frees it in close_fn). */
typedef void (*conn_closed_fn)(struct conn *c, const char *why);
/* Called when the handle is fully closed: the owner may free the conn. */
typedef void (*conn_freed_fn)(struct conn *c);

struct conn {
    uv_tcp_t tcp;
    struct rsp_parser parser;
    void *owner;
    const char *name;             /* "gdb" or "qemu", for logs */
    conn_event_fn on_event;
    conn_closed_fn on_closed;
    conn_freed_fn on_freed;
    bool acks;                    /* this side acknowledges packets */
    bool closing;
    /* With acks on, at most `window` packets are on the wire before their
     * '+' (1 unless the owner sets more); a '-' resends the oldest. The
     * others wait in the queue, in order. */
    struct frame *unacked_head, *unacked_tail;   /* sent, waiting for '+' */
    unsigned nunacked, window;
    struct frame *queue_head, *queue_tail;
    unsigned resends;
    unsigned long packets_in, packets_out, bad_in, naks_in;
};

/* Prepares `c` for an accepted or connecting handle on `loop`. 0 or -1. */
int conn_init(struct conn *c, uv_loop_t *loop, const char *name, void *owner,
              conn_event_fn on_event, conn_closed_fn on_closed, conn_freed_fn on_freed);
/* Starts reading; call once connected. 0 or a libuv error. */
int conn_start(struct conn *c);
/* Sends one packet (framed here). With acks on it waits for the '+' of the
 * packet before it, and is resent on '-'. */
void conn_send_packet(struct conn *c, const void *payload, size_t len);
/* Turns acks off (after QStartNoAckMode): waiting packets go out at once. */
void conn_acks_off(struct conn *c);
/* Lets up to `n` packets be on the wire before their acks (1: one at a
 * time). Only for a peer that processes packets strictly in order. */
void conn_set_window(struct conn *c, unsigned n);
void conn_send_notification(struct conn *c, const void *payload, size_t len);
/* Sends raw bytes: '+', '-', 0x03. */
void conn_send_raw(struct conn *c, const void *data, size_t len);
/* Closes (idempotent); on_closed is not called for a close we asked for. */
void conn_close(struct conn *c);
/* Closes once everything written so far has been sent. */
void conn_close_after_writes(struct conn *c);
/* "127.0.0.1:45678" of the peer, for logs and `monitor status`. */
void conn_peer_name(struct conn *c, char *out, size_t outlen);

#endif
