/* rspmux: command line, configuration, and the event loop. */
#define _GNU_SOURCE  /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mux.h"

/* Exit statuses (documented in --help and docs/rspmux.md). */
#define EXIT_OK      0   /* stopped by SIGINT or SIGTERM, or --help/--version */
#define EXIT_RUNTIME 1   /* cannot listen, or another run-time failure */
#define EXIT_USAGE   2   /* bad command line or configuration */

static const char usage_text[] =
    "Usage: rspmux [OPTIONS]\n"
    "A GDB remote-protocol multiplexer: GDB connects to rspmux, rspmux to QEMU's gdbstub.\n"
    "\n"
    "  -c, --config FILE         JSON configuration (keys: configs/schema.json)\n"
    "  -l, --listen [ADDR:]PORT  where GDB connects (default 127.0.0.1:2000)\n"
    "      --qemu [HOST:]PORT    QEMU's gdbstub (default 127.0.0.1:1234)\n"
    "  -k, --kernel ELF          kernel ELF that GDB loads through qXfer:exec-file\n"
    "  -v, --verbose             more log output; twice: every packet\n"
    "  -q, --quiet               errors only\n"
    "  -h, --help                this help\n"
    "  -V, --version             the version\n"
    "\n"
    "Command-line options override the configuration file.\n"
    "Then: gdb-multiarch -ex \"target remote 127.0.0.1:2000\"\n"
    "\n"
    "Exit status: 0 after SIGINT or SIGTERM; 1 if it cannot listen or run;\n"
    "2 for a bad command line or configuration.\n";

struct cli {
    const char *config, *listen, *qemu, *kernel;
    int verbosity;   /* -1 quiet, 0 normal, 1.. verbose */
};

static int parse_cli(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' }, { "listen", required_argument, NULL, 'l' },
        { "qemu", required_argument, NULL, 'Q' },   { "kernel", required_argument, NULL, 'k' },
        { "verbose", no_argument, NULL, 'v' },      { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:l:k:vqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cli->config = optarg; break;
        case 'l': cli->listen = optarg; break;
        case 'Q': cli->qemu = optarg; break;
        case 'k': cli->kernel = optarg; break;
        case 'v': cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1; break;
        case 'q': cli->verbosity = -1; break;
        case 'h': fputs(usage_text, stdout); exit(EXIT_OK);
        case 'V': printf("rspmux %s\n", RSPMUX_VERSION); exit(EXIT_OK);
        default:
            fputs("Try 'rspmux --help'.\n", stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rspmux: unexpected argument '%s'\nTry 'rspmux --help'.\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* Applies an "[ADDR:]PORT" option on top of the configuration. */
static int apply_host_port(const char *opt, const char *value, char **host, uint16_t *port)
{
    char err[256];
    char *h = NULL;
    uint16_t p;
    if (mux_parse_host_port(value, MUX_DEFAULT_HOST, &h, &p, err, sizeof err) != 0) {
        fprintf(stderr, "rspmux: %s %s: %s\n", opt, value, err);
        return -1;
    }
    free(*host);
    *host = h;
    *port = p;
    return 0;
}

static int configure(struct mux *m, const struct cli *cli)
{
    char err[4096];
    mux_config_init(&m->cfg);
    if (cli->config && mux_config_load_file(&m->cfg, cli->config, err, sizeof err) != 0) {
        fprintf(stderr, "rspmux: bad configuration:\n%s\n", err);
        return -1;
    }
    if (cli->listen && apply_host_port("--listen", cli->listen, &m->cfg.listen_host,
                                       &m->cfg.listen_port) != 0)
        return -1;
    if (cli->qemu &&
        apply_host_port("--qemu", cli->qemu, &m->cfg.qemu_host, &m->cfg.qemu_port) != 0)
        return -1;
    const char *kernel = cli->kernel ? cli->kernel : m->cfg.kernel_elf;
    if (kernel) {
        /* GDB opens the path it is given relative to its own directory. */
        m->kernel_path = realpath(kernel, NULL);
        if (!m->kernel_path) {
            fprintf(stderr, "rspmux: kernel ELF %s: %s\n", kernel, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cli cli = { 0 };
    if (parse_cli(argc, argv, &cli) != 0)
        return EXIT_USAGE;
    mux_log_set_level(cli.verbosity < 0 ? MUX_LOG_ERROR
                      : cli.verbosity == 0 ? MUX_LOG_INFO
                      : cli.verbosity == 1 ? MUX_LOG_DEBUG : MUX_LOG_TRACE);
    struct mux m = { .loop = uv_default_loop() };
    int status = EXIT_OK;
    signal(SIGPIPE, SIG_IGN);   /* a vanished peer is an error code, not a signal */
    if (configure(&m, &cli) != 0) {
        status = EXIT_USAGE;
    } else if (mux_start(&m) != 0) {
        status = EXIT_RUNTIME;
    } else {
        uv_run(m.loop, UV_RUN_DEFAULT);
        mux_finish(&m);
    }
    mux_config_free(&m.cfg);
    free(m.kernel_path);
    return status;
}
