/* syscalls: makes many short system calls (getpid, get_time, yield), checking
 * each answer, and checks that every register survives system calls and
 * preemption (regcheck.S). The workload for measuring system-call and switch
 * costs. */
#include "ulib.h"

long regs_survive_traps(long rounds);

static long parse_count(const char *s, long fallback)
{
    long v = 0;
    if (!s || !*s)
        return fallback;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return *s ? fallback : v;
}

/* One round: three system calls. 0 if every answer made sense. */
__attribute__((noinline)) int work(long pid, uint64_t *last_time)
{
    if (getpid() != pid)
        return -1;
    uint64_t now = get_time_us();
    if (now < *last_time)
        return -1;
    *last_time = now;
    return (int)yield();
}

int main(int argc, char *argv[])
{
    long rounds = parse_count(argc > 1 ? argv[1] : 0, 1000);
    long pid = getpid();
    uint64_t start = get_time_us(), last = start;
    for (long i = 0; i < rounds; i++) {
        if (work(pid, &last) != 0) {
            printf("syscalls: round %ld got a wrong answer\n", i);
            return 1;
        }
    }
    uint64_t elapsed = get_time_us() - start;
    printf("syscalls: made %ld system calls in %lu us\n", rounds * 3, elapsed);
    long changed = regs_survive_traps(rounds);
    if (changed != 0) {
        printf("syscalls: register x%ld changed across a trap\n", changed);
        return 1;
    }
    printf("syscalls: every register survived %ld traps\n", rounds);
    return 0;
}
