/* compute: counts the primes below N twice, by a sieve and by trial division,
 * and checks that the two agree. Long enough to be preempted many times, so a
 * register the kernel failed to restore shows up as a wrong count. */
#include "ulib.h"

#define MAX_N 100000

static uint8_t composite[MAX_N];

static long parse_number(const char *s, long fallback)
{
    long v = 0;
    if (!s || !*s)
        return fallback;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return fallback;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static long sieve_count(long n)
{
    long count = 0;
    for (long i = 2; i < n; i++) {
        if (composite[i])
            continue;
        count++;
        for (long j = i * i; j < n; j += i)
            composite[j] = 1;
    }
    return count;
}

/* Is `k` prime, by trial division? */
__attribute__((noinline)) int work(long k)
{
    if (k < 2)
        return 0;
    for (long d = 2; d * d <= k; d++) {
        if (k % d == 0)
            return 0;
    }
    return 1;
}

int main(int argc, char *argv[])
{
    long n = parse_number(argc > 1 ? argv[1] : 0, 20000);
    if (n < 2 || n > MAX_N) {
        printf("compute: N must be between 2 and %d\n", MAX_N);
        return 2;
    }
    long by_sieve = sieve_count(n);
    long by_division = 0;
    for (long k = 2; k < n; k++)
        by_division += work(k);
    if (by_sieve != by_division) {
        printf("compute: MISMATCH below %ld: sieve %ld, trial division %ld\n", n, by_sieve,
               by_division);
        return 1;
    }
    printf("compute: %ld primes below %ld (sieve and trial division agree)\n", by_sieve, n);
    return 0;
}
