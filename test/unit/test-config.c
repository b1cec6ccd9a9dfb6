/* Unit tests for the configuration (proxy/config.c) and the JSON checks under
 * it (proxy/jsonpath.c): configs as text with their exact results or exact
 * error messages, "[HOST:]PORT" parsing, files (configs/demo-os.json and
 * temporary ones), relative paths, keeping the old values on error, the cap
 * on error lines, small error buffers, and JSON paths through arrays with a
 * test-only table.
 *
 * Runs from the repository root (test/run-tests.sh does), so that
 * configs/demo-os.json is found. */
#define _DEFAULT_SOURCE  /* realpath */
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
 * fields mean "the default", elf and description are compared as given,
 * spaces against dump_spaces (NULL: nothing but the defaults). */
struct want_cfg {
    const char *listen_host;
    unsigned listen_port;
    const char *qemu_host;
    unsigned qemu_port;
    unsigned retry_ms;
    const char *elf;
    const char *description;
    const char *spaces;
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

/* Repeated parts of the address-space messages. */
#define HOOK_KEYS      "enter_user, enter_kernel, switch, exec, exit, return_path, step_into_kernel"
#define POINT_KEYS     "symbol, function, line, address, instruction, offset"
#define ONE_KIND       "expected exactly one of \"symbol\", \"function\", \"line\", \"address\", "
#define SYMBOL_ONLY    "\"instruction\" and \"offset\" go with \"symbol\" only"
#define BAD_LINE       "expected \"FILE:LINE\" (e.g. \"trap.c:42\"), found string "
#define BAD_POINT_ADDR "expected an address string like \"0x80200000\", found "
#define BAD_ALIAS_ADDR "expected an address string like \"0xfffffffffffff000\", found "
#define BAD_IDENTIFY   "expected \"fingerprint\", \"satp\" or \"variable\", found string "

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

