/* Unit tests for the configuration (proxy/config.c) and the JSON checks under
 * it (proxy/jsonpath.c): configs as text with their exact results or exact
 * error messages, "[HOST:]PORT" parsing, files (configs/demo-os.json and
 * temporary ones), relative paths, keeping the old values on error, the cap
 * on error lines, small error buffers, and JSON paths through arrays with a
 * test-only table.
 *
 * Runs from the repository root (test/run-tests.sh does), so that
 * configs/demo-os.json is found. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "jsonpath.h"

#define ERR_LEN 4096
#define SRC     "t.json"     /* source name of every text case */
#define BASE    "/cfg"       /* base directory of every text case */
#define TOP_KEYS "$schema, description, root, listen, qemu, kernel, user, hooks, aliases, processes"

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static char *cwd_path(const char *rel)
{
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    return xasprintf("%s/%s", cwd, rel);
}

static unsigned count_lines(const char *s)
{
    unsigned n = *s ? 1 : 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Valid UTF-8 with no sequence cut short (jp's own check, via a JSON string). */
static bool valid_utf8(const char *s)
{
    char msg[128];
    size_t at;
    size_t n = strlen(s);
    char *doc = malloc(n + 3);
    assert_non_null(doc);
    doc[0] = '[';
    memcpy(doc + 1, s, n);
    doc[n + 1] = ']';
    /* Only the encoding matters: the text is not JSON, so look at the reason. */
    int rc = jp_check_syntax(doc, n + 2, &at, msg, sizeof msg);
    free(doc);
    return rc == 0 || (strncmp(msg, "invalid UTF-8", 13) != 0 && strncmp(msg, "NUL", 3) != 0);
}

/* ------------------------------------------------------------ defaults */

static void test_defaults(void **state)
{
    (void)state;
    struct mux_config c;
    mux_config_init(&c);
    assert_null(c.source);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 2000);
    assert_string_equal(c.qemu_host, "127.0.0.1");
    assert_int_equal(c.qemu_port, 1234);
    assert_int_equal(c.retry_ms, 200);
    assert_null(c.kernel_elf);
    assert_null(c.description);
    mux_config_free(&c);
    assert_null(c.listen_host);
    mux_config_free(&c);   /* twice is harmless */
}

/* ------------------------------------------------------------ text cases */

/* Expected fields after a successful load; NULL/0 host, port and retry
 * fields mean "the default", elf and description are compared as given. */
struct want_cfg {
    const char *listen_host;
    unsigned listen_port;
    const char *qemu_host;
    unsigned qemu_port;
    unsigned retry_ms;
    const char *elf;
    const char *description;
};

struct load_case {
    const char *name;
    const char *json;
    size_t len;               /* 0: strlen(json) */
    int rc;
    const char *err;          /* the exact error text when rc is -1 */
    struct want_cfg want;
};

#define OK(n, j, ...)     { .name = n, .json = j, .rc = 0, .want = { __VA_ARGS__ } }
#define BAD(n, j, e)      { .name = n, .json = j, .rc = -1, .err = e }
#define E(s)              SRC ": " s

static const struct load_case load_cases[] = {
    /* accepted */
    OK("empty object", "{}", .listen_port = 0),
    OK("whitespace around", "\r\n {} \t\n", .listen_port = 0),
    OK("BOM", "\xEF\xBB\xBF{}", .listen_port = 0),
    OK("schema ignored", "{\"$schema\": \"schema.json\"}", .listen_port = 0),
    OK("empty sub-objects", "{\"qemu\": {}, \"kernel\": {}}", .listen_port = 0),
    OK("everything",
       "{\"$schema\":\"schema.json\",\"description\":\"Demo\",\"listen\":\"0.0.0.0:2001\","
       "\"qemu\":{\"gdbstub\":\"localhost:1235\",\"retry_ms\":60000},"
       "\"kernel\":{\"elf\":\"../build/os/kernel.elf\"}}",
       .listen_host = "0.0.0.0", .listen_port = 2001, .qemu_host = "localhost",
       .qemu_port = 1235, .retry_ms = 60000, .elf = BASE "/../build/os/kernel.elf",
       .description = "Demo"),
    OK("bare port", "{\"listen\": \"2002\"}", .listen_host = "127.0.0.1", .listen_port = 2002),
    OK("IPv6", "{\"listen\": \"[::1]:2003\"}", .listen_host = "::1", .listen_port = 2003),
    OK("retry_ms low end", "{\"qemu\": {\"retry_ms\": 10}}", .retry_ms = 10),
    OK("integer written as 1.5e1", "{\"qemu\": {\"retry_ms\": 1.5e1}}", .retry_ms = 15),
    OK("absolute elf", "{\"kernel\": {\"elf\": \"/abs/k.elf\"}}", .elf = "/abs/k.elf"),
    OK("./ elf", "{\"kernel\": {\"elf\": \"./k.elf\"}}", .elf = BASE "/k.elf"),
    OK("escapes in description", "{\"description\": \"\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\/\"}",
       .description = "\xC3\xA9 \xF0\x9F\x98\x80 \"q\" /"),
    OK("UTF-8 in description", "{\"description\": \"d\xC3\xA9mo\"}", .description = "d\xC3\xA9mo"),

    /* not an object, or nothing */
    BAD("empty", "", E("empty input (no JSON value)")),
    BAD("only whitespace", " \n\t\r\n", E("empty input (no JSON value)")),
    BAD("only a BOM", "\xEF\xBB\xBF", E("empty input (no JSON value)")),
    BAD("BOM then a short value", "\xEF\xBB\xBF" "2",
        E("(top level): expected an object, found number 2")),
    BAD("array", "[]", E("(top level): expected an object, found array")),
    BAD("number", "42", E("(top level): expected an object, found number 42")),
    BAD("string", "\"x\"", E("(top level): expected an object, found string \"x\"")),
    BAD("null", "null", E("(top level): expected an object, found null")),

    /* wrong kinds and values */
    BAD("gdbstub number", "{\"qemu\": {\"gdbstub\": 1234}}",
        E("qemu.gdbstub: expected a \"[HOST:]PORT\" string, found number 1234")),
    BAD("listen number", "{\"listen\": 2000}",
        E("listen: expected a \"[HOST:]PORT\" string, found number 2000")),
    BAD("listen port range", "{\"listen\": \"70000\"}",
        E("listen: port 70000 is out of range 1-65535")),
    BAD("gdbstub bad host", "{\"qemu\": {\"gdbstub\": \"a b:1\"}}",
        E("qemu.gdbstub: invalid character ' ' in host \"a b\"")),
    BAD("retry_ms low", "{\"qemu\": {\"retry_ms\": 5}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, found 5")),
    BAD("retry_ms high", "{\"qemu\": {\"retry_ms\": 60001}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, found 60001")),
    BAD("retry_ms fraction", "{\"qemu\": {\"retry_ms\": 2.5}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, found 2.5")),
    BAD("retry_ms negative", "{\"qemu\": {\"retry_ms\": -20}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, found -20")),
    BAD("retry_ms huge", "{\"qemu\": {\"retry_ms\": 1e999}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, "
          "found number too large to represent")),
    BAD("retry_ms string", "{\"qemu\": {\"retry_ms\": \"200\"}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, found string \"200\"")),
    BAD("retry_ms true", "{\"qemu\": {\"retry_ms\": true}}",
        E("qemu.retry_ms: expected an integer from 10 to 60000, found boolean true")),
    BAD("qemu string", "{\"qemu\": \"127.0.0.1:1234\"}",
        E("qemu: expected an object, found string \"127.0.0.1:1234\"")),
    BAD("elf empty", "{\"kernel\": {\"elf\": \"\"}}",
        E("kernel.elf: expected a non-empty path, found string \"\"")),
    BAD("elf number", "{\"kernel\": {\"elf\": 5}}",
        E("kernel.elf: expected a path string, found number 5")),
    BAD("description null", "{\"description\": null}",
        E("description: expected a string, found null")),
    BAD("schema number", "{\"$schema\": 1}", E("$schema: expected a string, found number 1")),

    /* keys */
    BAD("unknown nested key", "{\"kernel\": {\"elff\": \"x\"}}",
        E("kernel.elff: unknown key (known keys: elf)")),
    BAD("unknown top key", "{\"lisen\": \"1\"}",
        E("lisen: unknown key (known keys: " TOP_KEYS ")")),
    BAD("keys are case-sensitive", "{\"Listen\": \"1\"}",
        E("Listen: unknown key (known keys: " TOP_KEYS ")")),
    BAD("duplicate key", "{\"qemu\": {\"gdbstub\": \"a:1\", \"gdbstub\": \"b:2\"}}",
        E("qemu.gdbstub: duplicate key")),
    BAD("odd key", "{\"qemu\": {\"retry ms\\n\\\"\": 1}}",
        E("qemu[\"retry ms\\n\\\"\"]: unknown key (known keys: gdbstub, retry_ms)")),
    BAD("empty key", "{\"\": 1}",
        E("[\"\"]: unknown key (known keys: " TOP_KEYS ")")),
    BAD("every problem, in document order",
        "{\"Listen\": 1, \"qemu\": [], \"kernel\": {\"elf\": \"\", \"elff\": 1},"
        " \"qemu\": {\"retry_ms\": 2.5}, \"description\": null, \"listen\": \"host:0\"}",
        E("Listen: unknown key (known keys: " TOP_KEYS ")\n")
        E("qemu: expected an object, found array\n")
        E("kernel.elf: expected a non-empty path, found string \"\"\n")
        E("kernel.elff: unknown key (known keys: elf)\n")
        E("qemu: duplicate key\n")
        E("description: expected a string, found null\n")
        E("listen: port 0 is out of range 1-65535")),

    /* syntax, with line:column */
    BAD("missing colon", "{\n  \"a\": 1,\n  \"b\" 2\n}",
        SRC ":3:7: JSON syntax error near '2': expected ':' after the key"),
    BAD("missing brace", "{\"a\": 1",
        SRC ":1:8: JSON syntax error: unexpected end of input, expected ',' or '}'"),
    BAD("missing bracket", "{\"a\": [1,\n",
        SRC ":2:1: JSON syntax error: unexpected end of input, expected a value"),
    BAD("missing comma", "{\"a\": 1 \"b\": 2}",
        SRC ":1:9: JSON syntax error near '\"b\": 2}': expected ',' or '}'"),
    BAD("trailing comma in object", "{\"a\": 1,}",
        SRC ":1:9: JSON syntax error near '}': expected a \"key\" after ',' (trailing comma?)"),
    BAD("trailing comma in array", "{\"a\": [1, 2, ]}",
        SRC ":1:14: JSON syntax error near ']}': expected a value after ',' (trailing comma?)"),
    BAD("single quotes", "{'a': 1}",
        SRC ":1:2: JSON syntax error near ''a': 1}': expected a \"key\" or '}'"
        " (JSON strings take double quotes)"),
    BAD("comment", "// config\n{}",
        SRC ":1:1: JSON syntax error near '// config': expected a value (JSON has no comments)"),
    BAD("hash comment", "{\n  # no\n}",
        SRC ":2:3: JSON syntax error near '# no': expected a \"key\" or '}'"
        " (JSON has no comments)"),
    BAD("text after the value", "{} x",
        SRC ":1:4: JSON syntax error near 'x': expected the end of the input after the JSON value"),
    BAD("two values", "{}{}",
        SRC ":1:3: JSON syntax error near '{}': expected the end of the input after the JSON value"),
    BAD("extra close", "{\"a\": 1}}",
        SRC ":1:9: JSON syntax error near '}': expected the end of the input after the JSON value"),
    BAD("bad literal", "{\"a\": tru}",
        SRC ":1:7: JSON syntax error near 'tru}': expected a value"),
    BAD("unquoted key", "{a: 1}",
        SRC ":1:2: JSON syntax error near 'a: 1}': expected a \"key\" or '}'"),
    BAD("context is 16 characters", "{\"a\" \"bcdefghijklmnopqrstuvwxyz\"}",
        SRC ":1:6: JSON syntax error near '\"bcdefghijklmnop': expected ':' after the key"),
    BAD("context stops at the line end", "{\"a\": x\n}",
        SRC ":1:7: JSON syntax error near 'x': expected a value"),
    BAD("column counts characters", "{\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\": x}",
        SRC ":1:9: JSON syntax error near 'x}': expected a value"),
    BAD("tab is one column", "{\n\t\"a\":\tx}",
        SRC ":2:7: JSON syntax error near 'x}': expected a value"),
    BAD("CRLF lines", "{\r\n\"a\": 1,\r\n\"b\": x}",
        SRC ":3:6: JSON syntax error near 'x}': expected a value"),
    BAD("BOM is not a column", "\xEF\xBB\xBF{x}",
        SRC ":1:2: JSON syntax error near 'x}': expected a \"key\" or '}'"),
    BAD("unterminated string", "{\"a\": \"abc",
        SRC ":1:7: JSON syntax error near '\"abc': unterminated string"),
    BAD("unterminated after escape", "{\"a\": \"abc\\",
        SRC ":1:7: JSON syntax error near '\"abc\\': unterminated string"),
    BAD("leading zero", "{\"a\": 01}",
        SRC ":1:7: JSON syntax error near '01}': invalid number (no leading zeros, one '.',"
        " one exponent)"),
    BAD("bare minus", "{\"a\": -}", SRC ":1:7: JSON syntax error near '-}': invalid number"),
    BAD("plus sign", "{\"a\": +1}", SRC ":1:7: JSON syntax error near '+1}': expected a value"),
    BAD("dot without digits", "{\"a\": 1.}",
        SRC ":1:7: JSON syntax error near '1.}': invalid number (a digit must follow '.')"),
    BAD("leading dot", "{\"a\": .5}", SRC ":1:7: JSON syntax error near '.5}': expected a value"),
    BAD("empty exponent", "{\"a\": 1e}",
        SRC ":1:7: JSON syntax error near '1e}': invalid number (a digit must follow the exponent)"),
    BAD("two dots", "{\"a\": 1.2.3}",
        SRC ":1:7: JSON syntax error near '1.2.3}': invalid number (no leading zeros, one '.',"
        " one exponent)"),
    BAD("number too long", "{\"a\": 1234567890123456789012345678901234567890123456789012345678901234}",
        SRC ":1:7: number longer than 63 characters"),
    BAD("bad escape", "{\"a\": \"\\q\"}",
        SRC ":1:8: JSON syntax error near '\\q\"}': invalid escape"
        " (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
    BAD("short \\u", "{\"a\": \"\\u12\"}",
        SRC ":1:8: JSON syntax error near '\\u12\"}': \\u needs four hex digits"),
    BAD("\\u0000", "{\"a\": \"x\\u0000y\"}",
        SRC ":1:9: JSON syntax error near '\\u0000y\"}': \\u0000 is not allowed in strings"),
    BAD("\\u0000 in a key", "{\"\\u0000\": 1}",
        SRC ":1:3: JSON syntax error near '\\u0000\": 1}': \\u0000 is not allowed in strings"),
    BAD("lone high surrogate", "{\"a\": \"\\ud800\"}",
        SRC ":1:8: JSON syntax error near '\\ud800\"}': unpaired UTF-16 surrogate"),
    BAD("high surrogate then not low", "{\"a\": \"\\ud800\\u0041\"}",
        SRC ":1:8: JSON syntax error near '\\ud800\\u0041\"}': unpaired UTF-16 surrogate"),
    BAD("lone low surrogate", "{\"a\": \"\\udc00\"}",
        SRC ":1:8: JSON syntax error near '\\udc00\"}': unpaired UTF-16 surrogate"),
    BAD("raw newline in a string", "{\"a\": \"x\ny\"}",
        SRC ":1:9: control character U+000A in a string (write it as an escape such as \\n or \\t)"),
    BAD("raw tab in a string", "{\"a\": \"x\ty\"}",
        SRC ":1:9: control character U+0009 in a string (write it as an escape such as \\n or \\t)"),
    BAD("control character outside", "{\x01}",
        SRC ":1:2: control character U+0001 outside a string"),
    BAD("form feed outside", "{}\f", SRC ":1:3: control character U+000C outside a string"),
    BAD("DEL outside", "{\x7F}", SRC ":1:2: JSON syntax error near '\\u007f}': expected a \"key\" or '}'"),
    { .name = "NUL byte", .json = "{\"a\":\0 1}", .len = 9, .rc = -1,
      .err = SRC ":1:6: NUL byte at offset 5" },
    { .name = "NUL at the end", .json = "{}\0", .len = 3, .rc = -1,
      .err = SRC ":1:3: NUL byte at offset 2" },
    BAD("invalid UTF-8", "{\"a\": \"\xFF\"}", SRC ":1:8: invalid UTF-8 at offset 7 (byte 0xff)"),
    BAD("overlong UTF-8", "{\"a\": \"\xC0\xAF\"}", SRC ":1:8: invalid UTF-8 at offset 7 (byte 0xc0)"),
    BAD("UTF-8 surrogate", "{\"a\": \"\xED\xA0\x80\"}",
        SRC ":1:8: invalid UTF-8 at offset 7 (byte 0xed)"),
    BAD("past U+10FFFF", "{\"a\": \"\xF4\x90\x80\x80\"}",
        SRC ":1:8: invalid UTF-8 at offset 7 (byte 0xf4)"),
    BAD("cut UTF-8 at the end", "{}\xE2\x82", SRC ":1:3: invalid UTF-8 at offset 2 (byte 0xe2)"),
    BAD("Latin-1 file", "{\"description\": \"d\xE9mo\"}",
        SRC ":1:19: invalid UTF-8 at offset 18 (byte 0xe9)"),
};

