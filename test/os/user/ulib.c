/* The demo kernel's user library: system calls and console helpers. */
#include "ulib.h"

#include <stdarg.h>

#include "sysnum.h"

static long syscall3(long nr, long a0, long a1, long a2)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
    return r_a0;
}

long read(int fd, void *buf, size_t len) { return syscall3(SYS_READ, fd, (long)buf, (long)len); }
long write(int fd, const void *buf, size_t len) { return syscall3(SYS_WRITE, fd, (long)buf, (long)len); }
long sleep_ms(uint64_t ms) { return syscall3(SYS_SLEEP, (long)ms, 0, 0); }
long yield(void) { return syscall3(SYS_YIELD, 0, 0, 0); }
uint64_t get_time_us(void) { return (uint64_t)syscall3(SYS_GET_TIME, 0, 0, 0); }
long getpid(void) { return syscall3(SYS_GETPID, 0, 0, 0); }
long fork(void) { return syscall3(SYS_FORK, 0, 0, 0); }
long exec(const char *name, char *const argv[]) { return syscall3(SYS_EXEC, (long)name, (long)argv, 0); }
long spawn(const char *name, char *const argv[]) { return syscall3(SYS_SPAWN, (long)name, (long)argv, 0); }
long waitpid(long pid, int *code) { return syscall3(SYS_WAITPID, pid, (long)code, 0); }
long apps(char *buf, size_t len) { return syscall3(SYS_APPS, (long)buf, (long)len, 0); }

void exit(int code)
{
    syscall3(SYS_EXIT, code, 0, 0);
    for (;;)
        ;
}

/* printf buffers a line at a time so that one line is one write(). */
struct line {
    char buf[128];
    size_t len;
};

static void line_flush(struct line *l)
{
    if (l->len)
        write(1, l->buf, l->len);
    l->len = 0;
}

static void line_putc(void *arg, char c)
{
    struct line *l = arg;
    l->buf[l->len++] = c;
    if (c == '\n' || l->len == sizeof l->buf)
        line_flush(l);
}

int printf(const char *fmt, ...)
{
    struct line l = { .len = 0 };
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vformat(line_putc, &l, fmt, ap);
    va_end(ap);
    line_flush(&l);
    return n;
}

int puts(const char *s)
{
    return printf("%s\n", s);
}

long read_line(char *buf, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return -1;
    for (;;) {
        unsigned char c;
        if (read(0, &c, 1) != 1)
            return -1;
        if (c == '\r' || c == '\n') {
            write(1, "\n", 1);
            buf[n] = '\0';
            return (long)n;
        }
        if (c == 0x7f || c == '\b') {
            if (n > 0) {
                n--;
                write(1, "\b \b", 3);
            }
            continue;
        }
        if (c == 0x04 && n == 0)       /* Ctrl-D on an empty line */
            return -1;
        if (c < ' ' || n + 1 >= size)
            continue;
        buf[n++] = (char)c;
        write(1, &c, 1);
    }
}
