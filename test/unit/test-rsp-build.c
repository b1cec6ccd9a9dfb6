/* Unit tests for rsp_buf, rsp_frame and the hex helpers (rsp/buf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rsp.h"

#define IN(s) (const uint8_t *)(s), sizeof(s) - 1

/* ------------------------------------------------------------ rsp_frame */

struct frame_case {
    const uint8_t *payload;
    size_t len;
    bool notification;
    const uint8_t *want;
    size_t want_len;
};

static const struct frame_case frames[] = {
    { IN(""), false, IN("$#00") },
    { IN("g"), false, IN("$g#67") },
    { IN("OK"), false, IN("$OK#9a") },
    { IN("Stop:T05"), true, IN("%Stop:T05#99") },
    /* the four bytes that must be escaped, and their checksum as sent */
    { IN("$"), false, IN("$}\004#81") },
    { IN("#"), false, IN("$}\003#80") },
    { IN("}"), false, IN("$}]#da") },
    { IN("*"), false, IN("$}\n#87") },
    { IN("a$b#c}d*e"), false, IN("$a}\004b}\003c}]d}\ne#51") },
    /* everything else goes as is: '%', 0x03, NUL, high bytes, '+', '-' */
    { IN("%\003\000\377+-"), false, IN("$%\003\000\377+-#7f") },
    /* runs are not run-length encoded */
    { IN("0000"), false, IN("$0000#c0") },
};

static void test_frame_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        const struct frame_case *c = &frames[i];
        struct rsp_buf b;
        rsp_buf_init(&b);
        rsp_frame(&b, c->payload, c->len, c->notification);
        if (b.failed || b.len != c->want_len || memcmp(b.data, c->want, c->want_len) != 0) {
            print_error("frame row %zu: got %zu bytes \"%.*s\"\n", i, b.len, (int)b.len, (char *)b.data);
            failures++;
        }
        rsp_buf_free(&b);
    }
    assert_int_equal(failures, 0);
}

/* rsp_frame appends: a buffer may hold an ack followed by a frame. */
static void test_frame_appends(void **state)
{
    (void)state;
    struct rsp_buf b;
    rsp_buf_init(&b);
    rsp_buf_append_str(&b, "+");
    rsp_frame(&b, "OK", 2, false);
    rsp_frame(&b, "g", 1, false);
    assert_string_equal((char *)b.data, "+$OK#9a$g#67");
    assert_int_equal(b.len, 12);
    rsp_buf_free(&b);
}

/* -------------------------------------------------------------- rsp_buf */

static void test_buf_append_and_clear(void **state)
{
    (void)state;
    struct rsp_buf b;
    rsp_buf_init(&b);
    assert_null(b.data);
    rsp_buf_append(&b, NULL, 0);
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.data[0], '\0');
    rsp_buf_append(&b, "ab\0c", 4);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "ab\0c", 5);
    rsp_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal((char *)b.data, "");
    rsp_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.cap, 0);
    rsp_buf_free(&b);
}

/* Growth past the first allocation keeps every byte and the NUL. */
static void test_buf_grows(void **state)
{
    (void)state;
    struct rsp_buf b;
    rsp_buf_init(&b);
    for (int i = 0; i < 10000; i++)
        rsp_buf_append(&b, &(uint8_t){ (uint8_t)i }, 1);
    assert_false(b.failed);
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(b.data[i], (uint8_t)i);
    assert_int_equal(b.data[b.len], 0);
    rsp_buf_free(&b);
}

static void test_buf_printf(void **state)
{
    (void)state;
    struct rsp_buf b;
    rsp_buf_init(&b);
    rsp_buf_printf(&b, "E%02x", 1);
    rsp_buf_printf(&b, ";%s", "");
    rsp_buf_printf(&b, "%s", "");
    assert_string_equal((char *)b.data, "E01;");
    /* longer than the first allocation, in one call */
    char big[300];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rsp_buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 4 + 2 + 299);
    assert_int_equal(b.data[5], 'z');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    rsp_buf_free(&b);
}

static void test_buf_append_hex(void **state)
{
    (void)state;
    struct rsp_buf b;
    rsp_buf_init(&b);
    rsp_buf_append_hex(&b, "", 0);
    assert_int_equal(b.len, 0);
    rsp_buf_append_hex(&b, "\x00\x0f\xf0\xff\x7dZ", 6);
    assert_string_equal((char *)b.data, "000ff0ff7d5a");
    rsp_buf_free(&b);
}

/* A failure sticks until rsp_buf_clear, and later appends change nothing.
 * (An impossible size fails without needing malloc to fail.) */
