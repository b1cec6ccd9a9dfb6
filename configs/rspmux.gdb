# GDB settings for debugging a kernel and its processes through rspmux.
#   gdb-multiarch -x configs/rspmux.gdb -ex "target remote 127.0.0.1:2000"
#
# rspmux shows GDB the kernel as process 1 and every user address space as a
# process of its own (info inferiors; inferior N).

# Resume every process, not just the current one: on one CPU "the kernel" and
# "the process that made the system call" run in turn, and GDB must accept a
# stop in any of them. Without this, GDB resumes only the current process and
# rspmux arms only that process's breakpoints (it says so once).
set schedule-multiple on

# `break compute.c:main` before compute has started: the breakpoint waits, and
# GDB puts it in place when rspmux announces the new process (before it runs).
set breakpoint pending on

# Bare metal for every process: GDB would take the user programs for Linux
# ones (its default OS ABI) and step over an ecall as if it were a Linux
# system call, never into the kernel.
set osabi none

# Say when processes appear and go.
set print inferior-events on