static void expect_field(const char *what, const char *got, const char *want)
{
    if (!got && !want)
        return;
    if (!got || !want || strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", what, got ? got : "(null)", want ? want : "(null)");
}

static void check_load_case(const struct load_case *lc)
{
    struct mux_config c;
    char err[ERR_LEN];
    size_t len = lc->len ? lc->len : strlen(lc->json);
    memset(err, 'X', sizeof err);
    mux_config_init(&c);
    int rc = mux_config_load_text(&c, lc->json, len, SRC, BASE, err, sizeof err);
    if (rc != lc->rc)
        fail_msg("%s: rc %d, want %d; err:\n%s", lc->name, rc, lc->rc, rc ? err : "");
    if (rc != 0) {
        if (strcmp(err, lc->err) != 0)
            fail_msg("%s: error\n  got:  %s\n  want: %s", lc->name, err, lc->err);
        mux_config_free(&c);
        return;
    }
    assert_string_equal(err, "");
    const struct want_cfg *w = &lc->want;
    expect_field("source", c.source, SRC);
    expect_field("listen_host", c.listen_host, w->listen_host ? w->listen_host : "127.0.0.1");
    assert_int_equal(c.listen_port, w->listen_port ? w->listen_port : 2000);
    expect_field("qemu_host", c.qemu_host, w->qemu_host ? w->qemu_host : "127.0.0.1");
    assert_int_equal(c.qemu_port, w->qemu_port ? w->qemu_port : 1234);
    assert_int_equal(c.retry_ms, w->retry_ms ? w->retry_ms : 200);
    expect_field("kernel_elf", c.kernel_elf, w->elf);
    expect_field("description", c.description, w->description);
    mux_config_free(&c);
}

static void test_load_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof load_cases / sizeof load_cases[0]; i++)
        check_load_case(&load_cases[i]);
}