    /* address spaces (dump_spaces shows what was loaded) */
    OK("a hook of each kind",
       "{\"hooks\": {\"step_into_kernel\": {\"function\": \"trap_handler\"},"
       " \"enter_user\": [{\"symbol\": \"__restore\", \"instruction\": \"sret\"}],"
       " \"enter_kernel\": [{\"symbol\": \"__alltraps\", \"offset\": 4}],"
       " \"switch\": [{\"function\": \"__switch\"}],"
       " \"exec\": [{\"symbol\": \"a\"}, {\"line\": \"os/trap.c:42\"}, {\"address\": "
       "\"0x80200000\"}],"
       " \"exit\": [{\"address\": \"2149580800\"}],"
       " \"return_path\": [{\"symbol\": \"trap_return\"}, {\"function\": \"f\"}]}}",
       .spaces = "enter_user[0] hooks.enter_user[0]: symbol \"__restore\" instruction \"sret\"\n"
                 "enter_kernel[0] hooks.enter_kernel[0]: symbol \"__alltraps\" +4\n"
                 "switch[0] hooks.switch[0]: function \"__switch\"\n"
                 "exec[0] hooks.exec[0]: symbol \"a\"\n"
                 "exec[1] hooks.exec[1]: line \"os/trap.c:42\"\n"
                 "exec[2] hooks.exec[2]: address 0x80200000\n"
                 "exit[0] hooks.exit[0]: address 0x80200000\n"
                 "return_path[0] hooks.return_path[0]: symbol \"trap_return\"\n"
                 "return_path[1] hooks.return_path[1]: function \"f\"\n"
                 "step_into_kernel[0] hooks.step_into_kernel: function \"trap_handler\"\n"),
    OK("a single point without its array",
       "{\"hooks\": {\"exec\": {\"symbol\": \"task_exec\"}, \"exit\": {\"line\": \"C:a.c:7\"}}}",
       .spaces = "exec[0] hooks.exec[0]: symbol \"task_exec\"\n"
                 "exit[0] hooks.exit[0]: line \"C:a.c:7\"\n"),
    OK("symbol with instruction and offset",
       "{\"hooks\": {\"enter_user\": [{\"symbol\": \"s\", \"instruction\": \"sret\","
       " \"offset\": 1048576}, {\"symbol\": \"t\", \"offset\": 0},"
       " {\"offset\": 2, \"symbol\": \"u\"}]}}",
       .spaces = "enter_user[0] hooks.enter_user[0]: symbol \"s\" +1048576 instruction \"sret\"\n"
                 "enter_user[1] hooks.enter_user[1]: symbol \"t\"\n"
                 "enter_user[2] hooks.enter_user[2]: symbol \"u\" +2\n"),
    OK("address strings",
       "{\"hooks\": {\"switch\": [{\"address\": \"0xffffffffffffffff\"},"
       " {\"address\": \"18446744073709551615\"}, {\"address\": \"0\"}, {\"address\": \"0XaBc\"},"
       " {\"address\": \"0x0000000000000000001\"}]}}",
       .spaces = "switch[0] hooks.switch[0]: address 0xffffffffffffffff\n"
                 "switch[1] hooks.switch[1]: address 0xffffffffffffffff\n"
                 "switch[2] hooks.switch[2]: address 0x0\n"
                 "switch[3] hooks.switch[3]: address 0xabc\n"
                 "switch[4] hooks.switch[4]: address 0x1\n"),
    OK("line numbers at the limits",
       "{\"hooks\": {\"exit\": [{\"line\": \"f.c:1\"}, {\"line\": \"f.c:10000000\"}]}}",
       .spaces = "exit[0] hooks.exit[0]: line \"f.c:1\"\n"
                 "exit[1] hooks.exit[1]: line \"f.c:10000000\"\n"),
    OK("empty hooks, user, processes", "{\"hooks\": {}, \"user\": {}, \"processes\": {}}",
       .listen_port = 0),
    OK("aliases",
       "{\"aliases\": [{\"symbol\": \"strampoline\", \"run\": \"0xfffffffffffff000\","
       " \"size\": 4096},"
       " {\"link\": \"0x80201000\", \"run\": \"4096\", \"size\": 1073741824},"
       " {\"size\": 1, \"run\": \"0x0\", \"link\": \"0\"}]}",
       .spaces = "aliases[0] aliases[0]: symbol \"strampoline\" run 0xfffffffffffff000 size 4096\n"
                 "aliases[1] aliases[1]: link 0x80201000 run 0x1000 size 1073741824\n"
                 "aliases[2] aliases[2]: link 0x0 run 0x0 size 1\n"),
    OK("identify fingerprint", "{\"user\": {\"identify\": \"fingerprint\"}}", .listen_port = 0),
    OK("identify satp", "{\"user\": {\"identify\": \"satp\"}}", .spaces = "identify satp\n"),
    OK("identify variable, size 4 by default",
       "{\"user\": {\"identify\": \"variable\", \"variable\": {\"symbol\": \"current_pid\"}}}",
       .spaces = "identify variable\nvariable current_pid size 4\n"),
    OK("variable read before identify",
       "{\"user\": {\"variable\": {\"size\": 8, \"symbol\": \"pid\"}, \"identify\": \"variable\"}}",
       .spaces = "identify variable\nvariable pid size 8\n"),
    OK("variable without identify", "{\"user\": {\"variable\": {\"symbol\": \"v\", \"size\": 1}}}",
       .spaces = "variable v size 1\n"),
    OK("variable of 2 bytes",
       "{\"user\": {\"identify\": \"variable\", \"variable\": {\"symbol\": \"v\", \"size\": 2}}}",
       .spaces = "identify variable\nvariable v size 2\n"),
    OK("programs made absolute against the base",
       "{\"user\": {\"programs\": [\"build/os/user\", \"./u.elf\", \"/abs/p.elf\", \"../up\"]}}",
       .spaces = "programs[0] " BASE "/build/os/user\n"
                 "programs[1] " BASE "/u.elf\n"
                 "programs[2] /abs/p.elf\n"
                 "programs[3] " BASE "/../up\n"),
    OK("no programs", "{\"user\": {\"programs\": []}}", .listen_port = 0),
    OK("root relative to the base",
       "{\"root\": \"src\", \"kernel\": {\"elf\": \"k.elf\"},"
       " \"user\": {\"programs\": [\"u\", \"/abs/v\"]}}",
       .elf = BASE "/src/k.elf", .spaces = "programs[0] " BASE "/src/u\nprograms[1] /abs/v\n"),
    OK("root written ./src/", "{\"root\": \"./src/\", \"kernel\": {\"elf\": \"k.elf\"}}",
       .elf = BASE "/src/k.elf"),
    OK("root after the paths", "{\"kernel\": {\"elf\": \"k.elf\"}, \"root\": \"src\"}",
       .elf = BASE "/src/k.elf"),
    OK("absolute root",
       "{\"root\": \"/nonexistent-rspmux-root/\", \"kernel\": {\"elf\": \"./k.elf\"}}",
       .elf = "/nonexistent-rspmux-root/k.elf"),
    OK("root /", "{\"root\": \"/\", \"kernel\": {\"elf\": \"k.elf\"}}", .elf = "/k.elf"),
    OK("root with an absolute elf", "{\"root\": \"src\", \"kernel\": {\"elf\": \"/k.elf\"}}",
       .elf = "/k.elf"),
    OK("report_exit false", "{\"processes\": {\"report_exit\": false}}",
       .spaces = "report_exit false\n"),
    OK("report_new false", "{\"processes\": {\"report_new\": false, \"report_exit\": true}}",
       .spaces = "report_new false\n"),

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

