/* Kernel console output and panics. */
#ifndef OS_PRINTK_H
#define OS_PRINTK_H

__attribute__((format(printf, 1, 2))) void printk(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define ASSERT(cond)                                                        \
    do {                                                                    \
        if (!(cond))                                                        \
            panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
    } while (0)

#endif
