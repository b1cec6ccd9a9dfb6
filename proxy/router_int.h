/* The router's internals shared by router.c and spacemem.c: batches of
 * gdbstub requests, the one reply per request, memory of a space. */
#ifndef MUX_ROUTER_INT_H
#define MUX_ROUTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router.h"

#define PRIV_U 0
#define PRIV_S 1
#define MEM_CHUNK 1024    /* bytes per physical read (QEMU's packet holds 2048) */
#define RT_PACKET_MAX (MEM_CHUNK * 2 + 64)   /* longest request a batch holds */

/* The n bytes at p (n <= 8) as a little-endian number: guest memory and
 * QEMU's register replies are little-endian. */
static inline uint64_t rt_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    while (n-- > 0)
        v = (v << 8) | p[n];
    return v;
}

/* A batch: requests added after rt_batch_begin go to QEMU back to back (they
 * must not resume it); rt_batch_run calls `done` once all are answered, the
 * replies in r->replies[i] (r->batch_lost if QEMU went away). */
void rt_batch_begin(struct router *r);
void rt_batch_add(struct router *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rt_batch_run(struct router *r, void (*done)(struct router *r));
bool rt_reply_ok(const struct router *r, unsigned i);
/* A register from a 'p' reply (little-endian hex). 0 or -1. */
int rt_reply_reg(const struct router *r, unsigned i, uint64_t *v);

/* Starts serving a request of `s` that is not a resume (memory, '?'). */
void rt_start_request(struct router *r, struct session *s);
/* Answers the request being served (payload NULL: QEMU was lost), once. */
void rt_finish(struct router *r, const char *payload, size_t len);

/* Reads (write NULL) or writes [va, va + len) of the space under `satp`:
 * plain m/M when `direct`, else an Sv39 walk in QEMU's physical-memory mode.
 * `then` gets 0 with the bytes in r->mem, or -1 with r->mem_err. */
void rt_mem_start(struct router *r, uint64_t satp, bool direct, uint64_t va, size_t len,
                  const uint8_t *write, void (*then)(struct router *r, int status));

#endif
