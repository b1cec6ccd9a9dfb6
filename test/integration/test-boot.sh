#!/usr/bin/env bash
# The demo kernel boots in QEMU, runs its test list, and powers off with the
# right status; user faults kill only the faulting process; memory is returned.
source "$(dirname "$0")/lib.sh"

# free_pages_balanced LOG: the free-page count at power-off equals the one
# after init started (every page a process took was given back).
free_pages_balanced() {
    local start end
    start=$(tr -d '\r' <"$1" | sed -n 's/^\[kernel\] init started, \([0-9]*\) free pages$/\1/p')
    end=$(tr -d '\r' <"$1" | sed -n 's/^\[kernel\] init exited with code .*, \([0-9]*\) free pages, powering off$/\1/p')
    [[ -n "$start" && "$start" == "$end" ]] || { echo "free pages: $start at start, $end at end" >&2; return 1; }
}

run_qemu "$TMP/test.log" 60 -append "test"
check "test mode exits 0" test "$QEMU_STATUS" -eq 0
check "test mode prints every expected line" expect_in_order "$TMP/test.log" test/os/expected/test-mode.txt
check "test mode returns every page" free_pages_balanced "$TMP/test.log"

run_qemu "$TMP/crash.log" 60 -append "test; crash; compute 100"
check "a failing program makes QEMU exit 1" test "$QEMU_STATUS" -eq 1
check "a user fault is reported" log_has "$TMP/crash.log" \
    '^\[kernel\] pid 2 \(crash\) killed: store page fault at pc 0x[0-9a-f]+, stval 0x0$'
check "init reports the fault as exit code -15" log_has "$TMP/crash.log" '^init: crash exited with code -15$'
check "the kernel survives a user fault" log_has "$TMP/crash.log" '^compute: 25 primes below 100 '
check "init counts the failure" log_has "$TMP/crash.log" '^init: 1 of 2 programs failed$'
check "a killed process returns its pages" free_pages_balanced "$TMP/crash.log"

run_qemu "$TMP/many.log" 120 -append "test; forker; forker; syscalls 200; forker; nosuch"
check "an unknown program fails the list" log_has "$TMP/many.log" "^init: cannot run 'nosuch' \(try 'help'\)$"
check "repeated fork/exec/exit returns every page" free_pages_balanced "$TMP/many.log"

# 15 runs of forker each orphan a process: without init reaping them, the
# 16 task slots run out.
run_qemu "$TMP/orphans.log" 120 -append "test$(printf '; forker%.0s' $(seq 15))"
check "init reaps orphans, so task slots never run out" log_has "$TMP/orphans.log" '^init: all 15 programs passed$'

run_qemu "$TMP/off.log" 60 -append "test; poweroff 256"
check "an exit status of 256 still powers off as a failure" test "$QEMU_STATUS" -eq 1

run_qemu "$TMP/mem.log" 60 -m 256M -append "test; compute 100"
check "RAM size comes from the device tree" log_has "$TMP/mem.log" '^\[kernel\] .*RAM up to 0x90000000,'
check "boots with 256 MiB" test "$QEMU_STATUS" -eq 0

finish
