/* Unit tests for the freestanding printf-style formatter (test/os/lib/fmt.c). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"

/* Which C type a row passes for its single argument. The type matters:
 * fmt reads `int` unless a length modifier says otherwise, exactly like
 * printf, so passing the wrong width is what these rows must not do. */
enum arg_kind {
    ARG_NONE,
    ARG_INT,
    ARG_UINT,
    ARG_LONG,
    ARG_ULONG,
    ARG_LLONG,
    ARG_ULLONG,
    ARG_SIZE,
    ARG_PTR,
    ARG_STR,
    ARG_CHAR,
};

struct fmt_case {
    const char *fmt;
    enum arg_kind kind;
    union {
        long long i;
        unsigned long long u;
        const void *p;
        const char *s;
    } arg;
    const char *want;
};

static const struct fmt_case cases[] = {
    /* plain text and %% */
    { "",                 ARG_NONE,   { 0 }, "" },
    { "plain text",       ARG_NONE,   { 0 }, "plain text" },
    { "%%",               ARG_NONE,   { 0 }, "%" },
    { "100%% sure",       ARG_NONE,   { 0 }, "100% sure" },

    /* signed */
    { "%d",               ARG_INT,    { .i = 0 }, "0" },
    { "%d",               ARG_INT,    { .i = -42 }, "-42" },
    { "%i",               ARG_INT,    { .i = 42 }, "42" },
    { "%d",               ARG_INT,    { .i = INT_MAX }, "2147483647" },
    { "%d",               ARG_INT,    { .i = INT_MIN }, "-2147483648" },
    { "%ld",              ARG_LONG,   { .i = -1 }, "-1" },
    { "%ld",              ARG_LONG,   { .i = INT64_MIN }, "-9223372036854775808" },
    { "%lld",             ARG_LLONG,  { .i = INT64_MIN }, "-9223372036854775808" },
    { "%lld",             ARG_LLONG,  { .i = INT64_MAX }, "9223372036854775807" },
    { "%lli",             ARG_LLONG,  { .i = 0 }, "0" },

    /* unsigned and hex */
    { "%u",               ARG_UINT,   { .u = 0 }, "0" },
    { "%u",               ARG_UINT,   { .u = UINT_MAX }, "4294967295" },
    { "%x",               ARG_UINT,   { .u = 0 }, "0" },
    { "%x",               ARG_UINT,   { .u = 0xdeadbeef }, "deadbeef" },
    { "%X",               ARG_UINT,   { .u = 0xdeadbeef }, "DEADBEEF" },
    { "%lu",              ARG_ULONG,  { .u = 1234567890123ULL }, "1234567890123" },
    { "%lx",              ARG_ULONG,  { .u = 0x123456789abcdef0ULL }, "123456789abcdef0" },
    { "%llu",             ARG_ULLONG, { .u = UINT64_MAX }, "18446744073709551615" },
    { "%llX",             ARG_ULLONG, { .u = UINT64_MAX }, "FFFFFFFFFFFFFFFF" },
    { "%zu",              ARG_SIZE,   { .u = 4096 }, "4096" },
    { "%zx",              ARG_SIZE,   { .u = 0xfff }, "fff" },

    /* pointers, strings, characters */
    { "%p",               ARG_PTR,    { .p = (const void *)0x1000 }, "0x1000" },
    { "%p",               ARG_PTR,    { .p = NULL }, "0x0" },
    { "%s",               ARG_STR,    { .s = "hello" }, "hello" },
    { "%s",               ARG_STR,    { .s = "" }, "" },
    { "%s",               ARG_STR,    { .s = NULL }, "(null)" },
    { "<%s>",             ARG_STR,    { .s = NULL }, "<(null)>" },
    { "%c",               ARG_CHAR,   { .i = 'A' }, "A" },
    { "a%cc",             ARG_CHAR,   { .i = 'b' }, "abc" },

    /* width and flags */
    { "%5d",              ARG_INT,    { .i = 42 }, "   42" },
    { "%-5d|",            ARG_INT,    { .i = 42 }, "42   |" },
    { "%05d",             ARG_INT,    { .i = 42 }, "00042" },
    { "%05d",             ARG_INT,    { .i = -42 }, "-0042" },
    { "%5d",              ARG_INT,    { .i = -42 }, "  -42" },
    { "%-05d|",           ARG_INT,    { .i = 42 }, "42   |" },   /* '-' beats '0' */
    { "%0-5d|",           ARG_INT,    { .i = 42 }, "42   |" },
    { "%2d",              ARG_INT,    { .i = 12345 }, "12345" },  /* width is a minimum */
    { "%08x",             ARG_UINT,   { .u = 0xbeef }, "0000beef" },
    { "%016llx",          ARG_ULLONG, { .u = 0xbeef }, "000000000000beef" },
    { "%10p",             ARG_PTR,    { .p = (const void *)0x1000 }, "    0x1000" },
    { "%-10p|",           ARG_PTR,    { .p = (const void *)0x1000 }, "0x1000    |" },
    { "%010p",            ARG_PTR,    { .p = (const void *)0x1000 }, "0x00001000" },
    { "%8s|",             ARG_STR,    { .s = "abc" }, "     abc|" },
    { "%-8s|",            ARG_STR,    { .s = "abc" }, "abc     |" },
    { "%08s|",            ARG_STR,    { .s = "abc" }, "     abc|" }, /* '0' only pads numbers */
    { "%2s",              ARG_STR,    { .s = "abcdef" }, "abcdef" },
    { "%3c",              ARG_CHAR,   { .i = 'x' }, "  x" },
    { "%-3c|",            ARG_CHAR,   { .i = 'x' }, "x  |" },
    { "%8s",              ARG_STR,    { .s = NULL }, "  (null)" },

    /* unknown or truncated conversions are printed as written */
    { "%q",               ARG_NONE,   { 0 }, "%q" },
    { "%5q",              ARG_NONE,   { 0 }, "%5q" },
    { "%-08lq",           ARG_NONE,   { 0 }, "%-08lq" },
    { "%hd",              ARG_NONE,   { 0 }, "%hd" },
    { "%q%d",             ARG_INT,    { .i = 7 }, "%q7" },   /* consumes no argument */
    { "%",                ARG_NONE,   { 0 }, "%" },
    { "abc%",             ARG_NONE,   { 0 }, "abc%" },
    { "abc%-",            ARG_NONE,   { 0 }, "abc%-" },
    { "abc%05",           ARG_NONE,   { 0 }, "abc%05" },
    { "abc%l",            ARG_NONE,   { 0 }, "abc%l" },
};