    /* address spaces: hooks */
    BAD("unknown hook", "{\"hooks\": {\"exex\": []}}",
        E("hooks.exex: unknown key (known keys: " HOOK_KEYS ")")),
    BAD("unknown key in a point", "{\"hooks\": {\"exec\": [{\"symbol\": \"a\", \"offst\": 4}]}}",
        E("hooks.exec[0].offst: unknown key (known keys: " POINT_KEYS ")")),
    BAD("two kinds in one point",
        "{\"hooks\": {\"exec\": [{\"symbol\": \"a\"}, {\"symbol\": \"a\", \"function\": \"b\"}]}}",
        E("hooks.exec[1]: " ONE_KIND "found 2")),
    BAD("four kinds in a point without its array",
        "{\"hooks\": {\"switch\": {\"symbol\": \"a\", \"function\": \"b\", \"line\": \"c:1\","
        " \"address\": \"1\"}}}",
        E("hooks.switch: " ONE_KIND "found 4")),
    BAD("empty point", "{\"hooks\": {\"exit\": [{}]}}", E("hooks.exit[0]: " ONE_KIND "found 0")),
    BAD("instruction without symbol", "{\"hooks\": {\"enter_user\": {\"instruction\": \"sret\"}}}",
        E("hooks.enter_user: " ONE_KIND "found 0")),
    BAD("instruction with function",
        "{\"hooks\": {\"enter_user\": {\"function\": \"f\", \"instruction\": \"sret\"}}}",
        E("hooks.enter_user: " SYMBOL_ONLY)),
    BAD("offset with address", "{\"hooks\": {\"exec\": [{\"address\": \"0x1\", \"offset\": 0}]}}",
        E("hooks.exec[0]: " SYMBOL_ONLY)),
    BAD("offset with line",
        "{\"hooks\": {\"step_into_kernel\": {\"line\": \"a.c:1\", \"offset\": 2}}}",
        E("hooks.step_into_kernel: " SYMBOL_ONLY)),
    BAD("bad offsets",
        "{\"hooks\": {\"exec\": [{\"symbol\": \"a\", \"offset\": 1048577},"
        " {\"symbol\": \"a\", \"offset\": -1}, {\"symbol\": \"a\", \"offset\": \"4\"},"
        " {\"symbol\": \"a\", \"offset\": 0.5}]}}",
        E("hooks.exec[0].offset: expected an integer from 0 to 1048576, found 1048577\n")
        E("hooks.exec[1].offset: expected an integer from 0 to 1048576, found -1\n")
        E("hooks.exec[2].offset: expected an integer from 0 to 1048576, found string \"4\"\n")
        E("hooks.exec[3].offset: expected an integer from 0 to 1048576, found 0.5")),
    BAD("empty names",
        "{\"hooks\": {\"exec\": [{\"symbol\": \"\"}], \"switch\": {\"function\": \"\"}}}",
        E("hooks.exec[0].symbol: expected a non-empty string, found string \"\"\n")
        E("hooks.switch.function: expected a non-empty string, found string \"\"")),
    BAD("instruction a number",
        "{\"hooks\": {\"enter_user\": {\"symbol\": \"a\", \"instruction\": 1}}}",
        E("hooks.enter_user.instruction: expected a mnemonic like \"sret\", found number 1")),
    BAD("bad lines",
        "{\"hooks\": {\"exec\": [{\"line\": \"trap.c\"}, {\"line\": \":42\"},"
        " {\"line\": \"trap.c:\"}, {\"line\": \"trap.c:0\"}, {\"line\": \"trap.c:10000001\"},"
        " {\"line\": \"trap.c:4x\"}, {\"line\": \"trap.c:-4\"}, {\"line\": \"trap.c:42 \"},"
        " {\"line\": 42}]}}",
        E("hooks.exec[0].line: " BAD_LINE "\"trap.c\"\n")
        E("hooks.exec[1].line: " BAD_LINE "\":42\"\n")
        E("hooks.exec[2].line: " BAD_LINE "\"trap.c:\"\n")
        E("hooks.exec[3].line: " BAD_LINE "\"trap.c:0\"\n")
        E("hooks.exec[4].line: " BAD_LINE "\"trap.c:10000001\"\n")
        E("hooks.exec[5].line: " BAD_LINE "\"trap.c:4x\"\n")
        E("hooks.exec[6].line: " BAD_LINE "\"trap.c:-4\"\n")
        E("hooks.exec[7].line: " BAD_LINE "\"trap.c:42 \"\n")
        E("hooks.exec[8].line: expected a \"FILE:LINE\" string, found number 42")),
    BAD("bad addresses",
        "{\"hooks\": {\"exit\": [{\"address\": \"0x\"}, {\"address\": \"\"}, {\"address\": \"-1\"},"
        " {\"address\": \" 1\"}, {\"address\": \"1 \"}, {\"address\": \"0x1g\"},"
        " {\"address\": \"0x10000000000000000\"}, {\"address\": \"18446744073709551616\"},"
        " {\"address\": \"+1\"}, {\"address\": 2149580800}]}}",
        E("hooks.exit[0].address: " BAD_POINT_ADDR "string \"0x\"\n")
        E("hooks.exit[1].address: " BAD_POINT_ADDR "string \"\"\n")
        E("hooks.exit[2].address: " BAD_POINT_ADDR "string \"-1\"\n")
        E("hooks.exit[3].address: " BAD_POINT_ADDR "string \" 1\"\n")
        E("hooks.exit[4].address: " BAD_POINT_ADDR "string \"1 \"\n")
        E("hooks.exit[5].address: " BAD_POINT_ADDR "string \"0x1g\"\n")
        E("hooks.exit[6].address: " BAD_POINT_ADDR "string \"0x10000000000000000\"\n")
        E("hooks.exit[7].address: " BAD_POINT_ADDR "string \"18446744073709551616\"\n")
        E("hooks.exit[8].address: " BAD_POINT_ADDR "string \"+1\"\n")
        E("hooks.exit[9].address: " BAD_POINT_ADDR "number 2149580800")),
    BAD("hook list a string", "{\"hooks\": {\"exec\": \"task_exec\"}}",
        E("hooks.exec: expected a hook point or an array of them, found string \"task_exec\"")),
    BAD("hook list element a string", "{\"hooks\": {\"exec\": [{\"symbol\": \"a\"}, \"b\"]}}",
        E("hooks.exec[1]: expected an object, found string \"b\"")),
    BAD("step_into_kernel an array",
        "{\"hooks\": {\"step_into_kernel\": [{\"function\": \"f\"}]}}",
        E("hooks.step_into_kernel: expected an object, found array")),
    BAD("hooks an array", "{\"hooks\": []}", E("hooks: expected an object, found array")),
    BAD("duplicate hook", "{\"hooks\": {\"exec\": {\"symbol\": \"a\"}, \"exec\": []}}",
        E("hooks.exec: duplicate key")),

