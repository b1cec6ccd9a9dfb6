#!/usr/bin/env bash
# gdb-multiarch debugs the demo kernel through rspmux (the ASan+UBSan build)
# exactly as it could straight through QEMU: no file argument (symbols come
# from qXfer:exec-file), breakpoints, stepping, registers, memory, variables,
# a watchpoint, interrupting, detach and re-attach, one client at a time.
source "$(dirname "$0")/lib.sh"

# --- a full session on a kernel that runs its test list -------------------
start_qemu_gdb "$TMP/qemu1.log" -append "test; compute 3000" || finish
start_rspmux "$TMP/mux1.log" -c configs/demo-os.json --qemu "$GDB_PORT" || finish
L="$TMP/gdb1.log"
gdb_via_mux "$L" \
    -ex "show osabi" -ex "break sys_spawn" -ex "continue" -ex "bt" \
    -ex "next" -ex "step" -ex "finish" -ex "stepi" \
    -ex "info registers pc" -ex 'x/8x $sp' \
    -ex "print tasks[0].pid" -ex "set var tasks[0].exit_code = 42" -ex "print tasks[0].exit_code" \
    -ex "delete" -ex "watch cpu.next_pid" -ex "continue" -ex "delete" \
    -ex "monitor help" -ex "monitor status" -ex "monitor info registers" \
    -ex "remote get $ROOT/build/os/kernel.elf $TMP/kernel-copy.elf" \
    -ex "remote get /etc/hostname $TMP/hostname-copy" \
    -ex "detach"
check "symbols come from the exec-file rspmux serves, through vFile" \
    log_has "$L" "^Reading symbols from target:$ROOT/build/os/kernel.elf\.\.\.$"
check "the target description makes GDB bare-metal" log_has "$L" 'currently "none"'
check "kernel breakpoint with a source-level backtrace" expect_in_order "$L" <(cat <<'P'
^Breakpoint 1, sys_spawn \(name=[0-9]+, argv=[0-9]+\) at test/os/kernel/syscall.c:[0-9]+$
^#0  sys_spawn \(.*\) at test/os/kernel/syscall.c:[0-9]+$
^#1  0x[0-9a-f]+ in syscall_dispatch \(nr=400, .*\) at test/os/kernel/syscall.c:[0-9]+$
^#2  0x[0-9a-f]+ in trap_handler \(\) at test/os/kernel/trap.c:[0-9]+$
^#3  0x[0-9a-f]+ in __user_trap \(\) at test/os/kernel/kernelvec.S:[0-9]+$
P
)
check "next, step, finish and stepi" expect_in_order "$L" <(cat <<'P'
^[0-9]+	    if \(copy_args\(name, argv, &args\) != 0\)$
^copy_args \(name=[0-9]+, argv=[0-9]+, args=.*\) at test/os/kernel/syscall.c:[0-9]+$
^Value returned is \$1 = 0$
^(0x[0-9a-f]+	)?[0-9]+	
P
)
check "registers and memory" expect_in_order "$L" <(cat <<'P'
^pc +0x8020[0-9a-f]+	0x8020[0-9a-f]+ <sys_spawn\+[0-9]+>$
^0x[0-9a-f]+ <kstacks\+[0-9]+>:	0x[0-9a-f]{8}	0x[0-9a-f]{8}	0x[0-9a-f]{8}	0x[0-9a-f]{8}$
P
)
check "print and set var" expect_in_order "$L" <(printf '%s\n' '^\$2 = 1$' '^\$3 = 42$')
check "a watchpoint stops on the write" expect_in_order "$L" <(cat <<'P'
^Hardware watchpoint 2: cpu.next_pid$
^Old value = 2$
^New value = 3$
task_alloc \(\) at test/os/kernel/task.c:[0-9]+$
P
)
check "monitor help lists rspmux's commands" log_has "$L" '^  monitor status +backend, connection state'
check "monitor status describes the backend" \
    log_has "$L" "^  backend   QEMU gdbstub 127\.0\.0\.1:$GDB_PORT, connected, guest stopped$"
check "other monitor commands reach QEMU's monitor" log_has "$L" '^ satp +8000000000[0-9a-f]+$'
check "vFile serves the kernel ELF byte for byte" cmp "$ROOT/build/os/kernel.elf" "$TMP/kernel-copy.elf"
check "vFile serves nothing else" log_has "$L" '^Remote I/O error: Permission denied$'
check "detach" log_has "$L" '^\[Inferior 1 \(process 1\) detached\]$'
check "after detach the guest runs to its end" wait_qemu_exit 0
check "rspmux exits cleanly (ASan, UBSan, LSan)" stop_rspmux

# --- an idle guest: interrupt, re-attach, a second client -----------------
start_qemu_gdb "$TMP/qemu2.log" || finish
start_rspmux "$TMP/mux2.log" --qemu "$GDB_PORT" --kernel "$KERNEL" -v || finish
# Ctrl-C, as a person would press it: SIGINT to a GDB waiting in `continue`.
timeout 60 "${GDB[@]}" -ex "target remote 127.0.0.1:$MUX_PORT" -ex "continue" -ex "bt 2" \
    -ex "detach" </dev/null >"$TMP/gdb2.log" 2>&1 &
gdb_pid=$!
STARTED_PIDS+=("$gdb_pid")
check "GDB resumes the guest" wait_log "$TMP/mux2.log" 'gdb: resumes the guest'
sleep 0.5
# To GDB itself: `timeout` would pass SIGINT on to its whole process group as
# well, and a second Ctrl-C makes GDB give up waiting and disconnect.
pkill -INT -P "$gdb_pid" -x gdb-multiarch
wait "$gdb_pid"
check "Ctrl-C interrupts the running guest" expect_in_order "$TMP/gdb2.log" <(cat <<'P'
^Program received signal SIGINT, Interrupt\.$
^#0  .* at test/os/kernel/
^\[Inferior 1 \(process 1\) detached\]$
P
)
gdb_via_mux "$TMP/gdb3.log" -ex "info registers pc" \
    -ex "shell timeout 60 gdb-multiarch -batch -nx -ex 'target remote 127.0.0.1:$MUX_PORT' >$TMP/second.log 2>&1" \
    -ex "print cpu.next_pid" -ex "detach"
check "re-attach after detach" log_has "$TMP/gdb3.log" '^pc +0x[0-9a-f]+	0x[0-9a-f]+ <'
check "a second client is refused with a reason" \
    log_has "$TMP/second.log" 'E\.rspmux: another GDB client is already connected'
check "the first client is not disturbed" log_has "$TMP/gdb3.log" '^\$1 = 2$'
check "rspmux exits cleanly after those sessions" stop_rspmux

finish
