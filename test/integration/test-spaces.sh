#!/usr/bin/env bash
# Address spaces through rspmux, with the real demo kernel in QEMU and
# gdb-multiarch: every user address space is a GDB process; a breakpoint in
# one program never stops another at the same address; kernel breakpoints
# fire for every process; memory of a process that is not on the CPU is
# read through its page table; stepping crosses the kernel/user boundary;
# processes that exit are reported; one program may run as several processes;
# Ctrl-C, detach and a killed GDB while the hooks follow every switch.
source "$(dirname "$0")/lib.sh"

USER_MAIN=$(symbol_address "$USER_DIR/compute.elf" main)
[[ "$USER_MAIN" == "$(symbol_address "$USER_DIR/syscalls.elf" main)" ]] ||
    { not_ok "compute and syscalls have main at one address" "$USER_MAIN"; finish; }
ok "compute and syscalls have main at one address ($USER_MAIN)"

# The first ecall of syscalls (in ulib's wrapper), and the instruction after it.
ECALL=$(riscv64-unknown-elf-objdump -d "$USER_DIR/syscalls.elf" |
        awk '/\tecall/ { sub(":", "", $1); print "0x" $1; exit }')
AFTER_ECALL=$(printf '0x%x' $((ECALL + 4)))

# --- 1: compute, then syscalls; a breakpoint on syscalls' main ----------------
start_qemu_gdb "$TMP/qemu1.log" -append "test; compute 5; syscalls" || finish
start_rspmux "$TMP/mux1.log" -c configs/demo-os.json --qemu "$GDB_PORT" ${MUX_VERBOSE:--v} || finish
cat >"$TMP/s1.gdb" <<EOF
source configs/rspmux.gdb
target remote 127.0.0.1:$MUX_PORT
break sys_write
commands
  silent
  printf "sys_write from %s\n", cpu.current->name
  continue
end
break syscalls.c:main
continue
# compute's exit (a stop of its own), then syscalls' main
inferior 1
continue
printf "B stopped in inferior %d\n", \$_inferior
info inferiors
shell grep -c 'primes below 5' $TMP/qemu1.log
# memory of a process that is not on the CPU: init sleeps in waitpid
inferior 2
printf "init says: %s\n", default_tests
bt
# the kernel's memory while the CPU is in user mode
inferior 1
print cpu.current->name
inferior 3
# a kernel breakpoint, hit from syscalls, with kernel frames
delete 1
break sys_write
continue
bt
print cpu.current->name
delete
# step into a system call and back out
inferior 3
break *$ECALL
inferior 1
continue
printf "at ecall: pc=%#lx in inferior %d\n", \$pc, \$_inferior
delete
stepi
printf "after stepi: inferior %d\n", \$_inferior
bt 1
break trap_return
continue
finish
printf "back in user mode: pc=%#lx in inferior %d\n", \$pc, \$_inferior
monitor spaces
delete
continue
EOF
timeout 180 "${GDB[@]}" -x "$TMP/s1.gdb" </dev/null >"$TMP/gdb1.log" 2>&1
check "new processes are announced and get their program" expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^\[New inferior 2\]$
^process 2 is executing new program: .*/build/os/user/init\.elf$
^\[New inferior 3\]$
^process 3 is executing new program: .*/build/os/user/compute\.elf$
P
)
check "a kernel breakpoint fires for every process" expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^sys_write from init$
^sys_write from compute$
P
)
check "a breakpoint on syscalls' main stops in syscalls, after compute ran to its end" \
    expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^Thread 3\.[0-9]+ hit Breakpoint 2, main \(.*\) at test/os/user/syscalls\.c:[0-9]+$
^B stopped in inferior 3$
^\* 3 +process 4 .*/build/os/user/syscalls\.elf *$
^1$
P
)
check "compute never stopped at its main (same address)" \
    bash -c "! grep -q 'Breakpoint 2, main .* compute\.c' '$TMP/gdb1.log'"
check "memory of a sleeping process is read through its page table" \
    log_has "$TMP/gdb1.log" '^init says: compute; syscalls; sleeper; forker$'
check "a process in the kernel shows its user registers (trap frame): init waits" \
    expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^init says: 