    /* address spaces: aliases */
    BAD("alias with symbol and link",
        "{\"aliases\": [{\"symbol\": \"t\", \"link\": \"0x1000\", \"run\": \"0x2000\","
        " \"size\": 4096}]}",
        E("aliases[0]: expected exactly one of \"symbol\" and \"link\"")),
    BAD("alias with neither symbol nor link",
        "{\"aliases\": [{\"symbol\": \"t\", \"run\": \"0x1\", \"size\": 1},"
        " {\"run\": \"0x2000\", \"size\": 4096}]}",
        E("aliases[1]: expected exactly one of \"symbol\" and \"link\"")),
    BAD("alias without size", "{\"aliases\": [{\"symbol\": \"t\", \"run\": \"0x2000\"}]}",
        E("aliases[0]: missing required key \"size\"")),
    BAD("alias without run and size", "{\"aliases\": [{\"link\": \"0x1\"}]}",
        E("aliases[0]: missing required key \"run\"\n")
        E("aliases[0]: missing required key \"size\"")),
    BAD("bad alias sizes",
        "{\"aliases\": [{\"symbol\": \"a\", \"run\": \"1\", \"size\": 0},"
        " {\"symbol\": \"a\", \"run\": \"1\", \"size\": 1073741825},"
        " {\"symbol\": \"a\", \"run\": \"1\", \"size\": \"4096\"}]}",
        E("aliases[0].size: expected an integer from 1 to 1073741824, found 0\n")
        E("aliases[1].size: expected an integer from 1 to 1073741824, found 1073741825\n")
        E("aliases[2].size: expected an integer from 1 to 1073741824, found string \"4096\"")),
    BAD("bad alias addresses",
        "{\"aliases\": [{\"link\": \"0xg\", \"run\": \"0x1000\", \"size\": 1},"
        " {\"symbol\": \"a\", \"run\": \"\", \"size\": 1},"
        " {\"symbol\": \"a\", \"run\": 4096, \"size\": 1}]}",
        E("aliases[0].link: " BAD_ALIAS_ADDR "string \"0xg\"\n")
        E("aliases[1].run: " BAD_ALIAS_ADDR "string \"\"\n")
        E("aliases[2].run: " BAD_ALIAS_ADDR "number 4096")),
    BAD("unknown alias key",
        "{\"aliases\": [{\"symbol\": \"a\", \"run\": \"1\", \"size\": 1, \"name\": \"x\"}]}",
        E("aliases[0].name: unknown key (known keys: symbol, link, run, size)")),
    BAD("aliases an object", "{\"aliases\": {\"symbol\": \"a\"}}",
        E("aliases: expected an array of aliases, found object")),
    BAD("alias a number", "{\"aliases\": [1]}",
        E("aliases[0]: expected an object, found number 1")),

