/* The rspmux configuration: defaults, JSON files and strings loaded on top
 * of them, and the "[HOST:]PORT" addresses shared with the command line. */
#ifndef MUX_CONFIG_H
#define MUX_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "spacecfg.h"

#define MUX_DEFAULT_HOST        "127.0.0.1"   /* for a bare port: never all interfaces */
#define MUX_DEFAULT_LISTEN_PORT 2000
#define MUX_DEFAULT_QEMU_PORT   1234
#define MUX_DEFAULT_RETRY_MS    200
#define MUX_RETRY_MS_MIN        10
#define MUX_RETRY_MS_MAX        60000
#define MUX_HOST_MAX            253           /* longest host name (DNS) or address */
#define MUX_CONFIG_MAX_BYTES    (1024 * 1024) /* largest config file read */

/* Every string is owned by the struct (malloc'd), freed by mux_config_free. */
struct mux_config {
    char *source;           /* file name, or "<string>", of the last load; NULL before */
    char *listen_host;      /* "listen": where GDB connects; IPv6 without brackets */
    uint16_t listen_port;
    char *qemu_host;        /* "qemu.gdbstub": QEMU's gdbstub */
    uint16_t qemu_port;
    unsigned retry_ms;      /* "qemu.retry_ms": reconnect interval */
    char *kernel_elf;       /* "kernel.elf": an absolute path, or NULL */
    char *description;      /* "description", or NULL */
    struct mux_spacecfg spaces;  /* "user", "hooks", "aliases", "processes" */
    /* Set by the caller before loading, not by files: relative paths are
     * taken against this directory (--root), and "root" keys are ignored. */
    char *root_override;
};

/* Sets the defaults: listen 127.0.0.1:2000, QEMU at 127.0.0.1:1234, retry
 * every 200 ms, no kernel ELF, no description. Aborts the program if it
 * cannot allocate the two host strings (18 bytes). */
void mux_config_init(struct mux_config *c);

/* Reads the JSON file at `path` (at most MUX_CONFIG_MAX_BYTES) and loads it
 * like mux_config_load_text, with `path` as the source name and its
 * directory as the base of relative paths. */
int mux_config_load_file(struct mux_config *c, const char *path, char *err, size_t errlen);

/* A preset: like mux_config_load_file, except that relative paths are taken
 * against the current directory (the kernel's source tree), unless the
 * preset has a "root" key, which is relative to the preset's directory. */
int mux_config_load_preset(struct mux_config *c, const char *path, char *err, size_t errlen);

/* Loads the JSON object in text[0..len) (no NUL needed) on top of *c: keys
 * present replace the values in *c, keys absent keep them, so a caller can
 * set defaults, load a file, then apply its own flags. A relative
 * "kernel.elf" is taken relative to `base_dir`, itself relative to the
 * current directory (NULL: the current directory), and stored absolute.
 * `source_name` (NULL: "<string>") starts every error line.
 *
 * Returns 0, or -1 with *c unchanged and err holding every problem found,
 * one per line in document order (at most 20, then "... and N more"):
 *   x.json:3:17: JSON syntax error near '"b": 2}': expected ',' or '}'
 *   x.json: qemu.retry_ms: expected an integer from 10 to 60000, found 5
 *   x.json: kernel.elff: unknown key (known keys: elf)
 * err is always NUL-terminated (when errlen > 0), cut short if too small. */
int mux_config_load_text(struct mux_config *c, const char *text, size_t len,
                         const char *source_name, const char *base_dir,
                         char *err, size_t errlen);

/* Frees the strings and sets them to NULL; init may follow. */
void mux_config_free(struct mux_config *c);

/* Parses "[HOST:]PORT": "2000", "localhost:1234", "0.0.0.0:2000",
 * "[::1]:2000". A bare port gets `default_host` (NULL: a host is required).
 * Host names are not resolved, only checked for their characters and length;
 * an IPv6 address must be in brackets, which *host does not keep. Ports are
 * 1 to 65535. Returns 0 with *host malloc'd, or -1 with *host and *port
 * untouched and err holding the reason without a prefix, for the caller to
 * name the option or key (e.g. "port 70000 is out of range 1-65535"). */
int mux_parse_host_port(const char *s, const char *default_host, char **host, uint16_t *port,
                        char *err, size_t errlen);

#endif
