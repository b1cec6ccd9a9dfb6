#!/usr/bin/env bash
# rspmux under faults: GDB killed while the guest runs with breakpoints in
# QEMU; QEMU killed while GDB waits; QEMU coming back on the same port.
source "$(dirname "$0")/lib.sh"

# --- GDB killed mid-session ------------------------------------------------
# The guest idles at its shell prompt (console on a FIFO, so we can type).
QPORT=$(free_port)
start_console "$TMP/console.log" timeout 300 "${QEMU[@]}" -gdb "tcp:127.0.0.1:$QPORT"
check "the guest boots to its shell" wait_for "Type 'help' for commands"
start_rspmux "$TMP/mux1.log" --qemu "$QPORT" --kernel "$KERNEL" -v || finish
timeout 60 "${GDB[@]}" -ex "target remote 127.0.0.1:$MUX_PORT" -ex "break sys_spawn" \
    -ex "watch cpu.next_pid" -ex "continue" </dev/null >"$TMP/gdb1.log" 2>&1 &
gdb_pid=$!
STARTED_PIDS+=("$gdb_pid")
check "GDB resumes with a breakpoint and a watchpoint inserted" \
    wait_log "$TMP/mux1.log" 'gdb: resumes the guest'
pkill -KILL -P "$gdb_pid" -x gdb-multiarch
check "rspmux removes the breakpoints the dead client left" \
    wait_log "$TMP/mux1.log" 'removed 2 breakpoints the client left in QEMU'
# With either still in QEMU the guest would stop in sys_spawn and print nothing.
printf 'compute 100\n' >&3
check "the guest keeps running, free of the dead client's breakpoints" \
    wait_for '^compute: 25 primes below 100 '
gdb_via_mux "$TMP/gdb2.log" -ex "monitor status" -ex "info registers pc" -ex "detach"
check "the next client attaches and finds no breakpoints left" \
    log_has "$TMP/gdb2.log" '^  client    .*, 0 breakpoints inserted,'
check "... and a stopped guest" log_has "$TMP/gdb2.log" '^pc +0x[0-9a-f]+	0x[0-9a-f]+ <'
printf 'compute 200\n' >&3
check "after that client detaches the guest runs again" wait_for '^compute: 46 primes below 200 '

# --- QEMU killed mid-session -----------------------------------------------
timeout 60 "${GDB[@]}" -ex "target remote 127.0.0.1:$MUX_PORT" -ex "continue" -ex "info registers pc" \
    </dev/null >"$TMP/gdb3.log" 2>&1 &
gdb_pid=$!
STARTED_PIDS+=("$gdb_pid")
wait_log "$TMP/mux1.log" 'resumes the guest .*$' >/dev/null
sleep 0.5
# SIGKILL: QEMU gets no chance to send its own exit packet (it sends W00 on
# SIGTERM), so the reply GDB gets must come from rspmux.
pkill -KILL -P "$CONSOLE_PID" -f qemu-system-riscv64
wait "$gdb_pid"
gdb_status=$?
check "GDB waiting in continue gets an exit reply, not a hang" test "$gdb_status" -ne 124
check "GDB is told why" expect_in_order "$TMP/gdb3.log" <(cat <<'P'
rspmux: lost the connection to QEMU
^Program terminated with signal SIGKILL, Killed\.$
P
)
check "rspmux keeps running without QEMU" kill -0 "$MUX_PID"

# The same port again: rspmux reconnects by itself.
exec 3>&-
start_qemu_on_port() {
    timeout 300 "${QEMU[@]}" -gdb "tcp:127.0.0.1:$QPORT" </dev/null >"$TMP/qemu2.log" 2>&1 &
    STARTED_PIDS+=("$!")
}
start_qemu_on_port
check "rspmux reconnects when QEMU is back" \
    wait_log "$TMP/mux1.log" "connected to QEMU at 127.0.0.1:$QPORT .*" 
gdb_via_mux "$TMP/gdb4.log" -ex "info registers pc" -ex "monitor status" -ex "detach"
check "a new client debugs the new QEMU" log_has "$TMP/gdb4.log" '^pc +0x[0-9a-f]+	0x[0-9a-f]+'
check "... which is rspmux's second connection to QEMU" \
    log_has "$TMP/gdb4.log" '^ +2 connects, 1 lost, '
check "rspmux exits cleanly after all that" stop_rspmux

finish
