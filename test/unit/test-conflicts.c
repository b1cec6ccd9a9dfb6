/* Resident and followed user breakpoint addresses (proxy/spaces.c: bpc_*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spaces.h"

/* An address is resident until its limit-th false hit, then followed; the
 * hit that crosses the limit is the one reported as "now followed". */
static void test_followed_after_limit(void **state)
{
    (void)state;
    struct bp_conflicts c;
    bool now;
    bpc_init(&c, 3);
    assert_false(bpc_followed(&c, 0x10012));
    assert_int_equal(bpc_false_hit(&c, 0x10012, &now), 0);
    assert_false(now);
    assert_int_equal(bpc_false_hit(&c, 0x10012, &now), 0);
    assert_false(now);
    assert_false(bpc_followed(&c, 0x10012));
    assert_int_equal(bpc_false_hit(&c, 0x10012, &now), 0);
    assert_true(now);
    assert_true(bpc_followed(&c, 0x10012));
    assert_int_equal(bpc_hits(&c, 0x10012), 3);
    assert_int_equal(bpc_false_hit(&c, 0x10012, &now), 0);
    assert_false(now);                       /* already followed */
    assert_int_equal(bpc_hits(&c, 0x10012), 4);
    bpc_free(&c);
}

/* Addresses are counted apart; many addresses grow the table. */
static void test_addresses_apart(void **state)
{
    (void)state;
    struct bp_conflicts c;
    bool now;
    bpc_init(&c, 2);
    for (uint64_t a = 0; a < 100; a++)
        assert_int_equal(bpc_false_hit(&c, 0x10000 + 2 * a, &now), 0);
    assert_int_equal(bpc_false_hit(&c, 0x10004, &now), 0);
    assert_true(now);
    assert_true(bpc_followed(&c, 0x10004));
    assert_false(bpc_followed(&c, 0x10006));
    assert_int_equal(bpc_hits(&c, 0x10006), 1);
    assert_int_equal(bpc_hits(&c, 0x20000), 0);
    bpc_free(&c);
    assert_int_equal(bpc_hits(&c, 0x10004), 0);    /* freed: nothing counted */
    assert_int_equal(c.limit, 2);
}

/* Limit 0 ("swap_groups": "always"): every address is followed at once. */
static void test_always(void **state)
{
    (void)state;
    struct bp_conflicts c;
    bool now;
    bpc_init(&c, 0);
    assert_true(bpc_followed(&c, 0x10012));
    assert_int_equal(bpc_false_hit(&c, 0x10012, &now), 0);
    assert_false(now);
    bpc_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_followed_after_limit),
        cmocka_unit_test(test_addresses_apart),
        cmocka_unit_test(test_always),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