static void test_buf_failure_sticks(void **state)
{
    (void)state;
    struct rsp_buf b;
    rsp_buf_init(&b);
    rsp_buf_append_str(&b, "ab");
    rsp_buf_append_hex(&b, "x", SIZE_MAX / 2 + 1);
    assert_true(b.failed);
    rsp_buf_append_str(&b, "cd");
    rsp_buf_printf(&b, "%d", 5);
    rsp_buf_append_hex(&b, "x", 1);
    rsp_frame(&b, "x", 1, false);
    assert_int_equal(b.len, 2);
    assert_string_equal((char *)b.data, "ab");
    rsp_buf_clear(&b);
    assert_false(b.failed);
    rsp_buf_append_str(&b, "ok");
    assert_string_equal((char *)b.data, "ok");
    rsp_frame(&b, "x", SIZE_MAX / 2, false);
    assert_true(b.failed);
    rsp_buf_clear(&b);
    rsp_buf_append(&b, "x", SIZE_MAX);
    assert_true(b.failed);
    assert_int_equal(b.len, 0);
    rsp_buf_free(&b);
}

/* ---------------------------------------------------------- hex helpers */

static void test_hex_digit_all_bytes(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        const char *digits = "0123456789abcdef", *upper = "0123456789ABCDEF";
        const char *at = c ? strchr(digits, c) : NULL;
        const char *up = c ? strchr(upper, c) : NULL;
        int want = at ? (int)(at - digits) : up ? (int)(up - upper) : -1;
        assert_int_equal(rsp_hex_digit((uint8_t)c), want);
    }
}

struct u64_case {
    const char *in;
    int rc;
    uint64_t want;
};

static const struct u64_case u64s[] = {
    { "0", 0, 0 },
    { "f", 0, 15 },
    { "F", 0, 15 },
    { "80200000", 0, 0x80200000 },
    { "DeadBeef", 0, 0xdeadbeef },
    { "ffffffffffffffff", 0, UINT64_MAX },
    { "0000000000000001", 0, 1 },
    { "", -1, 0 },
    { "00000000000000001", -1, 0 },   /* 17 digits, even with leading zeros */
    { "10000000000000000", -1, 0 },
    { "0x10", -1, 0 },
    { "-1", -1, 0 },
    { " 1", -1, 0 },
    { "1 ", -1, 0 },
    { "g", -1, 0 },
    { "12,3", -1, 0 },
};

static void test_parse_hex_u64(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++) {
        const struct u64_case *c = &u64s[i];
        uint64_t v = 0x5a5a;
        int rc = rsp_parse_hex_u64((const uint8_t *)c->in, strlen(c->in), &v);
        uint64_t want = c->rc == 0 ? c->want : 0x5a5a;  /* untouched on failure */
        if (rc != c->rc || v != want) {
            print_error("\"%s\": got %d, %llx\n", c->in, rc, (unsigned long long)v);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_hex_decode(void **state)
{
    (void)state;
    uint8_t out[8] = { 0 };
    assert_int_equal(rsp_hex_decode((const uint8_t *)"", 0, out), 0);
    assert_int_equal(rsp_hex_decode((const uint8_t *)"00fF7d", 3, out), 0);
    assert_memory_equal(out, "\x00\xff\x7d", 3);
    assert_int_equal(rsp_hex_decode((const uint8_t *)"737461747573", 6, out), 0);
    assert_memory_equal(out, "status", 6);
    assert_int_equal(rsp_hex_decode((const uint8_t *)"0g", 1, out), -1);
    assert_int_equal(rsp_hex_decode((const uint8_t *)"g0", 1, out), -1);
    assert_int_equal(rsp_hex_decode((const uint8_t *)"00 0", 2, out), -1);
    /* reads exactly 2n digits: a bad digit after them does not matter */
    assert_int_equal(rsp_hex_decode((const uint8_t *)"41zz", 1, out), 0);
    assert_int_equal(out[0], 'A');
}

/* Hex out, hex in: every byte value survives. */
static void test_hex_round_trip(void **state)
{
    (void)state;
    uint8_t all[256], back[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    struct rsp_buf b;
    rsp_buf_init(&b);
    rsp_buf_append_hex(&b, all, sizeof all);
    assert_int_equal(b.len, 512);
    assert_int_equal(rsp_hex_decode(b.data, 256, back), 0);
    assert_memory_equal(all, back, 256);
    rsp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_table),
        cmocka_unit_test(test_frame_appends),
        cmocka_unit_test(test_buf_append_and_clear),
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_append_hex),
        cmocka_unit_test(test_buf_failure_sticks),
        cmocka_unit_test(test_hex_digit_all_bytes),
        cmocka_unit_test(test_parse_hex_u64),
        cmocka_unit_test(test_hex_decode),
        cmocka_unit_test(test_hex_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
