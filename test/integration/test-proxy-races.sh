#!/usr/bin/env bash
# Races between clients that GDB alone does not produce, driven by a raw
# client (proxy_races.py), plus SIGTERM with a silent refused client.
source "$(dirname "$0")/lib.sh"

# The guest idles at its shell: the timer interrupt enters kernel_trap every 10 ms.
start_qemu_gdb "$TMP/qemu.log" || finish
start_rspmux "$TMP/mux.log" --qemu "$GDB_PORT" --kernel "$KERNEL" -v || finish
races() { timeout 60 python3 test/integration/proxy_races.py "$MUX_PORT" "$@"; }

check "a client arriving 1 ms after a running one vanished is answered" races handover
check "a refused client's 0x03 does not stop the first client's guest" races refused
check "a breakpoint whose Z was in flight when its client vanished is removed" \
    races z-inflight "$(symbol_address "$KERNEL" kernel_trap)"

# SIGTERM while a refused client sits silent: rspmux still ends, and soon.
python3 -c 'import socket, sys, time
a = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
b = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(20)' "$MUX_PORT" &
STARTED_PIDS+=("$!")
sleep 0.5
kill -TERM "$MUX_PID"
for i in $(seq 50); do kill -0 "$MUX_PID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM ends rspmux within 5 s even with silent clients" bash -c "! kill -0 $MUX_PID 2>/dev/null"
check "... cleanly" stop_rspmux

finish
