/* Unit tests for table-driven dispatch (rsp/dispatch.c): prefix matching,
 * row order, every schema element, optional groups, and BAD_ARGS texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rsp.h"

#define IN(s) (const uint8_t *)(s), sizeof(s) - 1

/* Handlers write "<row name>" and each argument: "-" when absent, else
 * "{<num in hex>,"<bytes>"}" (bytes outside ' '..'~' as \xNN). */
static void append_args(struct rsp_buf *reply, const char *row, const struct rsp_args *args)
{
    rsp_buf_append_str(reply, row);
    for (unsigned i = 0; i < args->n; i++) {
        const struct rsp_arg *a = &args->a[i];
        if (!a->present) {
            rsp_buf_append_str(reply, " -");
            continue;
        }
        rsp_buf_printf(reply, " {%llx,\"", (unsigned long long)a->num);
        for (size_t k = 0; k < a->len; k++) {
            if (a->str[k] >= ' ' && a->str[k] <= '~')
                rsp_buf_append(reply, &a->str[k], 1);
            else
                rsp_buf_printf(reply, "\\x%02x", a->str[k]);
        }
        rsp_buf_append_str(reply, "\"}");
    }
}

struct calls {
    unsigned n;
};

#define HANDLER(name, result)                                                            \
    static int on_##name(void *ctx, const struct rsp_args *args, struct rsp_buf *reply)  \
    {                                                                                    \
        ((struct calls *)ctx)->n++;                                                      \
        append_args(reply, #name, args);                                                 \
        return result;                                                                   \
    }

HANDLER(read_mem, RSP_HANDLED)
HANDLER(write_bin, RSP_HANDLED)
HANDLER(insert, RSP_HANDLED)
HANDLER(remove, RSP_HANDLED)
HANDLER(exec_file, RSP_HANDLED)
HANDLER(features, RSP_HANDLED)
HANDLER(xfer_other, RSP_FORWARD)
HANDLER(rcmd, RSP_DEFERRED)
HANDLER(vcont_query, RSP_HANDLED)
HANDLER(vcont, RSP_FORWARD)
HANDLER(supported, RSP_HANDLED)
HANDLER(why, RSP_HANDLED)
HANDLER(cont, RSP_FORWARD)
HANDLER(opt_mid, RSP_HANDLED)
HANDLER(eight, RSP_HANDLED)
HANDLER(nine, RSP_HANDLED)
HANDLER(two_hex, RSP_HANDLED)
HANDLER(shadowed, RSP_HANDLED)
HANDLER(literal, RSP_HANDLED)

/* Row order matters: the longer qXfer prefix comes before "qXfer:", and
 * "vCont?" before "vCont". */
static const struct rsp_command table[] = {
    { "m", RSP_MATCH_PREFIX, "x,x", on_read_mem },
    { "X", RSP_MATCH_PREFIX, "x,x:r", on_write_bin },
    { "Z", RSP_MATCH_PREFIX, "x,x,x", on_insert },
    { "z", RSP_MATCH_PREFIX, "x,x,x", on_remove },
    { "qXfer:exec-file:read:", RSP_MATCH_PREFIX, "s:x,x", on_exec_file },
    { "qXfer:features:read:", RSP_MATCH_PREFIX, "s:x,x", on_features },
    { "qXfer:", RSP_MATCH_PREFIX, "r", on_xfer_other },
    { "qRcmd,", RSP_MATCH_PREFIX, "h", on_rcmd },
    { "vCont?", RSP_MATCH_EXACT, "", on_vcont_query },
    { "vCont", RSP_MATCH_PREFIX, "r", on_vcont },
    { "qSupported", RSP_MATCH_PREFIX, ":r?", on_supported },
    { "qOffsets", RSP_MATCH_EXACT, "", NULL },
    { "?", RSP_MATCH_EXACT, "", on_why },
    { "c", RSP_MATCH_PREFIX, "x?", on_cont },
    { "test-opt:", RSP_MATCH_PREFIX, "x,x?;s", on_opt_mid },
    { "test-8:", RSP_MATCH_PREFIX, "x,x,x,x,x,x,x,x", on_eight },
    { "test-9:", RSP_MATCH_PREFIX, "x,x,x,x,x,x,x,x,x", on_nine },
    { "test-hh:", RSP_MATCH_PREFIX, "h;h", on_two_hex },
    { "test-hh:", RSP_MATCH_PREFIX, "r", on_shadowed },
    { "test-lit", RSP_MATCH_PREFIX, "::x", on_literal },
};

enum { H = RSP_DISPATCH_HANDLED, NO = RSP_DISPATCH_NO_MATCH, BAD = RSP_DISPATCH_BAD_ARGS };

/* A packet, the status, the *result, and the reply (a handler's argument
 * dump, or the E. text; "" for NO_MATCH and handler-less rows). */
struct dispatch_case {
    const uint8_t *pkt;
    size_t len;
    int status;
    int result;
    const char *reply;
};

static const struct dispatch_case cases[] = {
    /* x fields */
    { IN("m80200000,100"), H, RSP_HANDLED, "read_mem {80200000,\"80200000\"} {100,\"100\"}" },
    { IN("mffffffffffffffff,1"), H, RSP_HANDLED, "read_mem {ffffffffffffffff,\"ffffffffffffffff\"} {1,\"1\"}" },
    { IN("mABCdef,A"), H, RSP_HANDLED, "read_mem {abcdef,\"ABCdef\"} {a,\"A\"}" },
    { IN("m"), BAD, RSP_HANDLED, "E.m: field 1 is missing" },
    { IN("m,4"), BAD, RSP_HANDLED, "E.m: field 1 is missing" },
    { IN("m80200000"), BAD, RSP_HANDLED, "E.m: expected ',' after field 1, found the end of the packet" },
    { IN("m80200000,"), BAD, RSP_HANDLED, "E.m: field 2 is missing" },
    { IN("m8020zz00,4"), BAD, RSP_HANDLED, "E.m: field 1 is not a hex number: \"8020zz00\"" },
    { IN("m1,2,3"), BAD, RSP_HANDLED, "E.m: field 2 is not a hex number: \"2,3\"" },
    { IN("m0x10,4"), BAD, RSP_HANDLED, "E.m: field 1 is not a hex number: \"0x10\"" },
    { IN("m10000000000000000,4"), BAD, RSP_HANDLED,
      "E.m: field 1 has more than 16 hex digits: \"10000000000000000\"" },
    { IN("Z0,80200000,2"), H, RSP_HANDLED, "insert {0,\"0\"} {80200000,\"80200000\"} {2,\"2\"}" },
    { IN("z1,ce,4"), H, RSP_HANDLED, "remove {1,\"1\"} {ce,\"ce\"} {4,\"4\"}" },
    { IN("Z0,8020zz,2"), BAD, RSP_HANDLED, "E.Z: field 2 is not a hex number: \"8020zz\"" },
    { IN("Z0,80200000"), BAD, RSP_HANDLED,
      "E.Z: expected ',' after field 2, found the end of the packet" },
    { IN("Z0,,2"), BAD, RSP_HANDLED, "E.Z: field 2 is missing" },
    { IN("Z0;80200000,2"), BAD, RSP_HANDLED, "E.Z: field 1 is not a hex number: \"0;80200000\"" },
    /* excerpts are printable and short */
    { IN("Z0,\001\"zzzzzzzzzzzzzzzzzzzzzzzzzzzz,2"), BAD, RSP_HANDLED,
      "E.Z: field 2 is not a hex number: \"..zzzzzzzzzzzzzzzzzzzzzz...\"" },
    /* r: binary, NUL included */
    { IN("X80200000,3:\000}\377"), H, RSP_HANDLED,
      "write_bin {80200000,\"80200000\"} {3,\"3\"} {0,\"\\x00}\\xff\"}" },
    { IN("X80200000,0:"), H, RSP_HANDLED, "write_bin {80200000,\"80200000\"} {0,\"0\"} {0,\"\"}" },
    { IN("X80200000,0"), BAD, RSP_HANDLED, "E.X: expected ':' after field 2, found the end of the packet" },
    /* s fields, and the row order of qXfer */
    { IN("qXfer:exec-file:read::0,fff"), H, RSP_HANDLED, "exec_file {0,\"\"} {0,\"0\"} {fff,\"fff\"}" },
    { IN("qXfer:exec-file:read:1:0,fff"), H, RSP_HANDLED, "exec_file {0,\"1\"} {0,\"0\"} {fff,\"fff\"}" },
    { IN("qXfer:exec-file:read:2a:1000,ffb"), H, RSP_HANDLED,
      "exec_file {0,\"2a\"} {1000,\"1000\"} {ffb,\"ffb\"}" },
    { IN("qXfer:exec-file:read:1"), BAD, RSP_HANDLED,
      "E.qXfer:exec-file:read: expected ':' after field 1, found the end of the packet" },
    { IN("qXfer:exec-file:read:1:0"), BAD, RSP_HANDLED,
      "E.qXfer:exec-file:read: expected ',' after field 2, found the end of the packet" },
    { IN("qXfer:exec-file:read:1:0,fff,1"), BAD, RSP_HANDLED,
      "E.qXfer:exec-file:read: field 3 is not a hex number: \"fff,1\"" },
    { IN("qXfer:features:read:target.xml:0,ffb"), H, RSP_HANDLED,
      "features {0,\"target.xml\"} {0,\"0\"} {ffb,\"ffb\"}" },
    { IN("qXfer:libraries:read::0,ffb"), H, RSP_FORWARD, "xfer_other {0,\"libraries:read::0,ffb\"}" },
    /* h fields */
    { IN("qRcmd,737461747573"), H, RSP_DEFERRED, "rcmd {0,\"status\"}" },
    { IN("qRcmd,"), H, RSP_DEFERRED, "rcmd {0,\"\"}" },
    { IN("qRcmd,7374617"), BAD, RSP_HANDLED,
      "E.qRcmd: field 1 has an odd number of hex digits: \"7374617\"" },
    { IN("qRcmd,7g"), BAD, RSP_HANDLED, "E.qRcmd: field 1 is not hex-encoded bytes: \"7g\"" },
    { IN("test-hh:41;4243"), H, RSP_HANDLED, "two_hex {0,\"A\"} {0,\"BC\"}" },
    { IN("test-hh:41"), BAD, RSP_HANDLED,
      "E.test-hh: expected ';' after field 1, found the end of the packet" },
    /* r fields, EXACT rows */
    { IN("vCont?"), H, RSP_HANDLED, "vcont_query" },
    { IN("vCont;c:p1.-1"), H, RSP_FORWARD, "vcont {0,\";c:p1.-1\"}" },
    { IN("vCont"), H, RSP_FORWARD, "vcont {0,\"\"}" },
    { IN("vCont?x"), H, RSP_FORWARD, "vcont {0,\"?x\"}" },
    { IN("?"), H, RSP_HANDLED, "why" },
    { IN("?x"), NO, RSP_FORWARD, "" },
    { IN("qOffsets"), H, RSP_FORWARD, "" },
    { IN("qOffsets:"), NO, RSP_FORWARD, "" },
    /* optional groups */
    { IN("qSupported"), H, RSP_HANDLED, "supported -" },
    { IN("qSupported:xyz"), H, RSP_HANDLED, "supported {0,\"xyz\"}" },
    { IN("qSupported:"), H, RSP_HANDLED, "supported {0,\"\"}" },
    { IN("qSupported:multiprocess+;swbreak+"), H, RSP_HANDLED,
      "supported {0,\"multiprocess+;swbreak+\"}" },
    { IN("qSupportedX"), BAD, RSP_HANDLED, "E.qSupported: unexpected \"X\" after the command name" },
    { IN("c"), H, RSP_FORWARD, "cont -" },
    { IN("c80200000"), H, RSP_FORWARD, "cont {80200000,\"80200000\"}" },
    { IN("cq"), BAD, RSP_HANDLED, "E.c: field 1 is not a hex number: \"q\"" },
    { IN("test-opt:1;ab"), H, RSP_HANDLED, "opt_mid {1,\"1\"} - {0,\"ab\"}" },
    { IN("test-opt:1,2;ab"), H, RSP_HANDLED, "opt_mid {1,\"1\"} {2,\"2\"} {0,\"ab\"}" },
    { IN("test-opt:1,2;"), H, RSP_HANDLED, "opt_mid {1,\"1\"} {2,\"2\"} {0,\"\"}" },
    { IN("test-opt:1,;ab"), BAD, RSP_HANDLED, "E.test-opt: field 2 is missing" },
    { IN("test-opt:1"), BAD, RSP_HANDLED,
      "E.test-opt: expected ';' after field 1, found the end of the packet" },
    { IN("test-opt:1:ab"), BAD, RSP_HANDLED, "E.test-opt: field 1 is not a hex number: \"1:ab\"" },
    /* literals */
    { IN("test-lit::5"), H, RSP_HANDLED, "literal {5,\"5\"}" },
    { IN("test-lit:?5"), BAD, RSP_HANDLED, "E.test-lit: expected ':' after the command name, found '?'" },
    { IN("test-lit:\0015"), BAD, RSP_HANDLED,
      "E.test-lit: expected ':' after the command name, found '.'" },
    { IN("test-lit"), BAD, RSP_HANDLED,
      "E.test-lit: expected ':' after the command name, found the end of the packet" },
    /* argument slots */
    { IN("test-8:1,2,3,4,5,6,7,8"), H, RSP_HANDLED,
      "eight {1,\"1\"} {2,\"2\"} {3,\"3\"} {4,\"4\"} {5,\"5\"} {6,\"6\"} {7,\"7\"} {8,\"8\"}" },
    { IN("test-9:1,2,3,4,5,6,7,8,9"), BAD, RSP_HANDLED, "E.test-9: schema has more than 8 fields" },
    { IN("test-9:1"), BAD, RSP_HANDLED, "E.test-9: schema has more than 8 fields" },
    /* no row */
    { IN(""), NO, RSP_FORWARD, "" },
    { IN("k"), NO, RSP_FORWARD, "" },
    { IN("M0,1:00"), NO, RSP_FORWARD, "" },
};

static void test_dispatch_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct dispatch_case *c = &cases[i];
        struct rsp_buf reply;
        struct calls calls = { 0 };
        int result = -1;
        rsp_buf_init(&reply);
        rsp_buf_append_str(&reply, "");
        int status = (int)rsp_dispatch(table, sizeof table / sizeof table[0], c->pkt, c->len,
                                       &calls, &reply, &result);
        unsigned want_calls = c->status == H && strcmp(c->reply, "") != 0;
        if (status != c->status || result != c->result || reply.failed ||
            strcmp((char *)reply.data, c->reply) != 0 || calls.n != want_calls) {
            print_error("row %zu \"%.*s\": got status %d result %d calls %u reply \"%s\"\n"
                        "  want status %d result %d calls %u reply \"%s\"\n",
                        i, (int)c->len, (const char *)c->pkt, status, result, calls.n,
                        (char *)reply.data, c->status, c->result, want_calls, c->reply);
            failures++;
        }
        rsp_buf_free(&reply);
    }
    assert_int_equal(failures, 0);
}

