#!/usr/bin/env bash
# The cost of address-space switching: one syscall-heavy guest workload run
# through rspmux with GDB attached (configs/rspmux.gdb), with no breakpoints,
# and with breakpoints in two user programs that are never hit, both resident
# (the default, "swap_groups": "on_conflict") and swapped at every context
# switch ("always": every switch followed by the hooks); alternating, RUNS
# times each. Prints the medians, the extra time per context switch (the
# switches are counted by the "always" runs) and the gdbstub round trips per
# switch (target: <= 300 us per switch).
source "$(dirname "$0")/../integration/lib.sh"
RUNS=${RUNS:-5}
RSPMUX=build/rspmux   # the optimised build, not the sanitizer one
WORKLOAD="test; syscalls 3000; sleeper; forker"
# Lines that never run (error paths) in two programs of the workload.
BP1="syscalls.c:$(grep -n 'got a wrong answer' test/os/user/syscalls.c | cut -d: -f1)"
BP2="forker.c:$(grep -n 'fork failed' test/os/user/forker.c | cut -d: -f1)"

echo '{ "user": { "swap_groups": "always" } }' >"$TMP/always.json"
printf 'set $n = 0\nwhile $n < 100\n  inferior 1\n  continue\n  set $n = $n + 1\nend\n' >"$TMP/run.gdb"

run() {  # none|resident|always: prints "ms switches round_trips guest_us_per_syscall false_hits"
    local bps=() cfg=(-c configs/demo-os.json) t0 t1
    [[ $1 != none ]] && bps=(-ex "break $BP1" -ex "break $BP2")
    [[ $1 == always ]] && cfg=(--preset demo-os -c "$TMP/always.json")
    start_qemu_gdb "$TMP/q.log" -append "$WORKLOAD" || return 1
    start_rspmux "$TMP/mux.log" "${cfg[@]}" --qemu "$GDB_PORT" || return 1
    # GDB stops at each process exit: continue until the guest powers off
    # (the last continue fails and ends the script); the end is QEMU's exit.
    timeout 300 "${GDB[@]}" -x configs/rspmux.gdb -ex "target remote 127.0.0.1:$MUX_PORT" \
        "${bps[@]}" -ex "shell date +%s%N >$TMP/t0" -x "$TMP/run.gdb" </dev/null >"$TMP/gdb.log" 2>&1 &
    wait "$QEMU_PID" 2>/dev/null
    date +%s%N >"$TMP/t1"
    wait $! 2>/dev/null
    kill -TERM "$MUX_PID" 2>/dev/null; wait "$MUX_PID" 2>/dev/null
    grep -q 'forker: 3 forked' "$TMP/q.log" || { echo "bench: the workload failed" >&2; return 1; }
    t0=$(cat "$TMP/t0"); t1=$(cat "$TMP/t1")
    local sw rt fh us
    read -r sw rt fh < <(sed -n 's/.*router: \([0-9]*\) switches, [0-9]* hook stops, [0-9]* stops for GDB, \([0-9]*\) gdbstub round trips, \([0-9]*\) false hits.*/\1 \2 \3/p' "$TMP/mux.log")
    us=$(tr -d '\r' <"$TMP/q.log" | sed -n 's/^syscalls: made \([0-9]*\) system calls in \([0-9]*\) us$/\1 \2/p' |
         awk '{ printf "%.2f", $2 / $1 }')
    echo "$(( (t1 - t0) / 1000000 )) $sw $rt $us $fh"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$TMP/none"; : >"$TMP/resident"; : >"$TMP/always"
for i in $(seq "$RUNS"); do
    for mode in none resident always; do
        run "$mode" >>"$TMP/$mode" || exit 1
    done
done
col() { awk -v c="$1" '{ print $c }' "$2" | median; }
t_none=$(col 1 "$TMP/none"); t_res=$(col 1 "$TMP/resident"); t_alw=$(col 1 "$TMP/always")
sw=$(col 2 "$TMP/always"); rt_none=$(col 3 "$TMP/none"); rt_res=$(col 3 "$TMP/resident")
rt_alw=$(col 3 "$TMP/always"); fh=$(col 5 "$TMP/resident")
us_none=$(col 4 "$TMP/none"); us_res=$(col 4 "$TMP/resident"); us_alw=$(col 4 "$TMP/always")
echo "bench: address spaces: workload '$WORKLOAD' through rspmux, $sw context switches between processes: no breakpoints median $t_none ms; breakpoints in 2 programs (not hit) resident median $t_res ms ($fh false hits), swapped at every switch median $t_alw ms"
awk -v n="$t_none" -v a="$t_res" -v b="$t_alw" -v s="$sw" -v r0="$rt_none" -v ra="$rt_res" -v rb="$rt_alw" \
    -v u0="$us_none" -v ua="$us_res" -v ub="$us_alw" 'BEGIN {
    if (s > 0) {
        printf "bench: address spaces: resident breakpoints (default): %.0f us per switch (target <= 300), %.2f gdbstub round trips per switch\n", (a - n) * 1000 / s, (ra - r0) / s
        printf "bench: address spaces: swapped at every switch (\"always\"): %.0f us per switch, %.1f gdbstub round trips per switch\n", (b - n) * 1000 / s, (rb - r0) / s
    }
    printf "bench: address spaces: syscalls program, us per call (rounds of getpid, get_time and yield; each yield is a switch through the scheduler): %s resident, %s swapped, %s without breakpoints (ratios %.2f, %.2f)\n", ua, ub, u0, ua / u0, ub / u0
}'
