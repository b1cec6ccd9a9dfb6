/* Unit tests for stop-reply and qSupported parsing (rsp/packets.c), well-formed
 * and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rsp.h"

/* ---------------------------------------------------------- stop replies */

/* A stop reply and what it must parse to, written as text:
 *   "<kind> <signal in hex>[ pid=<hex>][ tid=<hex>][ reason=<name>[@<addr>]]"
 * or NULL when rsp_parse_stop must return -1. */
struct stop_case {
    const char *in;
    const char *want;
};

static const struct stop_case stops[] = {
    { "S05", "S 05" },
    { "S1f", "S 1f" },
    { "SFF", "S ff" },
    { "T05thread:p1.1;core:0;", "T 05 pid=1 tid=1" },
    { "T05watch:80001000;thread:01;", "T 05 tid=1 reason=watch@80001000" },
    { "T05swbreak:;", "T 05 reason=swbreak" },
    { "T05hwbreak:;thread:p2a.2b;", "T 05 pid=2a tid=2b reason=hwbreak" },
    { "T05rwatch:dead;", "T 05 reason=rwatch@dead" },
    { "T05awatch:ffffffff80001000;", "T 05 reason=awatch@ffffffff80001000" },
    { "T05library:;", "T 05 reason=library" },
    { "T05", "T 05" },
    { "T02thread:1", "T 02 tid=1" },                     /* no trailing ';' */
    { "T0520:00000000;21:0080200000000000;thread:p2.3;", "T 05 pid=2 tid=3" },
    { "T05thread:p1.1;20:xxxxxxxx;", "T 05 pid=1 tid=1" },   /* unavailable register */
    { "T05swbreak:;hwbreak:;", "T 05 reason=swbreak" },      /* the first reason wins */
    { "T05core:1;thread:2a;", "T 05 tid=2a" },
    { "T05fork:p2.2;thread:p1.1;", "T 05 pid=1 tid=1 reason=fork" },
    { "T05exec:2f62696e2f7368;thread:p3.3;", "T 05 pid=3 tid=3 reason=exec" },
    { "T05create:;thread:p1.2;", "T 05 pid=1 tid=2 reason=create" },
    { "T05vforkdone:;", "T 05 reason=vforkdone" },
    { "T05syscall_entry:40;", "T 05 reason=syscall_entry" },
    { "T05mystery:1;thread:1;", "T 05 tid=1" },              /* unknown names are skipped */
    { "T05thread:0;", "T 05 tid=0" },
    { "T05thread:7fffffffffffffff;", "T 05 tid=7fffffffffffffff" },
    { "W00", "W 00" },
    { "W1", "W 01" },
    { "W01;process:2a", "W 01 pid=2a" },
    { "X09", "X 09" },
    { "X0f;process:3", "X 0f pid=3" },
    { "O48656c6c6f0a", "O 00" },
    { "O", "O 00" },
    /* not stop replies, or malformed */
    { "", NULL },
    { "OK", NULL },
    { "O4", NULL },
    { "O4g", NULL },
    { "E01", NULL },
    { "N", NULL },
    { "F-1,4", NULL },
    { "S", NULL },
    { "S5", NULL },
    { "S05x", NULL },
    { "Sxx", NULL },
    { "S05;", NULL },
    { "T", NULL },
    { "T5", NULL },
    { "Tzz", NULL },
    { "T05;", NULL },
    { "T05thread", NULL },
    { "T05thread:", NULL },
    { "T05thread:p1", NULL },
    { "T05thread:p1.", NULL },
    { "T05thread:p.1", NULL },
    { "T05thread:-1", NULL },
    { "T05thread:p-1.-1", NULL },
    { "T05thread:8000000000000000;", NULL },
    { "T05thread:10000000000000000;", NULL },
    { "T05thread:1q;", NULL },
    { "T05watch:;", NULL },
    { "T05watch:zz;", NULL },
    { "T05:12;", NULL },
    { "T05swbreak;", NULL },
    { "T05thread:1;;", NULL },
    { "W", NULL },
    { "W123", NULL },
    { "Wgg", NULL },
    { "W01;", NULL },
    { "W01;process", NULL },
    { "W01;process:", NULL },
    { "W01;pid:2", NULL },
    { "W01;process:zz", NULL },
    { "W01;process:2;", NULL },
    { "X", NULL },
    { "X09;process:8000000000000000", NULL },
};