^#0  (0x[0-9a-f]+ in )?syscall[0-9] \(
^#1  .*(spawn|waitpid) \(
^#2  .*work \(.*\) at test/os/user/init\.c:[0-9]+$
P
)
check "kernel memory is read while the CPU is in user mode" \
    log_has "$TMP/gdb1.log" '^\$1 = "syscalls\\000'
check "the kernel breakpoint from syscalls shows kernel frames" expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^Thread 1\.1 hit Breakpoint 3, sys_write \(.*\) at test/os/kernel/syscall\.c:[0-9]+$
^#0  sys_write \(
^#1  0x[0-9a-f]+ in syscall_dispatch \(
^#2  0x[0-9a-f]+ in trap_handler \(\) at test/os/kernel/trap\.c:[0-9]+$
^#3  0x[0-9a-f]+ in __user_trap \(\)
^\$2 = "syscalls\\000
P
)
check "stepi over ecall lands at the trap handler's first line" expect_in_order "$TMP/gdb1.log" <(cat <<P
^at ecall: pc=$ECALL in inferior 3\$
^after stepi: inferior 1\$
^#0  trap_handler \(\) at test/os/kernel/trap\.c:[0-9]+\$
P
)
check "finish out of the return path lands after the ecall" expect_in_order "$TMP/gdb1.log" <(cat <<P
^Thread 1\.1 hit Breakpoint 5, trap_return \(\) at test/os/kernel/trap\.c:[0-9]+\$
^\[Switching to Thread 4\.1\]\$
^syscall3 \(.*\) at test/os/user/ulib\.c:[0-9]+\$
^back in user mode: pc=$AFTER_ECALL in inferior 3\$
P
)
check "monitor spaces lists the processes" expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^pid +program +satp +state +bps
^1 +kernel +0x8[0-9a-f]+ +live
^2 +init +0x8[0-9a-f]+ +live
^3 +compute +0x8[0-9a-f]+ +exited
^4 +syscalls +0x8[0-9a-f]+ +live .*on CPU
^hooks: 
P
)
check "the guest runs to its end" wait_qemu_exit 0
# The sret that ends __restore, linked in kernel text, runs in the trampoline page.
SRET=$(riscv64-unknown-elf-objdump -d "$KERNEL" |
       awk '/<__restore>:/ { f = 1 } f && /\tsret/ { sub(":", "", $1); print "0x" $1; exit }')
check "hooks run at the trampoline's alias" log_has "$TMP/mux1.log" \
    "hook enter_user at 0x$(printf '%x' $((0xfffffffffffff000 + SRET - $(symbol_address "$KERNEL" strampoline))))\$"
check "processes are identified by fingerprint; an exit is found by its kernel stack" \
    expect_in_order "$TMP/mux1.log" <(cat <<'P'
new address space: process 2, init, satp 0x8
new address space: process 3, compute, satp 0x8
process 3 \(compute\) exits with code 0$
new address space: process 4, syscalls, satp 0x8
P
)
check "compute's exit stops GDB before syscalls starts" expect_in_order "$TMP/gdb1.log" <(cat <<'P'
^\[Inferior 3 \(process 3\) exited normally\]$
^process 4 is executing new program: .*/build/os/user/syscalls\.elf$
P
)
check "rspmux exits cleanly" stop_rspmux

# --- 2: forker: one program as several processes, exits, an exec --------------
start_qemu_gdb "$TMP/qemu2.log" -append "test; forker" || finish
start_rspmux "$TMP/mux2.log" -c configs/demo-os.json --qemu "$GDB_PORT" ${MUX_VERBOSE:--v} || finish
cat >"$TMP/s2.gdb" <<EOF
source configs/rspmux.gdb
target remote 127.0.0.1:$MUX_PORT
break forker.c:work
define hook-stop
  printf "stop in inferior %d\n", \$_inferior
  info inferiors
end
set \$n = 0
while \$n < 14
  inferior 1
  continue
  set \$n = \$n + 1
