# Shared helpers for the integration tests (sourced, not run).
#
# Each test script prints one line per check, "ok - NAME" or "not ok - NAME:
# why", which test/run-tests.sh counts. Scripts start only their own QEMU and
# GDB processes, on free loopback ports, each under a timeout, and kill
# exactly those at exit.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
KERNEL=build/os/kernel.elf
USER_DIR=build/os/user
QEMU=(qemu-system-riscv64 -machine virt -nographic -bios default -kernel "$KERNEL")
GDB=(gdb-multiarch -batch -nx -ex "set confirm off" -ex "set pagination off")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rspmux-test.XXXXXX")
STARTED_PIDS=()
FAILURES=0

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${STARTED_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    [[ -n "${KEEP_TMP:-}" ]] || rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok - $1"; }
not_ok() {
    echo "not ok - $1: $2"
    FAILURES=$((FAILURES + 1))
}
# check NAME COMMAND...: ok if the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
finish() { exit $((FAILURES > 0)); }

# Shows a log's tail on stderr so a failure explains itself.
show_log() { echo "--- $1 (last 30 lines) ---" >&2; tail -n 30 "$1" | tr -d '\r' >&2; }

# expect_in_order LOG PATTERN_FILE: every line of PATTERN_FILE (an extended
# regex; blank lines and # comments skipped) matches a line of LOG, in order.
expect_in_order() {
    local log=$1 patterns=$2 line=0 pat n
    while IFS= read -r pat; do
        [[ -z "$pat" || "$pat" == \#* ]] && continue
        n=$(tr -d '\r' <"$log" | tail -n +$((line + 1)) | grep -n -m1 -E -- "$pat" | cut -d: -f1)
        if [[ -z "$n" ]]; then
            echo "expected, in order after line $line: $pat" >&2
            show_log "$log"
            return 1
        fi
        line=$((line + n))
    done <"$patterns"
}

# log_has LOG REGEX
log_has() {
    if tr -d '\r' <"$1" | grep -q -E -- "$2"; then return 0; fi
    echo "no line matches: $2" >&2
    show_log "$1"
    return 1
}

# start_console LOG COMMAND...: runs COMMAND in the background with its
# stdin on a FIFO that fd 3 writes to (type at the console with >&3) and its
# output in LOG; sets CONSOLE_PID.
start_console() {
    local log=$1
    shift
    mkfifo "$TMP/console-in"
    "$@" <"$TMP/console-in" >"$log" 2>&1 &
    CONSOLE_PID=$!
    CONSOLE_LOG=$log
    STARTED_PIDS+=("$CONSOLE_PID")
    exec 3>"$TMP/console-in"
}

# wait_for REGEX: up to 30 s for the console to print a matching line.
wait_for() {
    local i
    for i in $(seq 300); do
        tr -d '\r' <"$CONSOLE_LOG" | grep -q -E -- "$1" && return 0
        kill -0 "$CONSOLE_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "console never printed: $1" >&2
    show_log "$CONSOLE_LOG"
    return 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# is_listening PORT: a TCP socket listens on PORT (read from /proc, because
# connecting to QEMU's gdbstub to find out would make QEMU resume the guest).
is_listening() {
    local hex
    hex=$(printf ':%04X ' "$1")
    grep -q -- "$hex[0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# run_qemu LOG TIMEOUT QEMU_ARGS...: boots to the end in the foreground
# (stdin closed); sets QEMU_STATUS to QEMU's exit status (124: timed out).
run_qemu() {
    local log=$1 limit=$2
    shift 2
    timeout "$limit" "${QEMU[@]}" "$@" </dev/null >"$log" 2>&1
    QEMU_STATUS=$?
}

# start_qemu_gdb LOG QEMU_ARGS...: starts QEMU halted with its gdbstub on a
# free port, in the background; sets GDB_PORT and QEMU_PID.
start_qemu_gdb() {
    local log=$1 try i
    shift
    for try in 1 2 3 4 5; do
        GDB_PORT=$(free_port)
        timeout 300 "${QEMU[@]}" -S -gdb "tcp:127.0.0.1:$GDB_PORT" "$@" </dev/null >"$log" 2>&1 &
        QEMU_PID=$!
        STARTED_PIDS+=("$QEMU_PID")
        for i in $(seq 100); do
            is_listening "$GDB_PORT" && return 0
            kill -0 "$QEMU_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$QEMU_PID" 2>/dev/null
    done
    echo "QEMU did not open its gdbstub" >&2
    show_log "$log"
    return 1
}

# wait_qemu_exit STATUS: the QEMU started by start_qemu_gdb exits, within
# 60 s, with STATUS.
wait_qemu_exit() {
    local i status
    for i in $(seq 600); do
        kill -0 "$QEMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    wait "$QEMU_PID"
    status=$?
    [[ $status -eq $1 ]] || { echo "QEMU exited with $status, not $1" >&2; return 1; }
}

# run_gdb LOG GDB_ARGS...: gdb-multiarch in batch mode, attached to GDB_PORT.
run_gdb() {
    local log=$1
    shift
    timeout 120 "${GDB[@]}" -ex "target remote 127.0.0.1:$GDB_PORT" "$@" </dev/null >"$log" 2>&1
}

# start_rspmux LOG ARGS...: the sanitizer build of rspmux on a free port, in
# the background, with ARGS (e.g. --qemu PORT); sets MUX_PORT and MUX_PID.
RSPMUX=${RSPMUX:-build/san/rspmux}
start_rspmux() {
    local log=$1 i
    shift
    MUX_PORT=$(free_port)
    "$RSPMUX" --listen "$MUX_PORT" "$@" 2>"$log" &
    MUX_PID=$!
    MUX_LOG=$log
    STARTED_PIDS+=("$MUX_PID")
    for i in $(seq 100); do
        is_listening "$MUX_PORT" && return 0
        kill -0 "$MUX_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "rspmux did not start listening" >&2
    show_log "$log"
    return 1
}

# wait_log LOG REGEX [SECONDS]: up to SECONDS (default 30) for a line
# matching REGEX in LOG.
wait_log() {
    local i
    for i in $(seq $((${3:-30} * 10))); do
        grep -q -E -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "never logged: $2" >&2
    show_log "$1"
    return 1
}

# forget_pid PID: drops an already reaped PID from STARTED_PIDS, so cleanup
# never signals a number the system may have reused.
forget_pid() {
    local kept=() pid
    for pid in "${STARTED_PIDS[@]}"; do
        [[ "$pid" == "$1" ]] || kept+=("$pid")
    done
    STARTED_PIDS=("${kept[@]}")
}

# stop_rspmux: SIGTERM, then checks that it exited 0 with no sanitizer report.
stop_rspmux() {
    local status
    kill -TERM "$MUX_PID" 2>/dev/null
    wait "$MUX_PID"
    status=$?
    forget_pid "$MUX_PID"
    if [[ $status -ne 0 ]] || grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' "$MUX_LOG"; then
        echo "rspmux exited with status $status" >&2
        show_log "$MUX_LOG"
        return 1
    fi
}

# gdb_via_mux LOG GDB_ARGS...: gdb-multiarch in batch mode with no file,
# attached to rspmux.
gdb_via_mux() {
    local log=$1
    shift
    timeout 120 "${GDB[@]}" -ex "target remote 127.0.0.1:$MUX_PORT" "$@" </dev/null >"$log" 2>&1
}

# symbol_address ELF NAME: the address of a symbol, from the ELF's symbol table.
symbol_address() {
    riscv64-unknown-elf-nm "$1" | awk -v s="$2" '$3 == s { print "0x" $1; exit }'
}