/* Forwards to fmt_vsnprintf. Not declared with the printf format attribute
 * on purpose: the table holds formats (like "%q") the compiler would reject. */
static int format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static int format_case(char *buf, size_t size, const struct fmt_case *c)
{
    switch (c->kind) {
    case ARG_NONE:   return format(buf, size, c->fmt);
    case ARG_INT:    return format(buf, size, c->fmt, (int)c->arg.i);
    case ARG_UINT:   return format(buf, size, c->fmt, (unsigned)c->arg.u);
    case ARG_LONG:   return format(buf, size, c->fmt, (long)c->arg.i);
    case ARG_ULONG:  return format(buf, size, c->fmt, (unsigned long)c->arg.u);
    case ARG_LLONG:  return format(buf, size, c->fmt, c->arg.i);
    case ARG_ULLONG: return format(buf, size, c->fmt, c->arg.u);
    case ARG_SIZE:   return format(buf, size, c->fmt, (size_t)c->arg.u);
    case ARG_PTR:    return format(buf, size, c->fmt, c->arg.p);
    case ARG_STR:    return format(buf, size, c->fmt, c->arg.s);
    case ARG_CHAR:   return format(buf, size, c->fmt, (int)c->arg.i);
    }
    fail_msg("row with format \"%s\" has an unknown argument kind %d", c->fmt, (int)c->kind);
    return -1;
}

/* Runs every row and reports all mismatches before failing, so one broken
 * conversion does not hide the others. */