    /* address spaces: user, processes, root */
    BAD("swap_groups foo", "{\"user\": {\"swap_groups\": \"sometimes\"}}",
        E("user.swap_groups: expected \"on_conflict\" or \"always\", found string \"sometimes\"")),
    BAD("conflict_hits 0", "{\"user\": {\"conflict_hits\": 0}}",
        E("user.conflict_hits: expected an integer from 1 to 1000000, found 0")),
    BAD("kernel_sp negative", "{\"user\": {\"trap_frame\": {\"address\": \"0x1000\", \"x1\": 8, "
        "\"pc\": 264, \"kernel_sp\": -8}}}",
        E("user.trap_frame.kernel_sp: expected an integer from 0 to 4096, found -8")),
    BAD("identify foo", "{\"user\": {\"identify\": \"foo\"}}",
        E("user.identify: " BAD_IDENTIFY "\"foo\"")),
    BAD("identify is case-sensitive", "{\"user\": {\"identify\": \"SATP\"}}",
        E("user.identify: " BAD_IDENTIFY "\"SATP\"")),
    BAD("identify a number", "{\"user\": {\"identify\": 1}}",
        E("user.identify: expected a string, found number 1")),
    BAD("identify variable without variable", "{\"user\": {\"identify\": \"variable\"}}",
        E("user: \"identify\": \"variable\" needs \"variable\": {\"symbol\": ...}")),
    BAD("variable without symbol",
        "{\"user\": {\"identify\": \"variable\", \"variable\": {\"size\": 4}}}",
        E("user.variable: missing required key \"symbol\"")),
    BAD("variable size 3", "{\"user\": {\"variable\": {\"symbol\": \"v\", \"size\": 3}}}",
        E("user.variable.size: expected 1, 2, 4 or 8, found number 3")),
    BAD("variable size 16", "{\"user\": {\"variable\": {\"symbol\": \"v\", \"size\": 16}}}",
        E("user.variable.size: expected an integer from 1 to 8, found 16")),
    BAD("unknown variable key", "{\"user\": {\"variable\": {\"symbol\": \"v\", \"bytes\": 4}}}",
        E("user.variable.bytes: unknown key (known keys: symbol, size)")),
    BAD("empty program path", "{\"user\": {\"programs\": [\"a\", \"\"]}}",
        E("user.programs: element 1: expected a non-empty path, found string \"\"")),
    BAD("programs a string", "{\"user\": {\"programs\": \"build/os/user\"}}",
        E("user.programs: expected an array, found string \"build/os/user\"")),
    BAD("program a number", "{\"user\": {\"programs\": [1]}}",
        E("user.programs[0]: expected a path string, found number 1")),
    BAD("unknown user key", "{\"user\": {\"program\": []}}",
        E("user.program: unknown key (known keys: programs, identify, variable, trap_frame, "
          "swap_groups, conflict_hits)")),
    BAD("report_exit a string", "{\"processes\": {\"report_exit\": \"no\"}}",
        E("processes.report_exit: expected true or false, found string \"no\"")),
    BAD("report_new a number", "{\"processes\": {\"report_new\": 1}}",
        E("processes.report_new: expected true or false, found number 1")),
    BAD("unknown processes key", "{\"processes\": {\"report\": true}}",
        E("processes.report: unknown key (known keys: report_exit, report_new)")),
    BAD("empty root", "{\"root\": \"\", \"kernel\": {\"elf\": \"k\"}}",
        E("root: expected a non-empty path, found string \"\"")),
    BAD("root a number", "{\"root\": 1}",
        E("root: expected a directory path string, found number 1")),
    BAD("problems in several new keys, in document order",
        "{\"user\": {\"identify\": \"x\"}, \"hooks\": {\"exec\": [{}],"
        " \"exit\": {\"line\": \"a\"}}, \"aliases\": [{\"run\": \"1\", \"size\": 1}],"
        " \"processes\": {\"report_new\": null}}",
        E("user.identify: " BAD_IDENTIFY "\"x\"\n")
        E("hooks.exec[0]: " ONE_KIND "found 0\n")
        E("hooks.exit.line: " BAD_LINE "\"a\"\n")
        E("aliases[0]: expected exactly one of \"symbol\" and \"link\"\n")
        E("processes.report_new: expected true or false, found null")),
};

static void expect_field(const char *what, const char *got, const char *want)
{
    if (!got && !want)
        return;
    if (!got || !want || strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", what, got ? got : "(null)", want ? want : "(null)");
}

/* Appends to a fixed buffer; fails the test if it fills up. */
__attribute__((format(printf, 3, 4)))
static void add(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < len - used);
}

static const char *const point_kinds[] = {
    [MUX_POINT_SYMBOL] = "symbol", [MUX_POINT_FUNCTION] = "function",
    [MUX_POINT_LINE] = "line", [MUX_POINT_ADDRESS] = "address",
};

/* One line per thing loaded that is not a default, in a fixed order:
 *   programs[0] /cfg/u
 *   identify satp                       (not "fingerprint")
 *   variable current_pid size 4
 *   exec[1] hooks.exec[1]: symbol "x" +4 instruction "sret"   (list, index, where, point)
 *   aliases[0] aliases[0]: symbol "t" run 0x1000 size 4096    (link shown if not 0 or no symbol)
 *   report_exit false
 * Anything a point of its kind should not have (text on an address, a value
 * on a function) is shown too, so that it fails the comparison. */
static void dump_spaces(const struct mux_spacecfg *sc, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < sc->nprograms; i++)
        add(buf, len, "programs[%zu] %s\n", i, sc->programs[i]);
    if (sc->identify != MUX_IDENTIFY_FINGERPRINT)
        add(buf, len, "identify %s\n", sc->identify == MUX_IDENTIFY_SATP ? "satp" : "variable");
    if (sc->variable || sc->variable_size)
        add(buf, len, "variable %s size %u\n", sc->variable ? sc->variable : "(null)",
            sc->variable_size);
    for (int k = 0; k < MUX_HOOK_COUNT; k++) {
        for (size_t i = 0; i < sc->hooks[k].n; i++) {
            const struct mux_point *p = &sc->hooks[k].v[i];
            add(buf, len, "%s[%zu] %s: %s", mux_hook_name((enum mux_hook_kind)k), i,
                p->where ? p->where : "(null)", point_kinds[p->kind]);
            if (p->text)
                add(buf, len, " \"%s\"", p->text);
            if (p->kind == MUX_POINT_ADDRESS)
                add(buf, len, " 0x%llx", (unsigned long long)p->value);
            else if (p->value)
                add(buf, len, " +%llu", (unsigned long long)p->value);
            if (p->instruction)
                add(buf, len, " instruction \"%s\"", p->instruction);
            add(buf, len, "\n");
        }
    }
    for (size_t i = 0; i < sc->naliases; i++) {
        const struct mux_alias *a = &sc->aliases[i];
        add(buf, len, "aliases[%zu] %s:", i, a->where ? a->where : "(null)");
        if (a->symbol)
            add(buf, len, " symbol \"%s\"", a->symbol);
        if (!a->symbol || a->link)
            add(buf, len, " link 0x%llx", (unsigned long long)a->link);
        add(buf, len, " run 0x%llx size %llu\n", (unsigned long long)a->run,
            (unsigned long long)a->size);
    }
    if (!sc->report_exit)
        add(buf, len, "report_exit false\n");
    if (!sc->report_new)
        add(buf, len, "report_new false\n");
}

