/* The rspmux program's core: the listening socket, the one client, the QEMU
 * backend, and what happens between clients. */
#define _POSIX_C_SOURCE 200809L
#include "mux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"

/* ------------------------------------------------- the guest between clients */

/* A resume the proxy made itself (after a detach, a vanished client, or a
 * handshake that found the guest running). Its stop reply comes when the
 * next client connects and we interrupt; nobody else wants it. */
static void on_proxy_stop(void *arg, int status, const uint8_t *p, size_t len)
{
    (void)arg;
    if (status == 0)
        log_debug("guest stopped with no client attached (%.*s)", (int)(len < 40 ? len : 40), p);
}

void mux_resume_unattended(struct mux *m)
{
    qemu_request(&m->qemu, "c", 1, QREQ_RESUME | QREQ_OUTPUT, on_proxy_stop, NULL, m);
}

void mux_client_gone(struct mux *m, struct session *s, bool resume)
{
    qemu_forget(&m->qemu, s);
    if (m->client == s && !resume)
        m->client = NULL;
    router_client_gone(&m->router, s, resume);
}

/* ------------------------------------------------------------- backend */

static void on_qemu_ready(void *owner, bool was_running)
{
    struct mux *m = owner;
    router_qemu_ready(&m->router);
    if (m->client)
        session_qemu_ready(m->client);
    else if (was_running)
        mux_resume_unattended(m);   /* connecting stopped it; nobody asked for that */
}

static void on_qemu_lost(void *owner, const char *why)
{
    struct mux *m = owner;
    (void)why;
    router_qemu_lost(&m->router);   /* the breakpoints went with QEMU */
}

/* ------------------------------------------------------------- clients */

static void on_connection(uv_stream_t *server, int status)
{
    struct mux *m = server->data;
    if (status < 0) {
        log_warn("accepting a client: %s", uv_strerror(status));
        return;
    }
    if (m->client) {
        session_accept(m, server, true);
        return;
    }
    m->client = session_accept(m, server, false);
    if (!m->client)
        return;
    router_client_attached(&m->router, m->client);
    m->clients_served++;
    /* Like QEMU itself: a debugger that connects finds the guest stopped.
     * A resume of ours still queued (behind a departed client's cleanup) is
     * dropped; one already sent is interrupted. */
    qemu_cancel_resumes(&m->qemu, m);
    if (qemu_resumed_by(&m->qemu, m))
        qemu_interrupt(&m->qemu);
}

static int parse_listen_addr(struct mux *m, struct sockaddr_storage *addr)
{
    const char *host = m->cfg.listen_host;
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (uv_ip4_addr(host, m->cfg.listen_port, (struct sockaddr_in *)addr) == 0 ||
        uv_ip6_addr(host, m->cfg.listen_port, (struct sockaddr_in6 *)addr) == 0)
        return 0;
    log_error("listen address '%s' is not an IPv4 or IPv6 address", m->cfg.listen_host);
    return -1;
}

static int start_listening(struct mux *m)
{
    struct sockaddr_storage addr;
    if (parse_listen_addr(m, &addr) != 0)
        return -1;
    uv_tcp_init(m->loop, &m->server);
    m->server.data = m;
    int rc = uv_tcp_bind(&m->server, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&m->server, 4, on_connection);
    if (rc != 0) {
        log_error("cannot listen on %s:%u: %s", m->cfg.listen_host, m->cfg.listen_port,
                  uv_strerror(rc));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ lifetime */

/* The signal handles stay installed (unreferenced, so they do not keep the
 * loop alive) until mux_finish: a second signal during shutdown is ignored
 * instead of meeting the default action. */
static void on_signal(uv_signal_t *sig, int signum)
{
    struct mux *m = sig->data;
    if (m->stopping)
        return;
    m->stopping = true;
    log_info("%s: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    session_close_all(m);
    m->client = NULL;
    qemu_stop(&m->qemu);
    uv_close((uv_handle_t *)&m->server, NULL);
}

void mux_finish(struct mux *m)
{
    uv_close((uv_handle_t *)&m->sigint, NULL);
    uv_close((uv_handle_t *)&m->sigterm, NULL);
    uv_run(m->loop, UV_RUN_DEFAULT);
    qemu_free(&m->qemu);
}

int mux_start(struct mux *m)
{
    m->started_ms = uv_now(m->loop);
    if (start_listening(m) != 0)
        return -1;
    static const struct qemu_events events = { on_qemu_ready, on_qemu_lost };
    if (qemu_init(&m->qemu, m->loop, m->cfg.qemu_host, m->cfg.qemu_port, m->cfg.retry_ms,
                  &events, m) != 0)
        return -1;
    uv_signal_init(m->loop, &m->sigint);
    uv_signal_init(m->loop, &m->sigterm);
    m->sigint.data = m->sigterm.data = m;
    uv_signal_start(&m->sigint, on_signal, SIGINT);
    uv_signal_start(&m->sigterm, on_signal, SIGTERM);
    uv_unref((uv_handle_t *)&m->sigint);
    uv_unref((uv_handle_t *)&m->sigterm);
    log_info("listening on %s:%u for GDB; QEMU's gdbstub is %s:%u", m->cfg.listen_host,
             m->cfg.listen_port, m->cfg.qemu_host, m->cfg.qemu_port);
    qemu_start(&m->qemu);
    return 0;
}
