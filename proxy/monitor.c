/* rspmux's own monitor commands (GDB's `monitor ...`, packet qRcmd). */
#define _POSIX_C_SOURCE 200809L
#include "monitor.h"

#include <string.h>

#include "session.h"

typedef void (*monitor_fn)(struct mux *m, struct rsp_buf *out);

struct monitor_command {
    const char *name;
    const char *help;
    monitor_fn run;
};

static void cmd_help(struct mux *m, struct rsp_buf *out);
static void cmd_status(struct mux *m, struct rsp_buf *out);
static void cmd_spaces(struct mux *m, struct rsp_buf *out);

static const struct monitor_command commands[] = {
    { "help", "this list", cmd_help },
    { "status", "backend, connection state, configuration and counters", cmd_status },
    { "spaces", "address spaces: pid, program, satp, state, breakpoints, which is active; "
                "hook mode and switch counters", cmd_spaces },
};

static void cmd_spaces(struct mux *m, struct rsp_buf *out)
{
    router_describe_spaces(&m->router, out);
}

static void cmd_help(struct mux *m, struct rsp_buf *out)
{
    (void)m;
    rsp_buf_append_str(out, "rspmux monitor commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        rsp_buf_printf(out, "  monitor %-8s %s\n", commands[i].name, commands[i].help);
    rsp_buf_append_str(out, "  monitor qemu CMD  CMD for QEMU's monitor, even one named like "
                            "ours (\"monitor qemu help\")\n"
                            "Any other monitor command goes to QEMU's monitor as it is, "
                            "e.g. \"monitor info registers\".\n"
                            "Processes: the kernel is process 1; each user address space is a "
                            "process of its own,\nannounced when it first enters user mode "
                            "(GDB: info inferiors, inferior N).\n");
}

static void cmd_status(struct mux *m, struct rsp_buf *out)
{
    const struct qemu *q = &m->qemu;
    uint64_t up = (uv_now(m->loop) - m->started_ms) / 1000;
    rsp_buf_printf(out, "rspmux %s, up %llus\n", RSPMUX_VERSION, (unsigned long long)up);
    rsp_buf_printf(out, "  config    %s\n", m->cfg.source ? m->cfg.source : "(none: defaults)");
    rsp_buf_printf(out, "  kernel    %s\n", m->kernel_path ? m->kernel_path : "(none)");
    rsp_buf_printf(out, "  listen    %s:%u, %lu client%s served, %lu refused\n",
                   m->cfg.listen_host, m->cfg.listen_port, m->clients_served,
                   m->clients_served == 1 ? "" : "s", m->clients_refused);
    rsp_buf_append_str(out, "  client    ");
    if (m->client)
        session_describe(m->client, out);
    else
        rsp_buf_append_str(out, "(none)");
    rsp_buf_printf(out, "\n  backend   QEMU gdbstub %s:%u, %s, guest %s\n", q->host, q->port,
                   qemu_state_name(q), q->running ? "running" : "stopped");
    rsp_buf_printf(out, "            %lu connect%s, %lu lost, %lu requests, %lu interrupts, "
                   "%u target description files\n", q->connects, q->connects == 1 ? "" : "s",
                   q->losses, q->requests, q->interrupts, q->tdesc.nfiles);
    if (q->conn)
        rsp_buf_printf(out, "            packets %lu in / %lu out, bad %lu, NAKs %lu\n",
                       q->conn->packets_in, q->conn->packets_out, q->conn->bad_in,
                       q->conn->naks_in);
}

int monitor_run(struct mux *m, const char *cmd, size_t len, struct rsp_buf *out)
{
    while (len > 0 && (cmd[len - 1] == ' ' || cmd[len - 1] == '\n'))
        len--;
    while (len > 0 && *cmd == ' ')
        cmd++, len--;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strlen(commands[i].name) == len && memcmp(commands[i].name, cmd, len) == 0) {
            commands[i].run(m, out);
            return 0;
        }
    }
    return -1;
}
