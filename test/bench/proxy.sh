#!/usr/bin/env bash
# The same GDB batch workload (test/bench/proxy-workload.gdb) straight
# against QEMU's gdbstub and through rspmux, alternating, RUNS times each in
# one run; prints each median and the ratio (target: at most 1.10).
source "$(dirname "$0")/../integration/lib.sh"
RUNS=${RUNS:-5}
RSPMUX=build/rspmux   # the optimised build, not the sanitizer one

workload() {  # PORT [FILE]: prints the workload's milliseconds
    timeout 300 "${GDB[@]}" "${@:2}" -ex "target remote 127.0.0.1:$1" \
        -x test/bench/proxy-workload.gdb </dev/null 2>&1 | sed -n 's/^workload-ms //p'
}

run_direct() {
    start_qemu_gdb "$TMP/q.log" || return 1
    workload "$GDB_PORT" "$KERNEL"
    kill "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null
}

run_proxy() {
    start_qemu_gdb "$TMP/q.log" || return 1
    start_rspmux "$TMP/mux.log" --qemu "$GDB_PORT" --kernel "$KERNEL" -q || return 1
    workload "$MUX_PORT"
    kill "$MUX_PID" "$QEMU_PID" 2>/dev/null; wait "$MUX_PID" "$QEMU_PID" 2>/dev/null
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$TMP/direct"; : >"$TMP/proxy"
for i in $(seq "$RUNS"); do
    run_direct >>"$TMP/direct"
    run_proxy >>"$TMP/proxy"
done
d=$(median <"$TMP/direct"); p=$(median <"$TMP/proxy")
if [[ -z "$d" || -z "$p" ]]; then
    echo "bench: proxy overhead: a run failed (direct: $(tr '\n' ' ' <"$TMP/direct"), proxy: $(tr '\n' ' ' <"$TMP/proxy"))"
    exit 1
fi
echo "bench: 1000 stepi + 2000 x 256-byte reads: direct median $d ms, through rspmux median $p ms, ratio $(awk -v a="$p" -v b="$d" 'BEGIN { printf "%.3f", a / b }') (target <= 1.10; $RUNS runs each, alternating)"
