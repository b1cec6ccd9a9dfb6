/* The rspmux configuration: defaults, JSON files and strings loaded on top
 * of them, and the "[HOST:]PORT" addresses shared with the command line. */
#define _DEFAULT_SOURCE  /* realpath */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonpath.h"

#define HOST_PORT "a \"[HOST:]PORT\" string"

/* ------------------------------------------------------------ [HOST:]PORT */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (errlen == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' ||
           c == '-' || c == '_';
}

static bool ipv6_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* A name or IPv4 address; between brackets an IPv6 address, maybe with a
 * "%zone". Only the characters are checked: resolving is the caller's. */
static int check_host(const char *h, size_t n, bool bracketed, char *err, size_t errlen)
{
    char copy[MUX_HOST_MAX + 1], q[MUX_HOST_MAX * 6 + 8];
    if (n == 0 && bracketed)
        return fail(err, errlen, "empty IPv6 address between '[' and ']'");
    if (n > MUX_HOST_MAX)
        return fail(err, errlen, "host is too long (%zu characters, at most %d)", n, MUX_HOST_MAX);
    memcpy(copy, h, n);
    copy[n] = '\0';
    jp_quote(copy, MUX_HOST_MAX, q, sizeof q);
    const char *zone = bracketed ? memchr(h, '%', n) : NULL;
    size_t addr_len = zone ? (size_t)(zone - h) : n;
    bool colon = false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        bool ok = i < addr_len ? (bracketed ? ipv6_char(c) : host_char(c))
                               : (i == addr_len || host_char(c));
        if (!ok && bracketed && i < addr_len)
            return fail(err, errlen, "%s between brackets is not an IPv6 address", q);
        if (!ok && c >= ' ' && c < 0x7F)
            return fail(err, errlen, "invalid character '%c' in host %s", c, q);
        if (!ok)
            return fail(err, errlen, "invalid byte 0x%02x in host %s", (unsigned char)c, q);
        colon = colon || (c == ':' && i < addr_len);
    }
    if (bracketed && !colon)
        return fail(err, errlen, "%s between brackets is not an IPv6 address", q);
    if (zone && addr_len + 1 == n)
        return fail(err, errlen, "empty zone after '%%' in %s", q);
    return 0;
}

/* 1 to 65535 in decimal digits only (no sign, no space). */
static int parse_port(const char *p, uint16_t *port, char *err, size_t errlen)
{
    unsigned long v = 0;
    size_t n = 0;
    char q[64];
    for (; p[n]; n++) {
        if (!is_digit(p[n])) {
            jp_quote(p, 20, q, sizeof q);
            return fail(err, errlen, "port %s is not a number", q);
        }
        if (v <= 65535)
            v = v * 10 + (unsigned long)(p[n] - '0');
    }
    if (v == 0 || v > 65535)
        return fail(err, errlen, "port %.20s%s is out of range 1-65535", p, n > 20 ? "..." : "");
    *port = (uint16_t)v;
    return 0;
}

/* The pieces of "[HOST:]PORT" before their checks. */
struct address {
    const char *host;   /* NULL when only a port was given */
    size_t host_len;
    bool bracketed;
    const char *port;
};

/* Splits at the ':' before the port; `q` is the whole input, quoted. */
static int split_address(const char *s, const char *q, const char *default_host,
                         struct address *a, char *err, size_t errlen)
{
    *a = (struct address){ .bracketed = s[0] == '[', .port = s };
    const char *colon = strrchr(s, ':');
    if (a->bracketed) {
        const char *rb = strchr(s, ']');
        if (!rb)
            return fail(err, errlen, "missing ']' after the IPv6 address in %s", q);
        if (rb[1] != ':')
            return fail(err, errlen, "expected ':' and a port after ']' in %s", q);
        colon = rb + 1;
    } else if (colon && colon != strchr(s, ':')) {
        return fail(err, errlen, "an IPv6 address needs brackets, as in \"[::1]:2000\"");
    } else if (colon == s) {
        return fail(err, errlen, "empty host before ':' in %s (give the port alone for %s, "
                    "or 0.0.0.0:PORT for every interface)", q,
                    default_host ? default_host : "the default host");
    }
    if (colon) {
        a->host = s + a->bracketed;
        a->host_len = (size_t)(colon - a->host) - a->bracketed;
        a->port = colon + 1;
    }
    return 0;
}

