#!/usr/bin/env bash
# gdb-multiarch attached straight to QEMU's gdbstub (no proxy): kernel
# breakpoints with source-level backtraces, and a user program's main found by
# its address in the program's ELF.
source "$(dirname "$0")/lib.sh"

MAIN=$(symbol_address "$USER_DIR/compute.elf" main)
check "compute.elf has a main symbol" test -n "$MAIN"

start_qemu_gdb "$TMP/qemu1.log" -append "test; compute 3000" || finish
run_gdb "$TMP/gdb1.log" "$KERNEL" \
    -ex "break sys_spawn" -ex "continue" -ex "bt" \
    -ex 'printf "kernel satp=%lx\n", $satp' \
    -ex "finish" \
    -ex "add-symbol-file $USER_DIR/compute.elf" \
    -ex "delete" -ex "break *$MAIN" -ex "continue" \
    -ex "info symbol \$pc" -ex 'printf "user satp=%lx\n", $satp' \
    -ex "break work" -ex "continue" -ex "bt" -ex "finish" \
    -ex "kill"
L="$TMP/gdb1.log"
check "kernel breakpoint hit with its source location" \
    log_has "$L" '^Breakpoint 1, sys_spawn \(name=[0-9]+, argv=[0-9]+\) at test/os/kernel/syscall.c:[0-9]+$'
check "backtrace shows the system-call path with source lines" expect_in_order "$L" <(cat <<'P'
^#0  sys_spawn \(.*\) at test/os/kernel/syscall.c:[0-9]+$
^#1  0x[0-9a-f]+ in syscall_dispatch \(nr=400, .*\) at test/os/kernel/syscall.c:[0-9]+$
^#2  0x[0-9a-f]+ in trap_handler \(\) at test/os/kernel/trap.c:[0-9]+$
^#3  0x[0-9a-f]+ in __user_trap \(\) at test/os/kernel/kernelvec.S:[0-9]+$
P
)
check "the backtrace ends cleanly at the trap entry" bash -c "! grep -q 'Backtrace stopped' '$L'"
check "finish returns the new pid" log_has "$L" '^Value returned is \$1 = 2$'
check "user breakpoint at main (address from the ELF) shows the source line" expect_in_order "$L" <(cat <<'P'
^Breakpoint 2, main \(argc=2, argv=0x[0-9a-f]+\) at test/os/user/compute.c:[0-9]+$
^[0-9]+	
P
)
check "the stop is in compute's main" log_has "$L" '^main in section \.text of .*/build/os/user/compute\.elf$'
ksatp=$(sed -n 's/^kernel satp=//p' "$L")
usatp=$(sed -n 's/^user satp=//p' "$L")
check "user code runs in its own address space" test -n "$ksatp" -a -n "$usatp" -a "$ksatp" != "$usatp"
check "user function arguments and backtrace" expect_in_order "$L" <(cat <<'P'
^Breakpoint 3, work \(k=(k@entry=)?2\) at test/os/user/compute.c:[0-9]+$
^#0  work \(k=(k@entry=)?2\) at test/os/user/compute.c:[0-9]+$
^#1  0x[0-9a-f]+ in main \(argc=.*\) at test/os/user/compute.c:[0-9]+$
^Value returned is \$2 = 1$
P
)

# An interrupt taken in the idle loop: the backtrace crosses the trap frame.
start_qemu_gdb "$TMP/qemu2.log" -append "test; sleeper" || finish
run_gdb "$TMP/gdb2.log" "$KERNEL" -ex "break kernel_trap" -ex "continue" -ex "bt" -ex "kill"
check "backtrace through an interrupt reaches kmain" expect_in_order "$TMP/gdb2.log" <(cat <<'P'
^#0  kernel_trap \(\) at test/os/kernel/trap.c:[0-9]+$
^#1  <signal handler called>$
idle_wait \(\) at test/os/kernel/task.c:[0-9]+$
in scheduler \(\) at test/os/kernel/task.c:[0-9]+$
in kmain \(hartid=0, .*\) at test/os/kernel/kmain.c:[0-9]+$
in _start \(\) at test/os/kernel/entry.S:[0-9]+$
P
)

finish