/* A long string value is shown shortened, escaped, in "found ...". */
static void test_long_value_shortened(void **state)
{
    (void)state;
    static const char json[] =
        "{\"listen\": [], \"description\": 12345678901234567,"
        " \"kernel\": {\"elf\": {\"x\": 1}}, \"qemu\": {\"gdbstub\": true, \"retry_ms\": false}}";
    static const char want[] =
        E("listen: expected a \"[HOST:]PORT\" string, found array\n")
        E("description: expected a string, found number 1.23456789012346e+16\n")
        E("kernel.elf: expected a path string, found object\n")
        E("qemu.gdbstub: expected a \"[HOST:]PORT\" string, found boolean true\n")
        E("qemu.retry_ms: expected an integer from 10 to 60000, found boolean false");
    struct mux_config c;
    char err[ERR_LEN];
    mux_config_init(&c);
    assert_int_equal(mux_config_load_text(&c, json, strlen(json), SRC, BASE, err, sizeof err), -1);
    assert_string_equal(err, want);

    static const char json2[] =
        "{\"kernel\": \"aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\\n\\\"eeeeeeeeee\"}";
    assert_int_equal(mux_config_load_text(&c, json2, strlen(json2), SRC, BASE, err, sizeof err),
                     -1);
    assert_string_equal(err, E("kernel: expected an object, found string "
                               "\"aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd...\""));
    static const char json3[] = "{\"kernel\": \"aaaaaaaaaabbbbbbbbbbccccccccccddddddd\\n\\\"\"}";
    assert_int_equal(mux_config_load_text(&c, json3, strlen(json3), SRC, BASE, err, sizeof err),
                     -1);
    assert_string_equal(err, E("kernel: expected an object, found string "
                               "\"aaaaaaaaaabbbbbbbbbbccccccccccddddddd\\n\\\"\""));
    mux_config_free(&c);
}