static void describe_stop(struct rsp_buf *b, const struct rsp_stop *s)
{
    rsp_buf_printf(b, "%c %02x", s->kind, s->signal);
    if (s->pid != -1)
        rsp_buf_printf(b, " pid=%llx", (unsigned long long)s->pid);
    if (s->has_thread)
        rsp_buf_printf(b, " tid=%llx", (unsigned long long)s->tid);
    else if (s->tid != -1)
        rsp_buf_printf(b, " tid without has_thread");
    if (s->reason) {
        rsp_buf_append_str(b, " reason=");
        rsp_buf_append(b, s->reason, s->reason_len);
        if (s->reason_addr)
            rsp_buf_printf(b, "@%llx", (unsigned long long)s->reason_addr);
    }
}

static void test_stop_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        const struct stop_case *c = &stops[i];
        struct rsp_stop st, before;
        memset(&st, 0x5a, sizeof st);
        before = st;
        /* an exact-size copy, so ASan sees any read past the payload */
        size_t len = strlen(c->in);
        uint8_t *copy = malloc(len + 1);
        assert_non_null(copy);
        memcpy(copy, c->in, len);
        int rc = rsp_parse_stop(copy, len, &st);
        struct rsp_buf got;
        rsp_buf_init(&got);
        if (rc == 0)
            describe_stop(&got, &st);
        bool ok = c->want ? rc == 0 && strcmp((char *)got.data, c->want) == 0
                          : rc == -1 && memcmp(&st, &before, sizeof st) == 0;
        if (!ok) {
            print_error("\"%s\": got %d \"%s\", want %s\n", c->in, rc,
                        rc == 0 ? (char *)got.data : "", c->want ? c->want : "-1, stop unchanged");
            failures++;
        }
        if (rc == 0 && st.reason && (st.reason < copy || st.reason >= copy + len)) {
            print_error("\"%s\": reason does not point into the payload\n", c->in);
            failures++;
        }
        rsp_buf_free(&got);
        free(copy);
    }
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------ qSupported */

/* A list and the features it must produce, each written "name<support>"
 * ("name=value" for '='), separated by spaces; NULL when it is malformed. */
struct features_case {
    const char *in;
    const char *want;
};

static const struct features_case feature_lists[] = {
    { "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess-;xmlRegisters=i386",
      "PacketSize=1000 qXfer:features:read+ vContSupported+ multiprocess- xmlRegisters=i386" },
    { "multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;"
      "vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386",
      "multiprocess+ swbreak+ hwbreak+ qRelocInsn+ fork-events+ vfork-events+ exec-events+ "
      "vContSupported+ QThreadEvents+ no-resumed+ memory-tagging+ xmlRegisters=i386" },
    { "", "" },
    { "a?", "a?" },
    { ";;a+;;", "a+" },
    { "a+;", "a+" },
    { "xmlRegisters=", "xmlRegisters=" },
    { "a=b=c", "a=b=c" },
    { "a=b+", "a=b+" },
    { "x=;y-", "x= y-" },
    /* malformed: the whole list is refused, no callback runs */
    { "a", NULL },
    { "+", NULL },
    { "=x", NULL },
    { "a+;b", NULL },
    { "a+;;c!", NULL },
    { "a*", NULL },
    { ";-", NULL },
};

struct collected {
    struct rsp_buf text;
    unsigned calls;
};

static void collect_feature(void *arg, const struct rsp_feature *f)
{
    struct collected *c = arg;
    if (c->calls++ > 0)
        rsp_buf_append_str(&c->text, " ");
    rsp_buf_append(&c->text, f->name, f->name_len);
    rsp_buf_append(&c->text, &f->support, 1);
    if (f->support == '=')
        rsp_buf_append(&c->text, f->value, f->value_len);
    else if (f->value || f->value_len)
        rsp_buf_append_str(&c->text, "<value without '='>");
}

static void test_features_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof feature_lists / sizeof feature_lists[0]; i++) {
        const struct features_case *c = &feature_lists[i];
        struct collected col = { .calls = 0 };
        rsp_buf_init(&col.text);
        rsp_buf_append_str(&col.text, "");
        size_t len = strlen(c->in);
        uint8_t *copy = malloc(len + 1);
        assert_non_null(copy);
        memcpy(copy, c->in, len);
        int rc = rsp_parse_features(copy, len, collect_feature, &col);
        bool ok = c->want ? rc == 0 && strcmp((char *)col.text.data, c->want) == 0
                          : rc == -1 && col.calls == 0;
        if (!ok) {
            print_error("\"%s\": got %d \"%s\" (%u calls), want %s\n", c->in, rc,
                        (char *)col.text.data, col.calls, c->want ? c->want : "-1, no calls");
            failures++;
        }
        free(copy);
        rsp_buf_free(&col.text);
    }
    assert_int_equal(failures, 0);
}

