#!/usr/bin/env bash
# Runs every test and ends with the line "N passed, N failed" (exit 1 on any
# failure). Expects `make all unit-tests fuzz` to have run (make test does).
#   unit         build/san/unit/test-*   cmocka under ASan+UBSan; each case counts
#   fuzz         build/fuzz/fuzz-*       libFuzzer for FUZZ_SECONDS (default 10) each
#   integration  test/integration/test-*.sh   real QEMU and gdb-multiarch; each
#                                        "ok -"/"not ok -" line counts
# Logs go to build/test-logs/. TESTS="regex" runs only matching suites.
set -u
cd "$(dirname "$0")/.."

LOGS=build/test-logs
mkdir -p "$LOGS"
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
passed=0
failed=0
failures=()

pass() { passed=$((passed + $1)); }
fail() {
    failed=$((failed + $1))
    failures+=("$2")
}
selected() { [[ -z "${TESTS:-}" || "$1" =~ $TESTS ]]; }

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)...".
run_unit() {
    local bin=$1 name log p f rc
    name=unit/$(basename "$bin")
    log="$LOGS/$(basename "$bin").log"
    RSPMUX_TEST_DTB=build/test/virt.dtb RSPMUX_TEST_ELF=build/os/user/compute.elf \
        timeout 300 "$bin" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    pass "${p:-0}"
    if [[ -n "$f" && "$f" -gt 0 ]]; then
        fail "$f" "$name ($f failed; see $log)"
    elif [[ $rc -ne 0 || -z "$p" ]]; then
        fail 1 "$name (exit $rc; see $log)"
    fi
    echo "  $name: ${p:-0} passed, ${f:-0} failed"
}

run_fuzz() {
    local bin=$1 name corpus work log rc
    name=fuzz/$(basename "$bin")
    corpus=test/fuzz/corpus/${name#fuzz/fuzz-}
    log="$LOGS/$(basename "$bin").log"
    work=$(mktemp -d)
    timeout $((FUZZ_SECONDS + 120)) "$bin" -max_total_time="$FUZZ_SECONDS" \
        -artifact_prefix=build/fuzz/ "$work" "$corpus" >"$log" 2>&1
    rc=$?
    rm -rf "$work"
    if [[ $rc -eq 0 ]]; then
        pass 1
        echo "  $name: ok ($(grep -o 'Done [0-9]* runs' "$log" | tail -1))"
    else
        fail 1 "$name (exit $rc; see $log)"
        echo "  $name: FAILED"
    fi
}

run_integration() {
    local script=$1 name log rc p f
    name=integration/$(basename "$script" .sh)
    log="$LOGS/$(basename "$script" .sh).log"
    timeout 900 bash "$script" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok - ' "$log")
    f=$(grep -c '^not ok - ' "$log")
    pass "$p"
    if [[ $f -gt 0 ]]; then
        fail "$f" "$name: $(grep '^not ok - ' "$log" | head -3 | tr '\n' ' ')(see $log)"
    elif [[ $rc -ne 0 ]]; then
        fail 1 "$name (exit $rc without a failed check; see $log)"
    fi
    echo "  $name: $p passed, $f failed"
}

echo "unit tests (ASan+UBSan):"
for bin in build/san/unit/test-*; do
    [[ -x "$bin" ]] && selected "unit/$(basename "$bin")" && run_unit "$bin"
done
echo "fuzzers (${FUZZ_SECONDS}s each):"
for bin in build/fuzz/fuzz-*; do
    [[ -x "$bin" ]] && selected "fuzz/$(basename "$bin")" && run_fuzz "$bin"
done
echo "integration tests (QEMU, gdb-multiarch):"
for script in test/integration/test-*.sh; do
    selected "integration/$(basename "$script" .sh)" && run_integration "$script"
done

if [[ ${#failures[@]} -gt 0 ]]; then
    echo "failures:"
    printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
