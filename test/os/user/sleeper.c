/* sleeper: sleeps a few times and checks with get_time that the kernel kept
 * it asleep at least as long as asked. */
#include "ulib.h"

#define NAPS     3
#define NAP_MS   30

/* Sleeps `ms` milliseconds; returns how long it really took, in us. */
__attribute__((noinline)) uint64_t work(uint64_t ms)
{
    uint64_t start = get_time_us();
    sleep_ms(ms);
    return get_time_us() - start;
}

int main(void)
{
    for (int i = 0; i < NAPS; i++) {
        uint64_t took = work(NAP_MS);
        if (took < NAP_MS * 1000) {
            printf("sleeper: nap %d took only %lu us\n", i, took);
            return 1;
        }
    }
    printf("sleeper: %d naps of %d ms: ok\n", NAPS, NAP_MS);
    return 0;
}