int mux_parse_host_port(const char *s, const char *default_host, char **host, uint16_t *port,
                        char *err, size_t errlen)
{
    char q[96];
    struct address a;
    uint16_t pv = 0;
    if (errlen > 0)
        err[0] = '\0';
    if (!s || !*s)
        return fail(err, errlen, "empty address (expected \"[HOST:]PORT\")");
    jp_quote(s, 64, q, sizeof q);
    if (split_address(s, q, default_host, &a, err, errlen) != 0)
        return -1;
    if (a.host && check_host(a.host, a.host_len, a.bracketed, err, errlen) != 0)
        return -1;
    if (!*a.port)
        return fail(err, errlen, "missing port after %s", q);
    if (parse_port(a.port, &pv, err, errlen) != 0)
        return -1;
    if (!a.host && !default_host)
        return fail(err, errlen, "missing host in %s (expected \"HOST:PORT\")", q);
    char *dup = a.host ? strndup(a.host, a.host_len) : strdup(default_host);
    if (!dup)
        return fail(err, errlen, "out of memory");
    *host = dup;
    *port = pv;
    return 0;
}

/* ------------------------------------------------------------ paths */

/* a + "/" + b, dropping "./" from the start of b and "/" from the end of a. */
static char *join_path(const char *a, const char *b)
{
    size_t na = strlen(a);
    while (b[0] == '.' && b[1] == '/') {
        b += 2;
        while (*b == '/')
            b++;
    }
    while (na > 1 && a[na - 1] == '/')
        na--;
    if (*b == '\0' || strcmp(b, ".") == 0)
        return strndup(a, na);
    bool slash = !(na > 0 && a[na - 1] == '/');
    size_t nb = strlen(b);
    char *out = malloc(na + slash + nb + 1);
    if (!out)
        return NULL;
    memcpy(out, a, na);
    if (slash)
        out[na] = '/';
    memcpy(out + na + slash, b, nb + 1);
    return out;
}

/* The current directory, malloc'd; NULL with errno set. */
static char *current_dir(void)
{
    for (size_t size = 256; size <= (1u << 20); size *= 2) {
        char *buf = malloc(size);
        if (!buf)
            return NULL;
        if (getcwd(buf, size))
            return buf;
        free(buf);
        if (errno != ERANGE)
            return NULL;
    }
    errno = ENAMETOOLONG;
    return NULL;
}

/* `rel` relative to `base_dir` (itself relative to the current directory;
 * NULL: the current directory), as an absolute path kept as written: no
 * symlink or ".." is resolved, and the file need not exist yet. */
static int resolve_path(const char *base_dir, const char *rel, char **out, char *err,
                        size_t errlen)
{
    const char *base = base_dir ? base_dir : ".";
    char *abs_base;
    *out = NULL;
    if (rel[0] == '/') {
        abs_base = strdup("/");
    } else if (base[0] == '/') {
        abs_base = strdup(base);
    } else {
        char *cwd = current_dir();
        if (!cwd)
            return fail(err, errlen, "cannot make the path absolute: getcwd: %s", strerror(errno));
        abs_base = join_path(cwd, base);
        free(cwd);
    }
    *out = abs_base ? join_path(abs_base, rel[0] == '/' ? rel + 1 : rel) : NULL;
    free(abs_base);
    return *out ? 0 : fail(err, errlen, "out of memory");
}

/* ------------------------------------------------------------ the keys */

/* What the handlers fill: a copy of the config being loaded on top of. */
struct load {
    struct mux_config next;
};

static void set_address(struct jp_ctx *ctx, const cJSON *v, char **host, uint16_t *port)
{
    char msg[320], *h = NULL;
    uint16_t p = 0;
    if (mux_parse_host_port(v->valuestring, MUX_DEFAULT_HOST, &h, &p, msg, sizeof msg) != 0) {
        jp_error(ctx, "%s", msg);
        return;
    }
    free(*host);
    *host = h;
    *port = p;
}