/* Nesting up to cJSON's limit is accepted; one more level is an error. */
static void test_nesting_limit(void **state)
{
    (void)state;
    size_t depth = JP_MAX_DEPTH;
    char *doc = malloc(2 * depth + 3);
    char msg[256];
    size_t at = 0;
    assert_non_null(doc);
    memset(doc, '[', depth);
    memset(doc + depth, ']', depth);
    assert_int_equal(jp_check_syntax(doc, 2 * depth, &at, msg, sizeof msg), 0);
    cJSON *tree = cJSON_ParseWithLength(doc, 2 * depth);
    assert_non_null(tree);
    cJSON_Delete(tree);

    memset(doc, '[', depth + 1);
    memset(doc + depth + 1, ']', depth + 1);
    assert_int_equal(jp_check_syntax(doc, 2 * depth + 2, &at, msg, sizeof msg), -1);
    assert_int_equal(at, depth);
    assert_string_equal(msg, "JSON nested deeper than 1000 levels");
    assert_null(cJSON_ParseWithLength(doc, 2 * depth + 2));

    struct mux_config c;
    char err[ERR_LEN];
    mux_config_init(&c);
    assert_int_equal(mux_config_load_text(&c, doc, 2 * depth + 2, SRC, BASE, err, sizeof err), -1);
    assert_string_equal(err, SRC ":1:1001: JSON nested deeper than 1000 levels");
    mux_config_free(&c);
    free(doc);
}

/* The strict checker accepts what cJSON parses as written, and rejects
 * everything cJSON rejects; the texts in `stricter` cJSON would accept. */
static void test_syntax_agrees_with_cjson(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "{}", "[]", "0", "-0", "-0.0e+0", "1E5", "1e-5", "123.456e789", "\"\"", "true",
        "false", "null", " [ 1 , [ ] , { } , \"a\" ] ", "{\"a\":{\"b\":[{\"c\":null}]}}",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\uFFFF\\ud83d\\ude00\"", "\"\xF4\x8F\xBF\xBF\"",
        "123456789012345678901234567890123456789012345678901234567890123",
    };
    static const char *const stricter[] = {
        "01", "1.", "-01", "1.e5", "\"\t\"", "{\"a\":\"\\u0000\"}", "[1]\x01", "\x01[1]",
        "\"\xFF\"", "\"\xC0\x80\"",
        /* Debian's cJSON reads this whole; upstream 1.7.15 stops after 63 characters. */
        "1234567890123456789012345678901234567890123456789012345678901234",
    };
    static const char *const invalid[] = {
        "", " ", "{", "}", "[", "]", "[1,]", "{\"a\"}", "{\"a\":}", "{,}", "[,1]", "{} {}",
        "tru", "nul", "\"abc", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "-", "+1", ".1", "1e",
        "'a'", "{\"a\" 1}", "[1 2]", "NaN", "Infinity", "[1}", "{\"a\":1]",
    };
    char msg[256];
    size_t at;
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        size_t n = strlen(valid[i]);
        if (jp_check_syntax(valid[i], n, &at, msg, sizeof msg) != 0)
            fail_msg("valid %s: rejected at %zu: %s", valid[i], at, msg);
        cJSON *t = cJSON_ParseWithLengthOpts(valid[i], n, NULL, 0);
        if (!t)
            fail_msg("valid %s: cJSON rejects it", valid[i]);
        cJSON_Delete(t);
    }
    for (size_t i = 0; i < sizeof stricter / sizeof stricter[0]; i++) {
        size_t n = strlen(stricter[i]);
        if (jp_check_syntax(stricter[i], n, &at, msg, sizeof msg) != -1 || !msg[0])
            fail_msg("stricter %s: accepted", stricter[i]);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        size_t n = strlen(invalid[i]);
        if (jp_check_syntax(invalid[i], n, &at, msg, sizeof msg) != -1 || !msg[0])
            fail_msg("invalid %s: accepted", invalid[i]);
        assert_true(at <= n);
        const char *end = NULL;
        cJSON *t = cJSON_ParseWithLengthOpts(invalid[i], n, &end, 0);
        bool trailing = t && end && (size_t)(end - invalid[i]) < n &&
                        strspn(end, " \t\r\n") < n - (size_t)(end - invalid[i]);
        if (t && !trailing)
            fail_msg("invalid %s: cJSON accepts it", invalid[i]);
        cJSON_Delete(t);
    }
}

/* ------------------------------------------------------------ [HOST:]PORT */

struct hp_case {
    const char *in;
    const char *default_host;
    const char *host;        /* NULL: an error, `err` */
    unsigned port;
    const char *err;
};

#define HP(i, h, p)   { .in = i, .default_host = "127.0.0.1", .host = h, .port = p }
#define HPE(i, e)     { .in = i, .default_host = "127.0.0.1", .err = e }

static const struct hp_case hp_cases[] = {
    HP("2000", "127.0.0.1", 2000),
    HP("1", "127.0.0.1", 1),
    HP("65535", "127.0.0.1", 65535),
    HP("02000", "127.0.0.1", 2000),
    HP("0.0.0.0:2000", "0.0.0.0", 2000),
    HP("localhost:1234", "localhost", 1234),
    HP("host-name_1.example:80", "host-name_1.example", 80),
    HP("[::1]:2000", "::1", 2000),
    HP("[::]:2000", "::", 2000),
    HP("[fe80::1%eth0]:1234", "fe80::1%eth0", 1234),
    HP("[::ffff:1.2.3.4]:9", "::ffff:1.2.3.4", 9),
    { .in = "2000", .default_host = "::1", .host = "::1", .port = 2000 },
    { .in = "h:1", .default_host = NULL, .host = "h", .port = 1 },
    { .in = "2000", .default_host = NULL, .err = "missing host in \"2000\" (expected \"HOST:PORT\")" },
    HPE("", "empty address (expected \"[HOST:]PORT\")"),
    HPE(":", "empty host before ':' in \":\" (give the port alone for 127.0.0.1, "
             "or 0.0.0.0:PORT for every interface)"),
    HPE(":2000", "empty host before ':' in \":2000\" (give the port alone for 127.0.0.1, "
                 "or 0.0.0.0:PORT for every interface)"),
    HPE("host:", "missing port after \"host:\""),
    HPE("host:0", "port 0 is out of range 1-65535"),
    HPE("host:00", "port 00 is out of range 1-65535"),
    HPE("host:65536", "port 65536 is out of range 1-65535"),
    HPE("host:123456789012345678901234567890", "port 12345678901234567890... is out of range 1-65535"),
    HPE("host:12x", "port \"12x\" is not a number"),
    HPE("host:-1", "port \"-1\" is not a number"),
    HPE("host:+1", "port \"+1\" is not a number"),
    HPE("host: 1", "port \" 1\" is not a number"),
    HPE("host:1 ", "port \"1 \" is not a number"),
    HPE("localhost", "port \"localhost\" is not a number"),
    HPE("[::1", "missing ']' after the IPv6 address in \"[::1\""),
    HPE("[::1]", "expected ':' and a port after ']' in \"[::1]\""),
    HPE("[::1]2000", "expected ':' and a port after ']' in \"[::1]2000\""),
    HPE("[::1]:", "missing port after \"[::1]:\""),
    HPE("[::1]:0", "port 0 is out of range 1-65535"),
    HPE("[]:1", "empty IPv6 address between '[' and ']'"),
    HPE("[1.2.3.4]:1", "\"1.2.3.4\" between brackets is not an IPv6 address"),
    HPE("[host]:1", "\"host\" between brackets is not an IPv6 address"),
    HPE("[::1%a b]:1", "invalid character ' ' in host \"::1%a b\""),
    HPE("[::1%]:1", "empty zone after '%' in \"::1%\""),
    HPE("[::1%a%b]:1", "invalid character '%' in host \"::1%a%b\""),
    HPE("[::1]]:1", "expected ':' and a port after ']' in \"[::1]]:1\""),
    HPE("[a]:1:2", "\"a\" between brackets is not an IPv6 address"),
    HPE("[::1]:1:2", "port \"1:2\" is not a number"),
    HPE("::1:2000", "an IPv6 address needs brackets, as in \"[::1]:2000\""),
    HPE("::1", "an IPv6 address needs brackets, as in \"[::1]:2000\""),
    HPE("a b:1", "invalid character ' ' in host \"a b\""),
    HPE("a/b:1", "invalid character '/' in host \"a/b\""),
    HPE("h\xC3\xA9:1", "invalid byte 0xc3 in host \"h\xC3\xA9\""),
    HPE("h\x01:1", "invalid byte 0x01 in host \"h\\u0001\""),
};

