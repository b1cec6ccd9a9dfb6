/* rspmux: command line, configuration, and the event loop. */
#define _GNU_SOURCE  /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    "  -p, --preset NAME         a configuration from configs/: demo-os, rcore-tutorial-v3,\n"
    "                            xv6-riscv, arceos, starryos (paths relative to --root)\n"
    "      --root DIR            directory the configuration's relative paths start from\n"
    "  -u, --user ELF_OR_DIR     a user program, or a directory of them (repeatable;\n"
    "                            replaces the configuration's list)\n"
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

#define MAX_USER_ARGS 64

struct cli {
    const char *config, *preset, *root, *listen, *qemu, *kernel;
    const char *user[MAX_USER_ARGS];
    size_t nuser;
    int verbosity;   /* -1 quiet, 0 normal, 1.. verbose */
};

static int parse_cli(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' }, { "listen", required_argument, NULL, 'l' },
        { "preset", required_argument, NULL, 'p' }, { "root", required_argument, NULL, 'R' },
        { "user", required_argument, NULL, 'u' },
        { "qemu", required_argument, NULL, 'Q' },   { "kernel", required_argument, NULL, 'k' },
        { "verbose", no_argument, NULL, 'v' },      { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:p:u:l:k:vqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cli->config = optarg; break;
        case 'p': cli->preset = optarg; break;
        case 'R': cli->root = optarg; break;
        case 'u':
            if (cli->nuser == MAX_USER_ARGS) {
                fprintf(stderr, "rspmux: at most %d --user options\n", MAX_USER_ARGS);
                return -1;
            }
            cli->user[cli->nuser++] = optarg;
            break;
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

/* configs/NAME.json next to the program: $RSPMUX_CONFIGS, or up from the
 * executable (build/rspmux and build/san/rspmux both find the tree's). A
 * NAME with a '/' or ending in ".json" is a path already. */
static char *find_preset(const char *name)
{
    size_t n = strlen(name);
    if (strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".json") == 0))
        return strdup(name);
    char exe[PATH_MAX], path[PATH_MAX + 64];
    const char *env = getenv("RSPMUX_CONFIGS");
    if (env) {
        snprintf(path, sizeof path, "%s/%s.json", env, name);
        return strdup(path);
    }
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return NULL;
    exe[len] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = '\0';
        snprintf(path, sizeof path, "%s/configs/%s.json", exe, name);
        if (access(path, R_OK) == 0)
            return strdup(path);
    }
    return NULL;
}

static int load_configs(struct mux *m, const struct cli *cli)
{
    char err[4096];
    if (cli->root && !(m->cfg.root_override = realpath(cli->root, NULL))) {
        fprintf(stderr, "rspmux: --root %s: %s\n", cli->root, strerror(errno));
        return -1;
    }
    if (cli->preset) {
        char *path = find_preset(cli->preset);
        if (!path) {
            fprintf(stderr, "rspmux: no preset '%s' (looked in configs/ next to rspmux and "
                    "$RSPMUX_CONFIGS)\n", cli->preset);
            return -1;
        }
        int rc = mux_config_load_preset(&m->cfg, path, err, sizeof err);
        free(path);
        if (rc != 0) {
            fprintf(stderr, "rspmux: bad preset:\n%s\n", err);
            return -1;
        }
    }
    if (cli->config && mux_config_load_file(&m->cfg, cli->config, err, sizeof err) != 0) {
        fprintf(stderr, "rspmux: bad configuration:\n%s\n", err);
        return -1;
    }
    return 0;
}

/* --user paths replace the configuration's programs; checked here so that a
 * typo is an error at once. */
static int apply_users(struct mux *m, const struct cli *cli)
{
    char *abs[MAX_USER_ARGS];
    if (!cli->nuser)
        return 0;
    for (size_t i = 0; i < cli->nuser; i++) {
        if (!(abs[i] = realpath(cli->user[i], NULL))) {
            fprintf(stderr, "rspmux: --user %s: %s\n", cli->user[i], strerror(errno));
            while (i-- > 0)
                free(abs[i]);
            return -1;
        }
    }
    int rc = mux_spacecfg_set_programs(&m->cfg.spaces, abs, cli->nuser);
    for (size_t i = 0; i < cli->nuser; i++)
        free(abs[i]);
    return rc;
}

static int configure(struct mux *m, const struct cli *cli)
{
    char err[4096];
    mux_config_init(&m->cfg);
    if (load_configs(m, cli) != 0 || apply_users(m, cli) != 0)
        return -1;
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
    const char *source = m->cfg.source ? m->cfg.source : "(command line)";
    if (router_init(&m->router, m, &m->cfg.spaces, m->kernel_path, source, err,
                    sizeof err) != 0) {
        fprintf(stderr, "rspmux: %s\n", err);
        return -1;
    }
    m->router_ready = true;
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
        router_log_stats(&m.router);
    }
    if (m.router_ready)
        router_free(&m.router);
    mux_config_free(&m.cfg);
    free(m.kernel_path);
    return status;
}