static void test_conversion_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fmt_case *c = &cases[i];
        char buf[128];
        int n = format_case(buf, sizeof buf, c);
        if (strcmp(buf, c->want) != 0 || n != (int)strlen(c->want)) {
            print_error("row %zu: format \"%s\": got \"%s\" (returned %d), want \"%s\" (%zu)\n",
                        i, c->fmt, buf, n, c->want, strlen(c->want));
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

struct collect {
    char buf[128];
    int calls;
};

static void collect_putc(void *arg, char c)
{
    struct collect *col = arg;
    if (col->calls < (int)sizeof col->buf - 1)
        col->buf[col->calls] = c;
    col->calls++;
}

static int vformat_collect(struct collect *col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vformat(collect_putc, col, fmt, ap);
    va_end(ap);
    col->buf[col->calls < (int)sizeof col->buf ? col->calls : (int)sizeof col->buf - 1] = '\0';
    return n;
}

/* fmt_vformat's return value is the number of putc calls, and the callback
 * sees the characters in order. */
static void test_vformat_counts_putc_calls(void **state)
{
    (void)state;
    struct collect col = { .calls = 0 };
    int n = vformat_collect(&col, "%s=%-4d|%05x|%c%%%q", "key", -7, 0xab, 'z');
    assert_string_equal(col.buf, "key=-7  |000ab|z%%q");
    assert_int_equal(n, col.calls);
    assert_int_equal(n, (int)strlen("key=-7  |000ab|z%%q"));
}

/* Several arguments of different widths in one call: a conversion that read
 * the wrong width would shift every later argument. */
static void test_snprintf_mixed_arguments(void **state)
{
    (void)state;
    char buf[128];
    int n = fmt_snprintf(buf, sizeof buf, "%d %lld %s %zu %c %llx %u", -1,
                         (long long)INT64_MIN, "mid", (size_t)99, 'q', 0xfeedULL, 3u);
    assert_string_equal(buf, "-1 -9223372036854775808 mid 99 q feed 3");
    assert_int_equal(n, (int)strlen(buf));
}

/* For every buffer size from 0 to past the full length: the return value is
 * the full length, the buffer holds the longest prefix that fits plus a NUL,
 * and not one byte is written at or past `size` (exact-size heap buffers, so
 * ASan sees any overrun). */
static void test_snprintf_truncation(void **state)
{
    (void)state;
    const char *full = "value=12345 name=truncate";
    const int len = (int)strlen(full);
    for (size_t size = 0; size <= (size_t)len + 2; size++) {
        char *buf = malloc(size ? size : 1);
        assert_non_null(buf);
        memset(buf, 'X', size ? size : 1);
        int n = fmt_snprintf(size ? buf : NULL, size, "value=%d name=%s", 12345, "truncate");
        assert_int_equal(n, len);
        if (size == 0) {
            assert_int_equal(buf[0], 'X');   /* size 0 writes nothing at all */
        } else {
            size_t kept = size - 1 < (size_t)len ? size - 1 : (size_t)len;
            assert_memory_equal(buf, full, kept);
            assert_int_equal(buf[kept], '\0');
        }
        free(buf);
    }
}

/* Size 0 must not touch the buffer even when it is a real one. */
static void test_snprintf_size_zero_leaves_buffer(void **state)
{
    (void)state;
    char buf[4] = { 'a', 'b', 'c', 'd' };
    assert_int_equal(fmt_snprintf(buf, 0, "%s", "xyz"), 3);
    assert_memory_equal(buf, "abcd", 4);
}

/* A width too large for an int saturates at 4096 instead of overflowing
 * (UBSan would stop the test on a signed overflow). */
static void test_huge_width_saturates(void **state)
{
    (void)state;
    struct collect col = { .calls = 0 };
    int n = vformat_collect(&col, "%99999999999999999999d", 5);
    assert_int_equal(n, 4096);
    assert_int_equal(col.calls, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversion_table),
        cmocka_unit_test(test_vformat_counts_putc_calls),
        cmocka_unit_test(test_snprintf_mixed_arguments),
        cmocka_unit_test(test_snprintf_truncation),
        cmocka_unit_test(test_snprintf_size_zero_leaves_buffer),
        cmocka_unit_test(test_huge_width_saturates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
