/* The user programs linked into the kernel, in the order `apps` lists them.
 * Each is build/os/user/<name>.elf; add a program here and in the Makefile. */
#define APP_LIST(X) \
    X(init)         \
    X(compute)      \
    X(syscalls)     \
    X(sleeper)      \
    X(forker)       \
    X(crash)
