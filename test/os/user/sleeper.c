/* sleeper: sleeps a few times and checks with get_time that the kernel kept
 * it asleep at least as long as asked; then checks that it wakes up on time
 * while a child keeps the CPU busy without ever yielding (preemption). */
#include "ulib.h"

#define NAPS     3
#define NAP_MS   30
#define BUSY_MS  500

/* Sleeps `ms` milliseconds; returns how long it really took, in us. */
__attribute__((noinline)) uint64_t work(uint64_t ms)
{
    uint64_t start = get_time_us();
    sleep_ms(ms);
    return get_time_us() - start;
}

/* Spins for `ms` without giving up the CPU voluntarily. */
static void busy(uint64_t ms)
{
    uint64_t end = get_time_us() + ms * 1000;
    while (get_time_us() < end)
        ;
}

/* 0 if a nap ends long before a busy sibling would have let us run. */
static int wakes_while_child_spins(void)
{
    long pid = fork();
    if (pid == 0) {
        busy(BUSY_MS);
        exit(0);
    }
    if (pid < 0)
        return -1;
    /* The child runs once we sleep; only preemption can wake us before it ends. */
    uint64_t took = work(NAP_MS);
    int code = -1;
    waitpid(pid, &code);
    if (took >= BUSY_MS * 1000 || code != 0) {
        printf("sleeper: a %d ms nap took %lu us next to a busy child\n", NAP_MS, took);
        return -1;
    }
    return 0;
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
    if (wakes_while_child_spins() != 0)
        return 1;
    printf("sleeper: woke on time while a busy child held the CPU: ok\n");
    return 0;
}