static void set_string(struct jp_ctx *ctx, char **dst, char *value)
{
    if (!value) {
        jp_error(ctx, "out of memory");
        return;
    }
    free(*dst);
    *dst = value;
}

static void apply_listen(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct load *ld = target;
    set_address(ctx, v, &ld->next.listen_host, &ld->next.listen_port);
}

static void apply_gdbstub(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct load *ld = target;
    set_address(ctx, v, &ld->next.qemu_host, &ld->next.qemu_port);
}

static void apply_retry_ms(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct load *ld = target;
    (void)ctx;
    ld->next.retry_ms = (unsigned)v->valuedouble;   /* jsonpath checked the range */
}

static void apply_description(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct load *ld = target;
    set_string(ctx, &ld->next.description, strdup(v->valuestring));
}

/* Kept as written; made absolute once "root" is known (resolve_all). */
static void apply_kernel_elf(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct load *ld = target;
    if (v->valuestring[0] == '\0') {
        jp_error(ctx, "expected a non-empty path, found string \"\"");
        return;
    }
    set_string(ctx, &ld->next.kernel_elf, strdup(v->valuestring));
}

static void *enter_spaces(struct jp_ctx *ctx, void *target, size_t index)
{
    struct load *ld = target;
    (void)ctx, (void)index;
    return &ld->next.spaces;
}

/* "aliases" in a file replaces the list loaded before, even when empty. */
static void *enter_aliases(struct jp_ctx *ctx, void *target, size_t index)
{
    struct load *ld = target;
    (void)ctx, (void)index;
    mux_spacecfg_clear_aliases(&ld->next.spaces);
    return &ld->next.spaces;
}

/* "root" was read before the other keys (see base_of); nothing to do here. */
static void apply_root(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)target;
    if (v->valuestring[0] == '\0')
        jp_error(ctx, "expected a non-empty path, found string \"\"");
}

/* The keys of a config file. configs/schema.json documents the same keys
 * for editors: change both together. */
static const struct jp_field qemu_keys[] = {
    { .key = "gdbstub", .kind = JP_STRING, .expected = HOST_PORT, .apply = apply_gdbstub },
    { .key = "retry_ms", .kind = JP_INTEGER, .min = MUX_RETRY_MS_MIN, .max = MUX_RETRY_MS_MAX,
      .apply = apply_retry_ms },
};

static const struct jp_field kernel_keys[] = {
    { .key = "elf", .kind = JP_STRING, .expected = "a path string", .apply = apply_kernel_elf },
};

static const struct jp_field top_keys[] = {
    { .key = "$schema", .kind = JP_STRING },   /* for editors; ignored */
    { .key = "description", .kind = JP_STRING, .apply = apply_description },
    { .key = "root", .kind = JP_STRING, .expected = "a directory path string",
      .apply = apply_root },
    { .key = "listen", .kind = JP_STRING, .expected = HOST_PORT, .apply = apply_listen },
    { .key = "qemu", .kind = JP_OBJECT, JP_FIELDS(qemu_keys) },
    { .key = "kernel", .kind = JP_OBJECT, JP_FIELDS(kernel_keys) },
    /* The address-space keys are spacecfg.c's; `enter` hands them the spacecfg. */
    { .key = "user", .kind = JP_OBJECT, .fields = mux_spacecfg_user_keys,
      .nfields = MUX_SPACECFG_USER_KEYS, .enter = enter_spaces, .apply = mux_spacecfg_check_user },
    { .key = "hooks", .kind = JP_OBJECT, .fields = mux_spacecfg_hook_keys,
      .nfields = MUX_SPACECFG_HOOK_KEYS, .enter = enter_spaces },
    { .key = "aliases", .kind = JP_ARRAY, .expected = "an array of aliases",
      .fields = mux_spacecfg_alias_row, .nfields = 1, .enter = enter_aliases },
    { .key = "processes", .kind = JP_OBJECT, .fields = mux_spacecfg_processes_keys,
      .nfields = MUX_SPACECFG_PROCESSES_KEYS, .enter = enter_spaces },
};

