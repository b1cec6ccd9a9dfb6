/* libFuzzer harness for the configuration loader (proxy/config.c and
 * proxy/jsonpath.c): any bytes are loaded or refused with a reason, a
 * refusal leaves the config as it was, and text the strict JSON check
 * accepts is text cJSON parses. The same bytes, as a C string, also go to
 * mux_parse_host_port. Seeds: test/fuzz/corpus/config/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jsonpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal always says why, in a NUL-terminated string inside the buffer. */
static void check_err(const char *err, size_t errlen)
{
    if (!memchr(err, '\0', errlen) || err[0] == '\0')
        __builtin_trap();
}

static void check_same(const char *a, const char *b)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
        __builtin_trap();
}

static void check_config(const struct mux_config *c)
{
    if (!c->listen_host || !c->qemu_host || !c->source || c->listen_port == 0 ||
        c->qemu_port == 0 || c->retry_ms < MUX_RETRY_MS_MIN || c->retry_ms > MUX_RETRY_MS_MAX)
        __builtin_trap();
    if (c->kernel_elf && c->kernel_elf[0] != '/')
        __builtin_trap();
}

static void fuzz_load(const char *text, size_t size)
{
    struct mux_config c, before;
    char err[512];
    mux_config_init(&c);
    if (mux_config_load_text(&c, "{\"description\": \"seed\"}", 23, "<seed>", "/", err,
                             sizeof err) != 0)
        __builtin_trap();
    before = c;
    memset(err, 'X', sizeof err);
    int rc = mux_config_load_text(&c, text, size, "<fuzz>", "/base", err, sizeof err);
    if (rc == 0) {
        check_config(&c);
    } else if (rc == -1) {
        check_err(err, sizeof err);
        if (memcmp(&c, &before, sizeof c) != 0)
            __builtin_trap();
        check_same(c.description, "seed");
    } else {
        __builtin_trap();
    }
    mux_config_free(&c);
}

/* What the strict check accepts, cJSON parses (through jp_parse, which
 * also steps over a BOM). */
static void fuzz_syntax(const char *text, size_t size)
{
    char msg[256];
    size_t at = 0;
    memset(msg, 'X', sizeof msg);
    if (jp_check_syntax(text, size, &at, msg, sizeof msg) == 0) {
        struct jp_ctx ctx;
        jp_init(&ctx, "<fuzz>", msg, sizeof msg);
        cJSON *tree = jp_parse(&ctx, text, size);
        if (!tree || jp_finish(&ctx) != 0)
            __builtin_trap();
        cJSON_Delete(tree);
    } else {
        check_err(msg, sizeof msg);
        if (at > size)
            __builtin_trap();
    }
}

static void fuzz_host_port(const char *text, size_t size)
{
    char *s = malloc(size + 1), err[256], *host = NULL;
    uint16_t port = 0;
    if (!s)
        return;
    memcpy(s, text, size);
    s[size] = '\0';
    memset(err, 'X', sizeof err);
    int rc = mux_parse_host_port(s, "127.0.0.1", &host, &port, err, sizeof err);
    if (rc == 0) {
        if (!host || port == 0 || strlen(host) > MUX_HOST_MAX)
            __builtin_trap();
        free(host);
    } else if (rc == -1) {
        check_err(err, sizeof err);
        if (host || port)
            __builtin_trap();
    } else {
        __builtin_trap();
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    fuzz_load(text, size);
    fuzz_syntax(text, size);
    fuzz_host_port(text, size);
    return 0;
}