static void check_hp(const struct hp_case *hc)
{
    char sentinel_text[] = "unchanged";
    char *host = sentinel_text;
    uint16_t port = 7777;
    char err[512];
    memset(err, 'X', sizeof err);
    int rc = mux_parse_host_port(hc->in, hc->default_host, &host, &port, err, sizeof err);
    if (hc->host) {
        if (rc != 0)
            fail_msg("\"%s\": rc %d (%s), want %s:%u", hc->in, rc, err, hc->host, hc->port);
        assert_string_equal(err, "");
        assert_string_equal(host, hc->host);
        assert_int_equal(port, hc->port);
        free(host);
        return;
    }
    if (rc != -1)
        fail_msg("\"%s\": accepted as %s:%u, want \"%s\"", hc->in, host, port, hc->err);
    assert_ptr_equal(host, sentinel_text);
    assert_int_equal(port, 7777);
    if (strcmp(err, hc->err) != 0)
        fail_msg("\"%s\":\n  got:  %s\n  want: %s", hc->in, err, hc->err);
}

static void test_host_port(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hp_cases / sizeof hp_cases[0]; i++)
        check_hp(&hp_cases[i]);

    /* NULL input, host lengths at and past the limit, a tiny err buffer. */
    char err[128], *host = NULL, in[600], host253[MUX_HOST_MAX + 1];
    uint16_t port = 0;
    for (size_t i = 0; i < MUX_HOST_MAX; i++)
        host253[i] = i % 10 == 9 ? '.' : (char)('a' + i % 26);
    host253[MUX_HOST_MAX] = '\0';
    assert_int_equal(mux_parse_host_port(NULL, "h", &host, &port, err, sizeof err), -1);
    assert_string_equal(err, "empty address (expected \"[HOST:]PORT\")");
    assert_int_equal(strlen(host253), MUX_HOST_MAX);
    snprintf(in, sizeof in, "%s:9", host253);
    assert_int_equal(mux_parse_host_port(in, NULL, &host, &port, err, sizeof err), 0);
    assert_string_equal(host, host253);
    free(host);
    snprintf(in, sizeof in, "%sa:9", host253);
    assert_int_equal(mux_parse_host_port(in, NULL, &host, &port, err, sizeof err), -1);
    assert_string_equal(err, "host is too long (254 characters, at most 253)");
    snprintf(in, sizeof in, "[%s::1]:9", host253);
    assert_int_equal(mux_parse_host_port(in, NULL, &host, &port, err, sizeof err), -1);
    assert_string_equal(err, "host is too long (256 characters, at most 253)");
    assert_int_equal(mux_parse_host_port("host:0", NULL, &host, &port, err, 8), -1);
    assert_string_equal(err, "port 0 ");
    assert_int_equal(mux_parse_host_port("host:0", NULL, &host, &port, NULL, 0), -1);
}

/* ------------------------------------------------------------ files */