static const struct jp_field config_row = { .kind = JP_OBJECT, JP_FIELDS(top_keys) };

/* ------------------------------------------------------------ loading */

void mux_config_init(struct mux_config *c)
{
    *c = (struct mux_config){
        .listen_port = MUX_DEFAULT_LISTEN_PORT,
        .qemu_port = MUX_DEFAULT_QEMU_PORT,
        .retry_ms = MUX_DEFAULT_RETRY_MS,
    };
    mux_spacecfg_init(&c->spaces);
    c->listen_host = strdup(MUX_DEFAULT_HOST);
    c->qemu_host = strdup(MUX_DEFAULT_HOST);
    if (!c->listen_host || !c->qemu_host) {
        fputs("rspmux: out of memory\n", stderr);
        abort();
    }
}

void mux_config_free(struct mux_config *c)
{
    free(c->source);
    free(c->listen_host);
    free(c->qemu_host);
    free(c->kernel_elf);
    free(c->description);
    free(c->root_override);
    c->source = c->listen_host = c->qemu_host = c->kernel_elf = c->description = NULL;
    c->root_override = NULL;
    mux_spacecfg_free(&c->spaces);
}

static int dup_or_null(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return src && !*dst ? -1 : 0;
}

/* A deep copy; on failure dst holds nothing to free. */
static int copy_config(struct mux_config *dst, const struct mux_config *src)
{
    *dst = *src;
    if (dup_or_null(&dst->source, src->source) | dup_or_null(&dst->listen_host, src->listen_host) |
        dup_or_null(&dst->qemu_host, src->qemu_host) |
        dup_or_null(&dst->kernel_elf, src->kernel_elf) |
        dup_or_null(&dst->description, src->description) |
        dup_or_null(&dst->root_override, src->root_override)) {
        mux_spacecfg_init(&dst->spaces);
        mux_config_free(dst);
        return -1;
    }
    if (mux_spacecfg_copy(&dst->spaces, &src->spaces) != 0) {
        mux_spacecfg_init(&dst->spaces);
        mux_config_free(dst);
        return -1;
    }
    return 0;
}

/* The directory relative paths of this text are taken against: --root, or
 * the text's "root" key (relative to file_dir), or default_base. malloc'd,
 * or NULL for the current directory; -1 when out of memory. */
static int base_of(const struct mux_config *c, const cJSON *root, const char *file_dir,
                   const char *default_base, char **out)
{
    const char *base_dir = file_dir;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "root");
    *out = NULL;
    if (c->root_override)
        *out = strdup(c->root_override);
    else if (cJSON_IsString(r) && r->valuestring[0] && r->valuestring[0] != '/' && base_dir)
        *out = join_path(base_dir, r->valuestring);
    else if (cJSON_IsString(r) && r->valuestring[0])
        *out = strdup(r->valuestring);
    else if (default_base)
        *out = strdup(default_base);
    else
        return 0;
    if (*out && r && !c->root_override) {   /* "x/.." reads badly in GDB: tidy it if it exists */
        char *real = realpath(*out, NULL);
        if (real) {
            free(*out);
            *out = real;
        }
    }
    return *out ? 0 : -1;
}

static void resolve_one(struct jp_ctx *ctx, const char *base, char **path, const char *key)
{
    char msg[320], *abs = NULL;
    if (!*path || (*path)[0] == '/')
        return;
    if (resolve_path(base, *path, &abs, msg, sizeof msg) != 0) {
        jp_error_source(ctx, "%s: %s", key, msg);
        return;
    }
    free(*path);
    *path = abs;
}

/* Makes kernel.elf and user.programs absolute (those loaded before already are). */
static void resolve_all(struct jp_ctx *ctx, struct mux_config *c, const char *base)
{
    resolve_one(ctx, base, &c->kernel_elf, "kernel.elf");
    for (size_t i = 0; i < c->spaces.nprograms; i++)
        resolve_one(ctx, base, &c->spaces.programs[i], "user.programs");
}

