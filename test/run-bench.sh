#!/usr/bin/env bash
# Runs the benchmarks. Each prints a median over repeated runs in one
# session; compare figures as ratios measured side by side, never across runs.
#   boot      QEMU start to the shell prompt, and to power-off in test mode
#   syscalls  the guest's own timing of 30000 short system calls
#   proxy     a GDB workload straight to QEMU and through rspmux (test/bench/proxy.sh)
#   spaces    following address-space switches: cost per switch, round trips (test/bench/spaces.sh)
#   agent     build/bench/bench-*: the eBPF interpreter and maps, on the host
set -u
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
QEMU=(qemu-system-riscv64 -machine virt -nographic -bios default -kernel build/os/kernel.elf)

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ms() { date +%s%3N; }

# ms from QEMU start until the console prints the shell's banner.
boot_to_shell_ms() {
    local log start i
    log=$(mktemp)
    start=$(now_ms)
    timeout 60 "${QEMU[@]}" </dev/null >"$log" 2>&1 &
    local pid=$!
    for i in $(seq 6000); do
        grep -q "Type 'help'" "$log" && break
        sleep 0.01
    done
    echo $(($(now_ms) - start))
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$log"
}

test_mode_ms() {
    local start
    start=$(now_ms)
    timeout 60 "${QEMU[@]}" -append "test" </dev/null >/dev/null 2>&1
    echo $(($(now_ms) - start))
}

syscall_us() {
    timeout 120 "${QEMU[@]}" -append "test; syscalls 10000" </dev/null 2>&1 |
        tr -d '\r' | sed -n 's/^syscalls: made \([0-9]*\) system calls in \([0-9]*\) us$/\1 \2/p' |
        awk '{ printf "%.2f\n", $2 / $1 }'
}

echo "bench: boot to shell prompt   median $(for _ in $(seq "$RUNS"); do boot_to_shell_ms; done | median) ms ($RUNS runs)"
echo "bench: test mode, boot to off median $(for _ in $(seq "$RUNS"); do test_mode_ms; done | median) ms ($RUNS runs)"
echo "bench: guest system call      median $(for _ in $(seq "$RUNS"); do syscall_us; done | median) us per call ($RUNS runs of 30000 calls)"
bash test/bench/proxy.sh
bash test/bench/spaces.sh
# Host benchmarks of the target agent (build/bench/bench-*: eBPF VM, maps).
for b in build/bench/bench-*; do
    [[ -x "$b" ]] && "$b"
done