/* An empty list may be passed as NULL, 0. */
static void test_features_null_empty(void **state)
{
    (void)state;
    struct collected col = { .calls = 0 };
    rsp_buf_init(&col.text);
    assert_int_equal(rsp_parse_features(NULL, 0, collect_feature, &col), 0);
    assert_int_equal(col.calls, 0);
    rsp_buf_free(&col.text);
}

/* Thread ids: the table is the text, then the expected result or "bad". */
static void test_thread_ids(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        bool has_pid;
        int64_t pid, tid;
    } cases[] = {
        { "p3.1", 0, true, 3, 1 },        { "p1f.-1", 0, true, 0x1f, -1 },
        { "p-1.-1", 0, true, -1, -1 },    { "p0.0", 0, true, 0, 0 },
        { "p5", 0, true, 5, -1 },         { "7", 0, false, -2, 7 },
        { "-1", 0, false, -2, -1 },       { "0", 0, false, -2, 0 },
        { "", -1, 0, 0, 0 },              { "p", -1, 0, 0, 0 },
        { "p.1", -1, 0, 0, 0 },           { "p3.", -1, 0, 0, 0 },
        { "p3.x", -1, 0, 0, 0 },          { "-2", -1, 0, 0, 0 },
        { "p3.1.2", -1, 0, 0, 0 },        { "12345678901234567", -1, 0, 0, 0 },
        { "8000000000000000", -1, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rsp_thread_id id = { .pid = 99, .tid = 99 };
        int rc = rsp_parse_thread_id((const uint8_t *)cases[i].text, strlen(cases[i].text), &id);
        if (rc != cases[i].rc)
            fail_msg("\"%s\": rc %d, want %d", cases[i].text, rc, cases[i].rc);
        if (rc == 0 && (id.has_pid != cases[i].has_pid || id.pid != cases[i].pid ||
                        id.tid != cases[i].tid))
            fail_msg("\"%s\": got %d %lld %lld", cases[i].text, id.has_pid,
                     (long long)id.pid, (long long)id.tid);
    }
}

static void collect_action(void *arg, const struct rsp_vcont_action *a)
{
    struct rsp_buf *b = arg;
    rsp_buf_printf(b, "%c", a->action);
    if (a->action == 'C' || a->action == 'S')
        rsp_buf_printf(b, "%02x", a->signal);
    if (a->has_thread)
        rsp_buf_printf(b, "@%s%lld.%lld", a->thread.has_pid ? "p" : "",
                       (long long)a->thread.pid, (long long)a->thread.tid);
    rsp_buf_append_str(b, ";");
}

/* vCont action lists: the text after "vCont;", then what the actions are. */
static void test_vcont(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } cases[] = {
        { "c", "c;" },
        { "s:p4.1;c", "s@p4.1;c;" },
        { "c:p3.-1", "c@p3.-1;" },
        { "S05:p1.1;C1f", "S05@p1.1;C1f;" },
        { "r1000,1010:p2.1;t", "r@p2.1;t;" },
        { "s:7", "s@-2.7;" },
        { "", NULL }, { ";", NULL }, { "c;", NULL }, { ";c", NULL }, { "x", NULL },
        { "cc", NULL }, { "C5", NULL }, { "Cxy", NULL }, { "c:", NULL }, { "c:p", NULL },
        { "r10", NULL }, { "r,10", NULL }, { "c:p1.1:2", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rsp_buf b;
        rsp_buf_init(&b);
        int rc = rsp_parse_vcont((const uint8_t *)cases[i].text, strlen(cases[i].text),
                                 collect_action, &b);
        if (!cases[i].want && (rc != -1 || b.len != 0))
            fail_msg("\"%s\": accepted", cases[i].text);
        if (cases[i].want && (rc != 0 || b.len != strlen(cases[i].want) ||
                              memcmp(b.data, cases[i].want, b.len) != 0))
            fail_msg("\"%s\": got \"%.*s\", want \"%s\"", cases[i].text, (int)b.len,
                     (const char *)b.data, cases[i].want);
        rsp_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_table),
        cmocka_unit_test(test_features_table),
        cmocka_unit_test(test_features_null_empty),
        cmocka_unit_test(test_thread_ids),
        cmocka_unit_test(test_vcont),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
