/* forker: fork, exec and waitpid. Children get copies of the parent's memory
 * (a change in one is not seen by the other) and report through exit codes;
 * a grandchild is orphaned for init to reap. */
#include "ulib.h"

#define CHILDREN 3

static int shared_looking = 7;

/* What child `i` computes and returns as its exit code. */
__attribute__((noinline)) int work(int i)
{
    shared_looking += 100 * (i + 1);    /* only this child's copy changes */
    return shared_looking + i;
}

int main(void)
{
    long pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            printf("forker: fork failed\n");
            return 1;
        }
        if (pids[i] == 0)
            exit(work(i));
    }
    for (int i = 0; i < CHILDREN; i++) {
        int code = -1;
        if (waitpid(pids[i], &code) != pids[i] || code != 7 + 100 * (i + 1) + i) {
            printf("forker: child %d exited with %d\n", i, code);
            return 1;
        }
    }
    if (shared_looking != 7) {
        printf("forker: a child changed the parent's memory\n");
        return 1;
    }
    printf("forker: %d forked children returned their own results\n", CHILDREN);

    long pid = fork();
    if (pid == 0) {
        char *argv[] = { "compute", "1000", 0 };
        exec("compute", argv);
        exit(99); /* only reached if exec failed */
    }
    int code = -1;
    if (pid < 0 || waitpid(pid, &code) != pid || code != 0) {
        printf("forker: exec'd child exited with %d\n", code);
        return 1;
    }
    /* A child that forks and exits at once orphans its own child, which
     * init must adopt and reap (else its task slot would leak). */
    pid = fork();
    if (pid == 0) {
        if (fork() == 0) {
            sleep_ms(10);
            exit(0);
        }
        exit(0);
    }
    if (pid < 0 || waitpid(pid, &code) != pid || code != 0) {
        printf("forker: orphaning child exited with %d\n", code);
        return 1;
    }
    if (waitpid(-1, &code) != -1) {
        printf("forker: waitpid found a child that should not exist\n");
        return 1;
    }
    printf("forker: fork+exec ok\n");
    return 0;
}