/* The reply a handler sees is empty even if the caller left text in it. */
static void test_reply_cleared_before_handler(void **state)
{
    (void)state;
    struct rsp_buf reply;
    struct calls calls = { 0 };
    int result;
    rsp_buf_init(&reply);
    rsp_buf_append_str(&reply, "stale");
    assert_int_equal(rsp_dispatch(table, sizeof table / sizeof table[0], IN("?"), &calls,
                                  &reply, &result), RSP_DISPATCH_HANDLED);
    assert_string_equal((char *)reply.data, "why");
    rsp_buf_append_str(&reply, "stale");
    assert_int_equal(rsp_dispatch(table, sizeof table / sizeof table[0], IN("m"), &calls,
                                  &reply, &result), RSP_DISPATCH_BAD_ARGS);
    assert_string_equal((char *)reply.data, "E.m: field 1 is missing");
    rsp_buf_free(&reply);
}

/* 'h' fields share 512 bytes of storage: 512 fit, 513 do not. */
static void test_hex_storage_limit(void **state)
{
    (void)state;
    char pkt[6 + 2 * 513 + 1];
    memcpy(pkt, "qRcmd,", 6);
    for (size_t i = 0; i < 2 * 513; i++)
        pkt[6 + i] = "41"[i % 2];
    struct rsp_buf reply;
    struct calls calls = { 0 };
    int result;
    rsp_buf_init(&reply);
    size_t rows = sizeof table / sizeof table[0];
    assert_int_equal(rsp_dispatch(table, rows, (const uint8_t *)pkt, 6 + 2 * 512, &calls,
                                  &reply, &result), RSP_DISPATCH_HANDLED);
    assert_int_equal(reply.len, strlen("rcmd {0,\"\"}") + 512);
    assert_int_equal(rsp_dispatch(table, rows, (const uint8_t *)pkt, 6 + 2 * 513, &calls,
                                  &reply, &result), RSP_DISPATCH_BAD_ARGS);
    assert_string_equal((char *)reply.data,
                        "E.qRcmd: field 1 decodes to more bytes than the 512 of 'h' storage");
    assert_int_equal(calls.n, 1);
    rsp_buf_free(&reply);
}

/* An empty table matches nothing. */
static void test_empty_table(void **state)
{
    (void)state;
    struct rsp_buf reply;
    int result = -1;
    rsp_buf_init(&reply);
    assert_int_equal(rsp_dispatch(table, 0, IN("?"), NULL, &reply, &result),
                     RSP_DISPATCH_NO_MATCH);
    assert_int_equal(result, RSP_FORWARD);
    rsp_buf_free(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_table),
        cmocka_unit_test(test_reply_cleared_before_handler),
        cmocka_unit_test(test_hex_storage_limit),
        cmocka_unit_test(test_empty_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
