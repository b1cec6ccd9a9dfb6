#!/usr/bin/env bash
# The cost of address-space switching: one syscall-heavy guest workload run
# through rspmux with GDB attached (configs/rspmux.gdb), with no breakpoints
# and with breakpoints in two user programs that are never hit (so every
# context switch between processes is followed by the hooks), alternating,
# RUNS times each. Prints the medians, the extra time per switch and the
# gdbstub round trips per switch (target: <= 300 us per switch).
source "$(dirname "$0")/../integration/lib.sh"
RUNS=${RUNS:-5}
RSPMUX=build/rspmux   # the optimised build, not the sanitizer one
WORKLOAD="test; syscalls 3000; sleeper; forker"
# Lines that never run (error paths) in two programs of the workload.
BP1="syscalls.c:$(grep -n 'got a wrong answer' test/os/user/syscalls.c | cut -d: -f1)"
BP2="forker.c:$(grep -n 'fork failed' test/os/user/forker.c | cut -d: -f1)"

run() {  # with_breakpoints(0|1): prints "ms switches round_trips guest_us_per_syscall"
    local bps=() t0 t1
    [[ $1 == 1 ]] && bps=(-ex "break $BP1" -ex "break $BP2")
    start_qemu_gdb "$TMP/q.log" -append "$WORKLOAD" || return 1
    start_rspmux "$TMP/mux.log" -c configs/demo-os.json --qemu "$GDB_PORT" || return 1
    timeout 300 "${GDB[@]}" -x configs/rspmux.gdb -ex "target remote 127.0.0.1:$MUX_PORT" \
        "${bps[@]}" -ex "shell date +%s%N >$TMP/t0" -ex "continue" \
        -ex "shell date +%s%N >$TMP/t1" </dev/null >"$TMP/gdb.log" 2>&1
    wait "$QEMU_PID" 2>/dev/null
    kill -TERM "$MUX_PID" 2>/dev/null; wait "$MUX_PID" 2>/dev/null
    grep -q 'forker: 3 forked' "$TMP/q.log" || { echo "bench: the workload failed" >&2; return 1; }
    t0=$(cat "$TMP/t0"); t1=$(cat "$TMP/t1")
    local stats us
    stats=$(sed -n 's/.*router: \([0-9]*\) switches, [0-9]* hook stops, [0-9]* stops for GDB, \([0-9]*\) gdbstub round trips.*/\1 \2/p' "$TMP/mux.log")
    us=$(tr -d '\r' <"$TMP/q.log" | sed -n 's/^syscalls: made \([0-9]*\) system calls in \([0-9]*\) us$/\1 \2/p' |
         awk '{ printf "%.2f", $2 / $1 }')
    echo "$(( (t1 - t0) / 1000000 )) $stats $us"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$TMP/none"; : >"$TMP/bps"
for i in $(seq "$RUNS"); do
    run 0 >>"$TMP/none" || exit 1
    run 1 >>"$TMP/bps" || exit 1
done
col() { awk -v c="$1" '{ print $c }' "$2" | median; }
t_none=$(col 1 "$TMP/none"); t_bps=$(col 1 "$TMP/bps")
sw=$(col 2 "$TMP/bps"); rt_none=$(col 3 "$TMP/none"); rt_bps=$(col 3 "$TMP/bps")
us_none=$(col 4 "$TMP/none"); us_bps=$(col 4 "$TMP/bps")
echo "bench: address spaces: workload '$WORKLOAD' through rspmux: no breakpoints median $t_none ms; breakpoints in 2 programs (not hit) median $t_bps ms; $sw switches followed"
awk -v a="$t_bps" -v b="$t_none" -v s="$sw" -v ra="$rt_bps" -v rb="$rt_none" -v ua="$us_bps" -v ub="$us_none" 'BEGIN {
    if (s > 0) printf "bench: address spaces: %.0f us per switch (target <= 300), %.1f gdbstub round trips per switch\n", (a - b) * 1000 / s, (ra - rb) / s
    printf "bench: address spaces: syscalls program, us per call (rounds of getpid, get_time and yield; each yield is a switch through the scheduler): %s with user breakpoints vs %s without (ratio %.2f)\n", ua, ub, ua / ub
}'
