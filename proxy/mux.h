/* The rspmux program's shared state: one GDB client at a time in front of
 * one QEMU gdbstub. */
#ifndef MUX_MUX_H
#define MUX_MUX_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "qemu.h"
#include "router.h"

#define RSPMUX_VERSION "0.1.0"

struct session;

struct mux {
    uv_loop_t *loop;
    struct mux_config cfg;
    char *kernel_path;            /* absolute path served as the exec-file, or NULL */
    uv_tcp_t server;
    uv_signal_t sigint, sigterm;
    struct qemu qemu;
    struct router router;         /* address spaces, breakpoint groups, stops */
    bool router_ready;            /* router_init succeeded */
    struct session *client;       /* the one GDB client, or NULL */
    struct session *sessions;     /* every open session, refused ones too */
    uint64_t started_ms;
    unsigned long clients_served, clients_refused;
    int exit_code;
    bool stopping;
};

/* Starts listening and connecting. 0, or -1 with the reason logged. */
int mux_start(struct mux *m);
/* After uv_run returned: releases what mux_start set up. */
void mux_finish(struct mux *m);
/* Called by a session when its connection is gone: forget its requests,
 * remove its breakpoints from QEMU, leave the guest as GDB left it (a
 * running guest keeps running, a stopped one stays stopped, or resumes if
 * `resume`, as after a detach). */
void mux_client_gone(struct mux *m, struct session *s, bool resume);
/* Resumes the guest for nobody (after a detach or a departed client); the
 * next client's arrival interrupts it. */
void mux_resume_unattended(struct mux *m);

#endif