static void expect_spaces(const char *what, const struct mux_spacecfg *sc, const char *want)
{
    char got[ERR_LEN];
    dump_spaces(sc, got, sizeof got);
    if (strcmp(got, want ? want : "") != 0)
        fail_msg("%s: spaces\n  got:\n%s  want:\n%s", what, got, want ? want : "");
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
    expect_spaces(lc->name, &c.spaces, w->spaces);
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

/* ------------------------------------------------------------ address-space layers */

static void expect_load(struct mux_config *c, const char *json, const char *source,
                        const char *base)
{
    char err[ERR_LEN];
    if (mux_config_load_text(c, json, strlen(json), source, base, err, sizeof err) != 0)
        fail_msg("%s: %s", source, err);
}

/* A list present in a later load replaces the earlier one (a lone point
 * counts as a list of one); absent keys keep theirs; a failed load keeps all. */
static void test_space_layers(void **state)
{
    (void)state;
    static const char first[] =
        "{\"user\": {\"programs\": [\"a\", \"b\"], \"identify\": \"satp\"},"
        " \"hooks\": {\"exec\": [{\"symbol\": \"x\"}, {\"symbol\": \"y\"}, {\"symbol\": \"z\"}],"
        " \"exit\": {\"symbol\": \"e\"}, \"step_into_kernel\": {\"function\": \"f\"}},"
        " \"aliases\": [{\"symbol\": \"t\", \"run\": \"0x1000\", \"size\": 16},"
        " {\"link\": \"0x2\", \"run\": \"0x3\", \"size\": 1}],"
        " \"processes\": {\"report_exit\": false}}";
    static const char bad[] =
        "{\"user\": {\"programs\": [\"d\"]}, \"aliases\": [{\"symbol\": \"v\", \"run\": \"1\","
        " \"size\": 1}], \"hooks\": {\"exec\": [{\"symbol\": \"q\"}, {\"line\": \"no\"}]}}";
    static const char second[] =
        "{\"root\": \"/r2\", \"user\": {\"programs\": [\"c\"]},"
        " \"hooks\": {\"exec\": {\"function\": \"w\"},"
        " \"step_into_kernel\": {\"line\": \"t.c:9\"}},"
        " \"aliases\": [{\"symbol\": \"u\", \"run\": \"0x5\", \"size\": 2}],"
        " \"processes\": {\"report_exit\": true, \"report_new\": false}}";
    static const char third[] = "{\"root\": \"/r3\", \"user\": {\"identify\": \"fingerprint\"}}";
    struct mux_config c;
    char err[ERR_LEN];
    mux_config_init(&c);
    expect_load(&c, first, "first.json", "/one");
    static const char after_first[] =
        "programs[0] /one/a\nprograms[1] /one/b\nidentify satp\n"
        "exec[0] hooks.exec[0]: symbol \"x\"\nexec[1] hooks.exec[1]: symbol \"y\"\n"
        "exec[2] hooks.exec[2]: symbol \"z\"\nexit[0] hooks.exit[0]: symbol \"e\"\n"
        "step_into_kernel[0] hooks.step_into_kernel: function \"f\"\n"
        "aliases[0] aliases[0]: symbol \"t\" run 0x1000 size 16\n"
        "aliases[1] aliases[1]: link 0x2 run 0x3 size 1\n"
        "report_exit false\n";
    expect_spaces("first", &c.spaces, after_first);

    struct mux_config before = c;
    assert_int_equal(mux_config_load_text(&c, bad, strlen(bad), "bad.json", "/two", err,
                                          sizeof err), -1);
    assert_string_equal(err, "bad.json: hooks.exec[1].line: expected \"FILE:LINE\" "
                             "(e.g. \"trap.c:42\"), found string \"no\"");
    assert_memory_equal(&c, &before, sizeof c);
    expect_spaces("after a failed load", &c.spaces, after_first);

    expect_load(&c, second, "second.json", "/two");
    expect_spaces("second", &c.spaces,
                  "programs[0] /r2/c\nidentify satp\n"
                  "exec[0] hooks.exec[0]: function \"w\"\nexit[0] hooks.exit[0]: symbol \"e\"\n"
                  "step_into_kernel[0] hooks.step_into_kernel: line \"t.c:9\"\n"
                  "aliases[0] aliases[0]: symbol \"u\" run 0x5 size 2\n"
                  "report_new false\n");

    /* Paths loaded before are absolute already: a new root leaves them. */
    expect_load(&c, third, "third.json", "/three");
    expect_spaces("third", &c.spaces,
                  "programs[0] /r2/c\n"
                  "exec[0] hooks.exec[0]: function \"w\"\nexit[0] hooks.exit[0]: symbol \"e\"\n"
                  "step_into_kernel[0] hooks.step_into_kernel: line \"t.c:9\"\n"
                  "aliases[0] aliases[0]: symbol \"u\" run 0x5 size 2\n"
                  "report_new false\n");
    assert_string_equal(c.source, "third.json");

    /* An empty list replaces the one before too. */
    static const char fourth[] = "{\"hooks\": {\"exec\": []}, \"aliases\": []}";
    expect_load(&c, fourth, "fourth.json", "/four");
    expect_spaces("fourth", &c.spaces,
                  "programs[0] /r2/c\n"
                  "exit[0] hooks.exit[0]: symbol \"e\"\n"
                  "step_into_kernel[0] hooks.step_into_kernel: line \"t.c:9\"\n"
                  "report_new false\n");
    mux_config_free(&c);
}

/* Numbers are hex after "0x", else decimal: never octal, never signed or
 * padded; names are never empty. */
static void test_space_numbers(void **state)
{
    (void)state;
    static const struct { const char *json, *err; } bad[] = {
        { "{\"hooks\": {\"switch\": {\"address\": \"\\t5\"}}}",
          "t.json: hooks.switch.address: expected an address string like \"0x80200000\", "
          "found string \"\\t5\"" },
        { "{\"hooks\": {\"switch\": {\"line\": \"trap.c:0x10\"}}}",
          "t.json: hooks.switch.line: expected \"FILE:LINE\" (e.g. \"trap.c:42\"), found "
          "string \"trap.c:0x10\"" },
        { "{\"hooks\": {\"switch\": {\"symbol\": \"s\", \"instruction\": \"\"}}}",
          "t.json: hooks.switch.instruction: expected a non-empty string, found string \"\"" },
        { "{\"aliases\": [{\"symbol\": \"\", \"run\": \"1\", \"size\": 1}]}",
          "t.json: aliases[0].symbol: expected a non-empty string, found string \"\"" },
        { "{\"user\": {\"variable\": {\"symbol\": \"\"}}}",
          "t.json: user.variable.symbol: expected a non-empty string, found string \"\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mux_config c;
        char err[ERR_LEN];
        mux_config_init(&c);
        assert_int_equal(mux_config_load_text(&c, bad[i].json, strlen(bad[i].json), SRC, BASE,
                                              err, sizeof err), -1);
        assert_string_equal(err, bad[i].err);
        mux_config_free(&c);
    }
    uint64_t v;
    assert_int_equal(mux_parse_u64("010", &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(mux_parse_u64("0x10", &v), 0);
    assert_int_equal(v, 16);
    assert_int_equal(mux_parse_u64("0x", &v), -1);
    assert_int_equal(mux_parse_u64("-1", &v), -1);
    assert_int_equal(mux_parse_u64("1 ", &v), -1);
}

/* --root (root_override): the base of every load, whatever "root" or the
 * base directory say; kept across loads. */
static void test_root_override(void **state)
{
    (void)state;
    static const char json[] =
        "{\"root\": \"ignored\", \"kernel\": {\"elf\": \"k\"}, \"user\": {\"programs\": [\"u\", "
        "\"/abs\"]}}";
    struct mux_config c;
    char err[ERR_LEN];
    mux_config_init(&c);
    c.root_override = xstrdup("/over");
    expect_load(&c, json, "o.json", "/cfg");
    assert_string_equal(c.kernel_elf, "/over/k");
    expect_spaces("override", &c.spaces, "programs[0] /over/u\nprograms[1] /abs\n");
    assert_string_equal(c.root_override, "/over");

    /* An empty "root" is still refused, and changes nothing. */
    static const char empty_root[] = "{\"root\": \"\", \"kernel\": {\"elf\": \"k2\"}}";
    assert_int_equal(mux_config_load_text(&c, empty_root, strlen(empty_root), SRC, "/cfg", err,
                                          sizeof err), -1);
    assert_string_equal(err, E("root: expected a non-empty path, found string \"\""));
    assert_string_equal(c.kernel_elf, "/over/k");
    mux_config_free(&c);

    /* A relative override is relative to the current directory. */
    mux_config_init(&c);
    c.root_override = xstrdup("rel");
    expect_load(&c, json, "o.json", "/cfg");
    char *want = cwd_path("rel/k");
    assert_string_equal(c.kernel_elf, want);
    free(want);
    mux_config_free(&c);
}

/* Files and presets: the file's directory, the current directory, "root"
 * relative to the file (tidied by realpath when it exists), --root. */
static void test_root_files(void **state)
{
    (void)state;
    static const char plain[] = "{\"kernel\": {\"elf\": \"k\"}, \"user\": {\"programs\": [\"u\"]}}";
    static const char rooted[] = "{\"root\": \"tree\", \"kernel\": {\"elf\": \"k\"}}";
    static const char up[] = "{\"root\": \"tree/..\", \"kernel\": {\"elf\": \"k\"}}";
    char *dir = make_temp_dir(), *tree = xasprintf("%s/tree", dir);
    assert_int_equal(mkdir(tree, 0700), 0);
    char *real_dir = realpath(dir, NULL), *real_tree = realpath(tree, NULL);
    assert_non_null(real_dir);
    assert_non_null(real_tree);
    char *p_plain = write_file(dir, "plain.json", plain, strlen(plain));
    char *p_rooted = write_file(dir, "rooted.json", rooted, strlen(rooted));
    char *p_up = write_file(dir, "up.json", up, strlen(up));
    struct {
        const char *path;
        bool preset;
        const char *root_override;
        char *elf, *program;   /* program NULL: none */
    } cases[] = {
        { p_plain, false, NULL, xasprintf("%s/k", dir), xasprintf("%s/u", dir) },
        { p_plain, true, NULL, cwd_path("k"), cwd_path("u") },
        { p_rooted, false, NULL, xasprintf("%s/k", real_tree), NULL },
        { p_rooted, true, NULL, xasprintf("%s/k", real_tree), NULL },
        { p_up, false, NULL, xasprintf("%s/k", real_dir), NULL },
        { p_rooted, true, "/over", xstrdup("/over/k"), NULL },
        { p_plain, false, "/over", xstrdup("/over/k"), xstrdup("/over/u") },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mux_config c;
        char err[ERR_LEN];
        mux_config_init(&c);
        if (cases[i].root_override)
            c.root_override = xstrdup(cases[i].root_override);
        int rc = cases[i].preset ? mux_config_load_preset(&c, cases[i].path, err, sizeof err)
                                 : mux_config_load_file(&c, cases[i].path, err, sizeof err);
        if (rc != 0)
            fail_msg("case %zu: %s", i, err);
        if (strcmp(c.kernel_elf, cases[i].elf) != 0)
            fail_msg("case %zu (%s%s): elf %s, want %s", i, cases[i].path,
                     cases[i].preset ? " as a preset" : "", c.kernel_elf, cases[i].elf);
        assert_int_equal(c.spaces.nprograms, cases[i].program ? 1 : 0);
        if (cases[i].program)
            assert_string_equal(c.spaces.programs[0], cases[i].program);
        mux_config_free(&c);
        free(cases[i].elf);
        free(cases[i].program);
    }

    /* Text without a base directory: "root" is relative to the current one. */
    struct mux_config c;
    mux_config_init(&c);
    expect_load(&c, rooted, "t", NULL);
    char *want = cwd_path("tree/k");
    assert_string_equal(c.kernel_elf, want);
    free(want);
    mux_config_free(&c);

    char *paths[] = { p_plain, p_rooted, p_up };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(unlink(paths[i]), 0);
        free(paths[i]);
    }
    assert_int_equal(rmdir(tree), 0);
    assert_int_equal(rmdir(dir), 0);
    free(real_dir);
    free(real_tree);
    free(tree);
    free(dir);
}

/* Every preset in configs/ loads as a preset: paths against the current
 * directory (demo-os's "root": ".." is the repository, the current
 * directory too), and the lists it names. */
static void test_presets(void **state)
{
    (void)state;
    static const struct {
        const char *name, *elf, *program;
        enum mux_identify identify;
        size_t exec, exit, step_into, aliases;
    } presets[] = {
        { "demo-os", "build/os/kernel.elf", "build/os/user", MUX_IDENTIFY_FINGERPRINT, 3, 1, 1, 1 },
        { "rcore-tutorial-v3", "os/target/riscv64gc-unknown-none-elf/release/os",
          "user/target/riscv64gc-unknown-none-elf/release", MUX_IDENTIFY_FINGERPRINT, 3, 1, 1, 1 },
        { "xv6-riscv", "kernel/kernel", "user", MUX_IDENTIFY_FINGERPRINT, 2, 1, 1, 1 },
        { "starryos", "starry_riscv64-qemu-virt.elf", "rootfs", MUX_IDENTIFY_SATP, 2, 1, 1, 0 },
        { "arceos", "examples/helloworld/helloworld_riscv64-qemu-virt.elf", NULL,
          MUX_IDENTIFY_FINGERPRINT, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        struct mux_config c;
        char err[ERR_LEN];
        char *path = xasprintf("configs/%s.json", presets[i].name);
        mux_config_init(&c);
        if (mux_config_load_preset(&c, path, err, sizeof err) != 0)
            fail_msg("%s", err);
        char *elf = cwd_path(presets[i].elf);
        expect_field(presets[i].name, c.kernel_elf, elf);
        assert_int_equal(c.spaces.nprograms, presets[i].program ? 1 : 0);
        if (presets[i].program) {
            char *program = cwd_path(presets[i].program);
            expect_field(presets[i].name, c.spaces.programs[0], program);
            free(program);
        }
        assert_int_equal(c.spaces.identify, presets[i].identify);
        assert_int_equal(c.spaces.hooks[MUX_HOOK_EXEC].n, presets[i].exec);
        assert_int_equal(c.spaces.hooks[MUX_HOOK_EXIT].n, presets[i].exit);
        assert_int_equal(c.spaces.hooks[MUX_HOOK_STEP_INTO].n, presets[i].step_into);
        assert_int_equal(c.spaces.naliases, presets[i].aliases);
        free(elf);
        mux_config_free(&c);

        /* --root wins over the preset's own "root". */
        mux_config_init(&c);
        c.root_override = xstrdup("/src");
        if (mux_config_load_preset(&c, path, err, sizeof err) != 0)
            fail_msg("%s", err);
        elf = xasprintf("/src/%s", presets[i].elf);
        expect_field(presets[i].name, c.kernel_elf, elf);
        free(elf);
        mux_config_free(&c);
        free(path);
    }
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
        cmocka_unit_test(test_space_layers),
        cmocka_unit_test(test_space_numbers),
        cmocka_unit_test(test_root_override),
        cmocka_unit_test(test_root_files),
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_error_buffer_sizes),
        cmocka_unit_test(test_jsonpath_arrays),
        cmocka_unit_test(test_jsonpath_long_paths),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
