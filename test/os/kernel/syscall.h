/* System call dispatch (numbers in include/sysnum.h). */
#ifndef OS_SYSCALL_H
#define OS_SYSCALL_H

#include <stdint.h>

/* Runs system call `nr` for the current task; returns its a0 (-1 on error). */
long syscall_dispatch(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

#endif
