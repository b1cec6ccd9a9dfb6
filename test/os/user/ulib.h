/* The demo kernel's user library: system calls and console helpers. */
#ifndef ULIB_H
#define ULIB_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"
#include "string.h"

/* System calls (see include/sysnum.h). Negative results mean failure. */
long read(int fd, void *buf, size_t len);
long write(int fd, const void *buf, size_t len);
__attribute__((noreturn)) void exit(int code);
long sleep_ms(uint64_t ms);
long yield(void);
uint64_t get_time_us(void);
long getpid(void);
long fork(void);
/* exec/spawn take a program name and a NULL-terminated argv whose first
 * element is the program's own name (argv may be NULL). */
long exec(const char *name, char *const argv[]);
long spawn(const char *name, char *const argv[]);
/* Waits for child `pid` (-1: any); stores its exit code. The child's pid, or -1. */
long waitpid(long pid, int *code);
long apps(char *buf, size_t len);

/* Console output (stdout). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);

/* Reads one line of console input with echo and backspace; the newline is not
 * stored. Returns its length, or -1 at end of input. */
long read_line(char *buf, size_t size);

#endif