static int load_text(struct mux_config *c, const char *text, size_t len,
                     const char *source_name, const char *file_dir, const char *default_base,
                     char *err, size_t errlen);

int mux_config_load_text(struct mux_config *c, const char *text, size_t len,
                         const char *source_name, const char *base_dir,
                         char *err, size_t errlen)
{
    return load_text(c, text, len, source_name, base_dir, base_dir, err, errlen);
}

static int load_text(struct mux_config *c, const char *text, size_t len,
                     const char *source_name, const char *file_dir, const char *default_base,
                     char *err, size_t errlen)
{
    const char *source = source_name ? source_name : "<string>";
    struct load ld = { 0 };
    struct jp_ctx ctx;
    jp_init(&ctx, source, err, errlen);
    if (copy_config(&ld.next, c) != 0) {
        jp_error_source(&ctx, "out of memory");
        return jp_finish(&ctx);
    }
    cJSON *root = jp_parse(&ctx, text, len);
    char *base = NULL;
    if (root && base_of(c, root, file_dir, default_base, &base) != 0)
        jp_error_source(&ctx, "out of memory");
    else if (root && jp_validate(&ctx, root, &config_row, &ld) == 0)
        resolve_all(&ctx, &ld.next, base);
    free(base);
    cJSON_Delete(root);
    if (ctx.errors == 0) {
        free(ld.next.source);
        if (!(ld.next.source = strdup(source)))
            jp_error_source(&ctx, "out of memory");
    }
    if (jp_finish(&ctx) != 0) {
        mux_config_free(&ld.next);
        return -1;
    }
    mux_config_free(c);
    *c = ld.next;
    return 0;
}

/* The whole file, up to MUX_CONFIG_MAX_BYTES; pipes work too. Returns 0,
 * or -1 with the reason reported. */
static int read_whole(struct jp_ctx *ctx, const char *path, char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        jp_error_source(ctx, "cannot read: %s", strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int read_errno = 0;
    bool oom = false;
    while (n <= MUX_CONFIG_MAX_BYTES) {
        if (n == cap) {
            char *bigger = realloc(buf, cap ? cap * 2 : 4096);
            if (!bigger) {
                oom = true;
                break;
            }
            buf = bigger;
            cap = cap ? cap * 2 : 4096;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f))
            read_errno = errno ? errno : EIO;
        if (ferror(f) || feof(f))
            break;
    }
    fclose(f);
    if (read_errno)
        jp_error_source(ctx, "cannot read: %s", strerror(read_errno));
    else if (oom)
        jp_error_source(ctx, "out of memory");
    else if (n > MUX_CONFIG_MAX_BYTES)
        jp_error_source(ctx, "file is larger than %d bytes", MUX_CONFIG_MAX_BYTES);
    if (read_errno || oom || n > MUX_CONFIG_MAX_BYTES) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

/* The directory part of a path: "." for "x.json", "/" for "/x.json". */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

static int load_file(struct mux_config *c, const char *path, bool preset, char *err,
                     size_t errlen);

int mux_config_load_file(struct mux_config *c, const char *path, char *err, size_t errlen)
{
    return load_file(c, path, false, err, errlen);
}

int mux_config_load_preset(struct mux_config *c, const char *path, char *err, size_t errlen)
{
    return load_file(c, path, true, err, errlen);
}

/* A preset's paths are relative to the current directory unless it says
 * "root": then the base is that, relative to the preset's own directory. */
static int load_file(struct mux_config *c, const char *path, bool preset, char *err,
                     size_t errlen)
{
    struct jp_ctx ctx;
    char *data, *dir;
    size_t size;
    jp_init(&ctx, path, err, errlen);
    if (read_whole(&ctx, path, &data, &size) != 0)
        return jp_finish(&ctx);
    if (!(dir = dir_of(path))) {
        free(data);
        jp_error_source(&ctx, "out of memory");
        return jp_finish(&ctx);
    }
    int rc = load_text(c, data, size, path, dir, preset ? NULL : dir, err, errlen);
    free(dir);
    free(data);
    return rc;
}