static char *make_temp_dir(void)
{
    char *dir = xstrdup("/tmp/rspmux-test-config-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static char *write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void test_demo_config_file(void **state)
{
    (void)state;
    static const char path[] = "configs/demo-os.json";
    struct mux_config c;
    char err[ERR_LEN];
    if (access(path, R_OK) != 0)
        fail_msg("%s not found: run the tests from the repository root", path);
    mux_config_init(&c);
    int rc = mux_config_load_file(&c, path, err, sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
    char *elf = cwd_path("build/os/kernel.elf");     /* "root": ".." */
    char *user = cwd_path("build/os/user");
    assert_string_equal(c.source, path);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 2000);
    assert_string_equal(c.qemu_host, "127.0.0.1");
    assert_int_equal(c.qemu_port, 1234);
    assert_int_equal(c.retry_ms, 200);
    assert_string_equal(c.kernel_elf, elf);
    assert_non_null(c.description);
    assert_non_null(strstr(c.description, "Demo"));
    assert_int_equal(c.spaces.nprograms, 1);
    assert_string_equal(c.spaces.programs[0], user);
    assert_int_equal(c.spaces.identify, MUX_IDENTIFY_FINGERPRINT);
    assert_int_equal(c.spaces.hooks[MUX_HOOK_ENTER_USER].n, 1);
    assert_string_equal(c.spaces.hooks[MUX_HOOK_ENTER_USER].v[0].text, "__restore");
    assert_string_equal(c.spaces.hooks[MUX_HOOK_ENTER_USER].v[0].instruction, "sret");
    assert_int_equal(c.spaces.hooks[MUX_HOOK_EXEC].n, 3);
    assert_string_equal(c.spaces.hooks[MUX_HOOK_EXEC].v[2].where, "hooks.exec[2]");
    assert_int_equal(c.spaces.hooks[MUX_HOOK_STEP_INTO].v[0].kind, MUX_POINT_FUNCTION);
    assert_int_equal(c.spaces.naliases, 1);
    assert_int_equal(c.spaces.aliases[0].run, 0xfffffffffffff000ull);
    assert_int_equal(c.spaces.aliases[0].size, 4096);
    assert_true(c.spaces.report_exit && c.spaces.report_new);
    free(elf);
    free(user);
    mux_config_free(&c);
}

/* Every prefix of the demo config is refused, with a reason. */
static void test_demo_config_prefixes(void **state)
{
    (void)state;
    FILE *f = fopen("configs/demo-os.json", "rb");
    char text[4096], err[ERR_LEN];
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    assert_true(n > 0 && n < sizeof text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        n--;
    for (size_t i = 0; i < n; i++) {
        struct mux_config c;
        mux_config_init(&c);
        int rc = mux_config_load_text(&c, text, i, "demo", NULL, err, sizeof err);
        if (rc != -1 || strncmp(err, "demo", 4) != 0)
            fail_msg("prefix of %zu bytes: rc %d, err \"%s\"", i, rc, err);
        mux_config_free(&c);
    }
}

static void expect_file_error(const char *path, const char *want_after_path)
{
    struct mux_config c;
    char err[ERR_LEN];
    char *want = xasprintf("%s%s", path, want_after_path);
    mux_config_init(&c);
    assert_int_equal(mux_config_load_file(&c, path, err, sizeof err), -1);
    if (strcmp(err, want) != 0)
        fail_msg("%s:\n  got:  %s\n  want: %s", path, err, want);
    assert_null(c.source);
    free(want);
    mux_config_free(&c);
}

static void test_temp_files(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char *sub = xasprintf("%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    static const char rel[] = "{\"kernel\": {\"elf\": \"k.elf\"}}";
    static const char up[] = "{\"kernel\": {\"elf\": \"../k.elf\"}, \"listen\": \"2001\"}";
    char *p_rel = write_file(dir, "c.json", rel, strlen(rel));
    char *p_up = write_file(dir, "sub/up.json", up, strlen(up));
    char *p_empty = write_file(dir, "empty.json", "", 0);
    char *p_nul = write_file(dir, "nul.json", "{}\0", 3);
    char *p_bad = write_file(dir, "bad.json", "{\n\"qemu\": {\"retry_ms\": 1}\n}", 27);

    /* Largest accepted file: "{}" then spaces; one byte more is refused. */
    size_t big_len = MUX_CONFIG_MAX_BYTES;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    memset(big, ' ', big_len + 1);
    big[0] = '{';
    big[1] = '}';
    char *p_max = write_file(dir, "max.json", big, big_len);
    char *p_big = write_file(dir, "big.json", big, big_len + 1);
    free(big);

    struct mux_config c;
    char err[ERR_LEN];
    char *want;
    mux_config_init(&c);
    assert_int_equal(mux_config_load_file(&c, p_rel, err, sizeof err), 0);
    want = xasprintf("%s/k.elf", dir);
    assert_string_equal(c.kernel_elf, want);
    assert_string_equal(c.source, p_rel);
    free(want);
    assert_int_equal(mux_config_load_file(&c, p_up, err, sizeof err), 0);
    want = xasprintf("%s/sub/../k.elf", dir);
    assert_string_equal(c.kernel_elf, want);
    assert_int_equal(c.listen_port, 2001);
    free(want);
    assert_int_equal(mux_config_load_file(&c, p_max, err, sizeof err), 0);
    mux_config_free(&c);

    /* A config file named without a directory: relative to the current one. */
    char *old_cwd = cwd_path("");
    assert_int_equal(chdir(dir), 0);
    mux_config_init(&c);
    int rc = mux_config_load_file(&c, "c.json", err, sizeof err);
    assert_int_equal(chdir(old_cwd), 0);
    assert_int_equal(rc, 0);
    want = xasprintf("%s/k.elf", dir);
    assert_string_equal(c.kernel_elf, want);
    free(want);
    free(old_cwd);
    mux_config_free(&c);

    char *p_missing = xasprintf("%s/missing.json", dir);
    expect_file_error(p_missing, ": cannot read: No such file or directory");
    expect_file_error(dir, ": cannot read: Is a directory");
    expect_file_error(p_empty, ": empty input (no JSON value)");
    expect_file_error(p_nul, ":1:3: NUL byte at offset 2");
    expect_file_error(p_bad, ": qemu.retry_ms: expected an integer from 10 to 60000, found 1");
    expect_file_error(p_big, ": file is larger than 1048576 bytes");

    char *paths[] = { p_rel, p_up, p_empty, p_nul, p_bad, p_max, p_big };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(unlink(paths[i]), 0);
        free(paths[i]);
    }
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
    free(p_missing);
    free(sub);
    free(dir);
}

/* Relative kernel paths against the different base directories. */
static void test_relative_paths(void **state)
{
    (void)state;
    struct {
        const char *base, *elf;
        const char *want;   /* leading "=" means relative to the current directory */
    } cases[] = {
        { "/cfg", "k.elf", "/cfg/k.elf" },
        { "/cfg/", "k.elf", "/cfg/k.elf" },
        { "/cfg", "./k.elf", "/cfg/k.elf" },
        { "/cfg", ".//./k.elf", "/cfg/k.elf" },
        { "/cfg", "../k.elf", "/cfg/../k.elf" },
        { "/cfg", "/abs/k.elf", "/abs/k.elf" },
        { "/", "k.elf", "/k.elf" },
        { NULL, "k.elf", "=k.elf" },
        { ".", "k.elf", "=k.elf" },
        { "configs", "../k.elf", "=configs/../k.elf" },
        { "./configs/", "k.elf", "=configs/k.elf" },
        { NULL, "/abs", "/abs" },
        { "/cfg", "a b/\xC3\xA9.elf", "/cfg/a b/\xC3\xA9.elf" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mux_config c;
        char err[ERR_LEN];
        char *json = xasprintf("{\"kernel\": {\"elf\": \"%s\"}}", cases[i].elf);
        char *want = cases[i].want[0] == '=' ? cwd_path(cases[i].want + 1) : xstrdup(cases[i].want);
        mux_config_init(&c);
        int rc = mux_config_load_text(&c, json, strlen(json), NULL, cases[i].base, err, sizeof err);
        if (rc != 0)
            fail_msg("%s", err);
        if (strcmp(c.kernel_elf, want) != 0)
            fail_msg("base %s, elf %s: got %s, want %s", cases[i].base ? cases[i].base : "NULL",
                     cases[i].elf, c.kernel_elf, want);
        assert_string_equal(c.source, "<string>");
        mux_config_free(&c);
        free(json);
        free(want);
    }
}

/* ------------------------------------------------------------ layering */

static void test_previous_values_kept(void **state)
{
    (void)state;
    static const char first[] =
        "{\"listen\": \"1.2.3.4:5\", \"description\": \"one\", \"kernel\": {\"elf\": \"/a\"}}";
    static const char bad[] =
        "{\"listen\": \"6.7.8.9:10\", \"description\": \"two\", \"kernel\": {\"elf\": \"/b\"},"
        " \"qemu\": {\"gdbstub\": \"h:1\", \"retry_ms\": 0}}";
    static const char second[] = "{\"qemu\": {\"retry_ms\": 50}}";
    struct mux_config c;
    char err[ERR_LEN];
    mux_config_init(&c);
    assert_int_equal(mux_config_load_text(&c, first, strlen(first), "first.json", "/", err,
                                          sizeof err), 0);
    struct mux_config before = c;

    assert_int_equal(mux_config_load_text(&c, bad, strlen(bad), "bad.json", "/", err, sizeof err),
                     -1);
    assert_string_equal(err, "bad.json: qemu.retry_ms: expected an integer from 10 to 60000, "
                             "found 0");
    assert_memory_equal(&c, &before, sizeof c);   /* same pointers, same numbers */
    assert_string_equal(c.source, "first.json");
    assert_string_equal(c.listen_host, "1.2.3.4");
    assert_string_equal(c.description, "one");
    assert_string_equal(c.kernel_elf, "/a");
    assert_string_equal(c.qemu_host, "127.0.0.1");

    /* A good load changes only what it names. */
    assert_int_equal(mux_config_load_text(&c, second, strlen(second), NULL, NULL, err,
                                          sizeof err), 0);
    assert_string_equal(c.source, "<string>");
    assert_string_equal(c.listen_host, "1.2.3.4");
    assert_int_equal(c.listen_port, 5);
    assert_string_equal(c.description, "one");
    assert_string_equal(c.kernel_elf, "/a");
    assert_int_equal(c.retry_ms, 50);
    assert_int_equal(c.qemu_port, 1234);

    /* A syntax error keeps them too; a failed load of a missing file as well. */
    assert_int_equal(mux_config_load_text(&c, "{", 1, NULL, NULL, err, sizeof err), -1);
    assert_int_equal(mux_config_load_file(&c, "/nonexistent/x.json", err, sizeof err), -1);
    assert_string_equal(c.source, "<string>");
    assert_int_equal(c.retry_ms, 50);
    mux_config_free(&c);
}

/* ------------------------------------------------------------ error lines */

static char *unknown_keys_doc(unsigned n)
{
    size_t cap = 32 + 16 * (size_t)n;
    char *doc = malloc(cap);
    assert_non_null(doc);
    size_t used = (size_t)snprintf(doc, cap, "{");
    for (unsigned i = 0; i < n; i++)
        used += (size_t)snprintf(doc + used, cap - used, "%s\"k%u\": %u", i ? ", " : "", i, i);
    snprintf(doc + used, cap - used, "}");
    return doc;
}

static void test_error_cap(void **state)
{
    (void)state;
    struct { unsigned keys, lines; const char *last; } cases[] = {
        { 19, 19, NULL },
        { 20, 20, NULL },
        { 21, 21, "... and 1 more" },
        { 25, 21, "... and 5 more" },
        { 500, 21, "... and 480 more" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mux_config c;
        char err[ERR_LEN];
        char *doc = unknown_keys_doc(cases[i].keys);
        mux_config_init(&c);
        assert_int_equal(mux_config_load_text(&c, doc, strlen(doc), SRC, NULL, err, sizeof err), -1);
        assert_int_equal(count_lines(err), cases[i].lines);
        assert_non_null(strstr(err, E("k0: unknown key (known keys: " TOP_KEYS ")\n")));
        if (cases[i].keys >= 20)
            assert_non_null(strstr(err, E("k19: unknown key")));
        assert_null(strstr(err, "k20:"));
        const char *last = strrchr(err, '\n');
        if (cases[i].last)
            assert_string_equal(last + 1, cases[i].last);
        else
            assert_non_null(strstr(last, E("k")));
        mux_config_free(&c);
        free(doc);
    }
}

/* Any buffer size gives a NUL-terminated prefix of the full report, cut
 * only between UTF-8 sequences; later lines appear only if whole, and the
 * "... and N more" line then says how many were left out. */
static void test_error_buffer_sizes(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"\xC3\xA9\xC3\xA9\xC3\xA9\": 1, \"qemu\": {\"retry_ms\": 1}, \"listen\": 5}";
    struct mux_config c;
    char full[ERR_LEN];
    mux_config_init(&c);
    assert_int_equal(mux_config_load_text(&c, doc, strlen(doc), SRC, NULL, full, sizeof full), -1);
    assert_int_equal(count_lines(full), 3);
    assert_true(valid_utf8(full));
    const char *second_line = strchr(full, '\n');
    size_t first_len = (size_t)(second_line - full);

    for (size_t len = 1; len <= strlen(full) + 1; len++) {
        char *err = malloc(len);   /* exact size: ASan catches a write past it */
        assert_non_null(err);
        memset(err, 'X', len);
        assert_int_equal(mux_config_load_text(&c, doc, strlen(doc), SRC, NULL, err, len), -1);
        size_t n = strnlen(err, len);
        if (n == len)
            fail_msg("errlen %zu: not NUL-terminated", len);
        if (!valid_utf8(err))
            fail_msg("errlen %zu: cut inside a UTF-8 sequence: %s", len, err);
        const char *more = strstr(err, "\n... and ");
        size_t shown = more ? (size_t)(more - err) : n;
        if (strncmp(err, full, shown) != 0)
            fail_msg("errlen %zu: \"%s\" is not a prefix of the full report", len, err);
        if (len > first_len + 40 && len <= strlen(full)) {
            assert_non_null(more);
            unsigned left = (unsigned)strtoul(more + 9, NULL, 10);
            assert_int_equal(left + count_lines(err) - 1, 3);
        }
        free(err);
    }
    assert_int_equal(mux_config_load_text(&c, doc, strlen(doc), SRC, NULL, NULL, 0), -1);
    char one = 'X';
    assert_int_equal(mux_config_load_text(&c, doc, strlen(doc), SRC, NULL, &one, 1), -1);
    assert_int_equal(one, '\0');
    mux_config_free(&c);
}

/* ------------------------------------------------------------ jsonpath tables */

/* A test-only table with arrays, like the "spaces" a later config adds. */
struct space {
    char elf[16];
    bool user;
};

struct spaces {
    struct space s[4];
    size_t n;
    unsigned applied;   /* spaces whose object passed every check */
};

static void *enter_space(struct jp_ctx *ctx, void *target, size_t index)
{
    struct spaces *sp = target;
    if (sp->n == 4) {
        jp_error(ctx, "too many spaces (at most 4, this is index %zu)", index);
        return NULL;
    }
    return &sp->s[sp->n++];
}

static void apply_space_elf(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct space *s = target;
    (void)ctx;
    snprintf(s->elf, sizeof s->elf, "%s", v->valuestring);
}

static void apply_space(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)v;
    struct space *s = target;
    if (strcmp(s->elf, "veto") == 0)
        jp_error(ctx, "vetoed by apply");
}

static void apply_spaces(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct spaces *sp = target;
    (void)ctx;
    (void)v;
    sp->applied++;
}

static const struct jp_field digit_row[] = { { .kind = JP_INTEGER, .min = 1, .max = 9 } };
static const struct jp_field any_int_row[] = { { .kind = JP_INTEGER } };
static const struct jp_field int_list_row[] = { { .kind = JP_ARRAY, JP_FIELDS(any_int_row) } };
static const struct jp_field nested_row[1] = { { .kind = JP_ARRAY, .fields = nested_row, .nfields = 1 } };

static const struct jp_field space_keys[] = {
    { .key = "elf", .kind = JP_STRING, .required = true, .apply = apply_space_elf },
    { .key = "user", .kind = JP_BOOLEAN },
    { .key = "ids", .kind = JP_ARRAY, JP_FIELDS(digit_row) },
    { .key = "grid", .kind = JP_ARRAY, JP_FIELDS(int_list_row) },
    { .key = "deep", .kind = JP_ARRAY, JP_FIELDS(nested_row) },
    { .key = "none", .kind = JP_OBJECT },
};
static const struct jp_field space_row[] = {
    { .kind = JP_OBJECT, .enter = enter_space, .apply = apply_space, JP_FIELDS(space_keys) },
};
static const struct jp_field spaces_keys[] = {
    { .key = "spaces", .kind = JP_ARRAY, .min = 1, .max = 4, .required = true,
      .apply = apply_spaces, JP_FIELDS(space_row) },
};
static const struct jp_field spaces_root = { .kind = JP_OBJECT, JP_FIELDS(spaces_keys) };

static int run_spaces(const char *json, struct spaces *sp, char *err, size_t errlen)
{
    struct jp_ctx ctx;
    memset(sp, 0, sizeof *sp);
    jp_init(&ctx, "s.json", err, errlen);
    cJSON *root = jp_parse(&ctx, json, strlen(json));
    if (root)
        jp_validate(&ctx, root, &spaces_root, sp);
    cJSON_Delete(root);
    return jp_finish(&ctx);
}

static void test_jsonpath_arrays(void **state)
{
    (void)state;
    struct spaces sp;
    char err[ERR_LEN];

    assert_int_equal(run_spaces("{\"spaces\": [{\"elf\": \"a\", \"user\": true, \"ids\": [1, 9],"
                                " \"grid\": [[], [1, -2]], \"deep\": [[[]]], \"none\": {}},"
                                " {\"elf\": \"b\"}]}", &sp, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(sp.n, 2);
    assert_string_equal(sp.s[0].elf, "a");
    assert_string_equal(sp.s[1].elf, "b");
    assert_int_equal(sp.applied, 1);

    assert_int_equal(run_spaces("{\"spaces\": [{\"elf\": \"a\"}, {\"elf\": 1}, {\"elff\": 2},"
                                " {\"elf\": \"d\", \"ids\": [1, \"x\", 10, 2.5], \"grid\": [[1], [2, true], 3],"
                                " \"none\": {\"k\": 1}}, {\"elf\": \"e\"}, {\"elf\": \"f\"}]}",
                                &sp, err, sizeof err), -1);
    assert_string_equal(err,
        "s.json: spaces: expected 1 to 4 elements, found 6\n"
        "s.json: spaces[1].elf: expected a string, found number 1\n"
        "s.json: spaces[2].elff: unknown key (known keys: elf, user, ids, grid, deep, none)\n"
        "s.json: spaces[2]: missing required key \"elf\"\n"
        "s.json: spaces[3].ids[1]: expected an integer from 1 to 9, found string \"x\"\n"
        "s.json: spaces[3].ids[2]: expected an integer from 1 to 9, found 10\n"
        "s.json: spaces[3].ids[3]: expected an integer from 1 to 9, found 2.5\n"
        "s.json: spaces[3].grid[1][1]: expected an integer, found boolean true\n"
        "s.json: spaces[3].grid[2]: expected an array, found number 3\n"
        "s.json: spaces[3].none.k: unknown key (no keys are allowed here)\n"
        "s.json: spaces[4]: too many spaces (at most 4, this is index 4)\n"
        "s.json: spaces[5]: too many spaces (at most 4, this is index 5)");
    assert_int_equal(sp.n, 4);
    assert_string_equal(sp.s[0].elf, "a");
    assert_string_equal(sp.s[1].elf, "");    /* apply skipped: wrong kind */
    assert_string_equal(sp.s[3].elf, "d");   /* its own value was fine */
    assert_int_equal(sp.applied, 0);         /* errors inside: no apply */

    assert_int_equal(run_spaces("{\"spaces\": [{\"elf\": \"veto\"}]}", &sp, err, sizeof err), -1);
    assert_string_equal(err, "s.json: spaces[0]: vetoed by apply");
    assert_int_equal(run_spaces("{}", &sp, err, sizeof err), -1);
    assert_string_equal(err, "s.json: (top level): missing required key \"spaces\"");
    assert_int_equal(run_spaces("{\"spaces\": []}", &sp, err, sizeof err), -1);
    assert_string_equal(err, "s.json: spaces: expected 1 to 4 elements, found 0");
    assert_int_equal(run_spaces("{\"spaces\": [7]}", &sp, err, sizeof err), -1);
    assert_string_equal(err, "s.json: spaces[0]: expected an object, found number 7");
    assert_int_equal(sp.n, 0);               /* enter runs only for objects */
    assert_int_equal(run_spaces("{\"spaces\": [{\"elf\": \"a\"}], \"spaces\": 1}", &sp, err,
                                sizeof err), -1);
    assert_string_equal(err, "s.json: spaces: duplicate key");
    assert_int_equal(run_spaces("{\"spaces\": [{\"elf\": \"a\", \"ids\": {}}]}", &sp, err,
                                sizeof err), -1);
    assert_string_equal(err, "s.json: spaces[0].ids: expected an array, found object");
}

/* Paths longer than JP_PATH_MAX end in "..." and stay well-formed. */
static void test_jsonpath_long_paths(void **state)
{
    (void)state;
    size_t depth = 300;   /* "[0]" * 300 is past JP_PATH_MAX */
    size_t cap = 2 * depth + 64;
    char *doc = malloc(cap), err[ERR_LEN];
    struct spaces sp;
    assert_non_null(doc);
    size_t used = (size_t)snprintf(doc, cap, "{\"spaces\": [{\"elf\": \"a\", \"deep\": ");
    memset(doc + used, '[', depth);
    used += depth;
    used += (size_t)snprintf(doc + used, cap - used, "true");
    memset(doc + used, ']', depth);
    used += depth;
    snprintf(doc + used, cap - used, "}]}");
    assert_int_equal(run_spaces(doc, &sp, err, sizeof err), -1);
    const char *path = err + strlen("s.json: ");
    const char *end = strstr(path, "...: expected an array, found boolean true");
    if (!end)
        fail_msg("%s", err);
    assert_true((size_t)(end - path) + 3 < JP_PATH_MAX);
    assert_memory_equal(path, "spaces[0].deep[0][0][0]", 23);
    assert_int_equal(count_lines(err), 1);
    free(doc);

    /* Keys that are not identifiers, and long keys, are quoted and shortened. */
    char key[100];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    char *json = xasprintf("{\"%s\": 1, \"k-1_$\": 2, \"1k\": 3}", key);
    struct mux_config c;
    mux_config_init(&c);
    assert_int_equal(mux_config_load_text(&c, json, strlen(json), SRC, NULL, err, sizeof err), -1);
    char *want = xasprintf(E("[\"%.64s...\"]: unknown key (known keys: " TOP_KEYS ")\n")
                           E("k-1_$: unknown key (known keys: " TOP_KEYS ")\n")
                           E("[\"1k\"]: unknown key (known keys: " TOP_KEYS ")"), key);
    assert_string_equal(err, want);
    free(want);
    free(json);
    mux_config_free(&c);
}

static void test_describe(void **state)
{
    (void)state;
    struct { const char *json, *want; } cases[] = {
        { "0", "number 0" },
        { "-0", "number 0" },
        { "-12", "number -12" },
        { "0.1", "number 0.1" },
        { "1e300", "number 1e+300" },
        { "999999999999999", "number 999999999999999" },
        { "1e15", "number 1e+15" },
        { "\"\"", "string \"\"" },
        { "\"\\u0001\\t\"", "string \"\\u0001\\t\"" },
        { "\"\\u007f\"", "string \"\\u007f\"" },
        { "{}", "object" },
        { "[1]", "array" },
        { "false", "boolean false" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        cJSON *v = cJSON_Parse(cases[i].json);
        assert_non_null(v);
        jp_describe(v, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%s: got %s, want %s", cases[i].json, buf, cases[i].want);
        cJSON_Delete(v);
    }
    char small[8];
    cJSON *v = cJSON_CreateString("abcdefghij");
    jp_describe(v, small, sizeof small);
    assert_string_equal(small, "string ");
    jp_quote("\xC3\xA9\xC3\xA9", 1, small, sizeof small);
    assert_string_equal(small, "\"\xC3\xA9...\"");
    jp_quote("\xFFz", 5, small, sizeof small);
    assert_string_equal(small, "\"\\xffz\"");
    cJSON_Delete(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_cases),
        cmocka_unit_test(test_long_value_shortened),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_syntax_agrees_with_cjson),
        cmocka_unit_test(test_host_port),
        cmocka_unit_test(test_demo_config_file),
        cmocka_unit_test(test_demo_config_prefixes),
        cmocka_unit_test(test_temp_files),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_previous_values_kept),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_error_buffer_sizes),
        cmocka_unit_test(test_jsonpath_arrays),
        cmocka_unit_test(test_jsonpath_long_paths),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