end
EOF
timeout 180 "${GDB[@]}" -x "$TMP/s2.gdb" </dev/null >"$TMP/gdb2.log" 2>&1
# The inferior of each stop at work(i): the "stop in inferior N" line before it.
awk '/^\* [0-9]+ +process / { inf = $4 }
     / hit Breakpoint [0-9.]+, work \(i=/ { i = $0; sub(/.*work \(i=(i@entry=)?/, "", i)
                                           sub(/[^0-9].*/, "", i); print i, inf }' \
    "$TMP/gdb2.log" >"$TMP/work-stops"
for i in 0 1 2; do
    check "forked child $i hits the breakpoint in its own process" grep -q "^$i " "$TMP/work-stops"
done
check "the three children are three processes (pids)" \
    test "$(awk '{ print $2 }' "$TMP/work-stops" | sort -u | wc -l)" -eq 3
check "one program runs as several processes at once" test "$(awk '
    /^stop in inferior/ { n = 0 } /forker\.elf/ { n++ } n > max { max = n } END { print max + 0 }' \
    "$TMP/gdb2.log")" -ge 3
for code in 0153 0320 065; do
    check "a child's exit is reported (code $code)" \
        log_has "$TMP/gdb2.log" "^\\[Inferior [0-9]+ \\(process [0-9]+\\) exited with code $code\\]\$"
done
check "the exec'd child appears as compute" log_has "$TMP/gdb2.log" \
    '^process [0-9]+ is executing new program: .*/build/os/user/compute\.elf$'
check "forker passed" log_has "$TMP/qemu2.log" '^forker: 3 forked children returned their own results'
check "the guest runs to its end" wait_qemu_exit 0
check "rspmux exits cleanly" stop_rspmux

# --- 3: GDB's defaults (schedule-multiple off): a hint, and never a hang -------
start_qemu_gdb "$TMP/qemu3.log" -append "test; compute 5" || finish
start_rspmux "$TMP/mux3.log" -c configs/demo-os.json --qemu "$GDB_PORT" ${MUX_VERBOSE:--v} || finish
# finish out of the return path lands in user mode: GDB meets init there.
timeout 120 "${GDB[@]}" -ex "target remote 127.0.0.1:$MUX_PORT" -ex "break trap_return" \
    -ex "continue" -ex "finish" -ex "info inferiors" -ex "break work" -ex "inferior 1" \
    -ex "delete 1" -ex "continue" -ex "info inferiors" </dev/null >"$TMP/gdb3.log" 2>&1
check "GDB finished without hanging" test $? -ne 124
check "the kernel breakpoint stops in the kernel" \
    log_has "$TMP/gdb3.log" '^(Thread 1\.1 hit )?Breakpoint 1, trap_return \(\)'
check "finish out of the return path stops in the new process" \
    log_has "$TMP/gdb3.log" '^\* 2 +process 2 .*/build/os/user/init\.elf'
check "rspmux explains why the process's breakpoint sleeps" \
    log_has "$TMP/gdb3.log" '^rspmux: GDB resumed only one process \(schedule-multiple is off\)'
check "the breakpoint in init did not stop the kernel-only resume" \
    bash -c "! grep -q 'Breakpoint 2, work' '$TMP/gdb3.log'"
check "the guest runs to its end" wait_qemu_exit 0
check "rspmux exits cleanly" stop_rspmux

# --- 4: identified by a kernel variable (the demo kernel's current_pid) -------
# syscalls gets the page table compute freed, so satp alone would take it for
# compute after an exec; the variable tells them apart.
cat >"$TMP/variable.json" <<'EOF'
{ "user": { "identify": "variable", "variable": { "symbol": "current_pid", "size": 4 } } }
EOF
start_qemu_gdb "$TMP/qemu4.log" -append "test; compute 5; syscalls" || finish
start_rspmux "$TMP/mux4.log" --preset demo-os -c "$TMP/variable.json" --qemu "$GDB_PORT" \
    ${MUX_VERBOSE:--v} || finish
timeout 120 "${GDB[@]}" -x configs/rspmux.gdb -ex "target remote 127.0.0.1:$MUX_PORT" \
    -ex "break syscalls.c:main" -ex "continue" -ex "inferior 1" -ex "continue" -ex "print \$_inferior" -ex "inferior 1" \
    -ex "print current_pid" -ex "delete" -ex "continue" </dev/null >"$TMP/gdb4.log" 2>&1
check "spaces are keyed by the kernel's pid" expect_in_order "$TMP/mux4.log" <(cat <<'P'
new address space: process 2, init, satp 0x8[0-9a-f]+, current_pid 1$
new address space: process 3, compute, satp 0x8[0-9a-f]+, current_pid 2$
new address space: process 4, syscalls, satp 0x8[0-9a-f]+, current_pid 3$
P
)
check "no process is taken for another" bash -c "! grep -q ' is gone: satp' '$TMP/mux4.log'"
check "the guest runs to its end" wait_qemu_exit 0
check "rspmux exits cleanly" stop_rspmux

# --- 5: Ctrl-C while rspmux follows every switch; detach -----------------------
# "swap_groups": "always": every user group is swapped at every switch.
cat >"$TMP/always.json" <<'EOF'
{ "user": { "swap_groups": "always" } }
EOF
start_qemu_gdb "$TMP/qemu5.log" -append "test; syscalls 20000; sleeper" || finish
start_rspmux "$TMP/mux5.log" --preset demo-os -c "$TMP/always.json" --qemu "$GDB_PORT" \
    ${MUX_VERBOSE:--v} || finish
# A breakpoint on a line that never runs keeps the hooks busy at every switch.
NEVER="syscalls.c:$(grep -n 'got a wrong answer' test/os/user/syscalls.c | cut -d: -f1)"
timeout 120 "${GDB[@]}" -x configs/rspmux.gdb -ex "target remote 127.0.0.1:$MUX_PORT" \
    -ex "break $NEVER" -ex "continue" -ex "info threads" -ex "monitor spaces" -ex "detach" \
    </dev/null >"$TMP/gdb5.log" 2>&1 &
gdb_pid=$!
STARTED_PIDS+=("$gdb_pid")
check "the guest runs with the hooks following switches" \
    wait_log "$TMP/mux5.log" 'new address space: process 3, syscalls'
sleep 1
pkill -INT -P "$gdb_pid" -x gdb-multiarch
wait "$gdb_pid"
check "Ctrl-C stops the guest, whatever the hooks were doing" \
    log_has "$TMP/gdb5.log" 'received signal SIGINT, Interrupt\.$'
check "the stop names a live process" log_has "$TMP/gdb5.log" '^\* [0-9.]+ +Thread [0-9]+\.1 \('
check "rspmux followed switches before the interrupt" \
    log_has "$TMP/gdb5.log" '^hooks: [a-z]+; [1-9][0-9]* switches'
check "after detach the guest runs to its end" wait_qemu_exit 0
check "rspmux exits cleanly" stop_rspmux

# --- 6: GDB killed while the hooks follow every switch ---------------------------
start_qemu_gdb "$TMP/qemu6.log" -append "test; syscalls 20000; sleeper" || finish
start_rspmux "$TMP/mux6.log" --preset demo-os -c "$TMP/always.json" --qemu "$GDB_PORT" \
    ${MUX_VERBOSE:--v} || finish
timeout 120 "${GDB[@]}" -x configs/rspmux.gdb -ex "target remote 127.0.0.1:$MUX_PORT" \
    -ex "break $NEVER" -ex "continue" </dev/null >"$TMP/gdb6.log" 2>&1 &
gdb_pid=$!
STARTED_PIDS+=("$gdb_pid")
check "the hooks follow switches for the doomed client" \
    wait_log "$TMP/mux6.log" 'new address space: process 3, syscalls'
sleep 1
pkill -KILL -P "$gdb_pid" -x gdb-multiarch
wait "$gdb_pid" 2>/dev/null
check "rspmux removes what the dead client left, its breakpoint and the hooks" \
    wait_log "$TMP/mux6.log" 'removed 1 breakpoint the client left in QEMU'
check "the guest runs on to its end, followed by nobody" wait_qemu_exit 0
check "rspmux exits cleanly" stop_rspmux
check "the breakpoint stops syscalls, whose pid the kernel agrees on" \
    expect_in_order "$TMP/gdb4.log" <(cat <<'P'
^Thread 3\.[0-9]+ hit Breakpoint 1, main \(.*\) at test/os/user/syscalls\.c:[0-9]+$
^\$1 = 3$
^\$2 = 3$
P
)
check "the guest runs to its end" wait_qemu_exit 0
check "rspmux exits cleanly" stop_rspmux

finish
