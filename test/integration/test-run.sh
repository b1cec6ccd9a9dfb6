#!/usr/bin/env bash
# `make run`'s script boots the kernel to its shell, prints a GDB command
# that works, and stops cleanly on 'poweroff'.
source "$(dirname "$0")/lib.sh"

LOG="$TMP/run.log"
mkfifo "$TMP/in"
GDB_PORT=$(free_port)
GDB_PORT=$GDB_PORT timeout 60 scripts/run-qemu.sh <"$TMP/in" >"$LOG" 2>&1 &
RUN_PID=$!
STARTED_PIDS+=("$RUN_PID")
exec 3>"$TMP/in"

wait_for() {
    local i
    for i in $(seq 300); do
        tr -d '\r' <"$LOG" | grep -q -E -- "$1" && return 0
        kill -0 "$RUN_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "never printed: $1" >&2
    show_log "$LOG"
    return 1
}

check "boots to the shell" wait_for "Type 'help' for commands"
check "prints the GDB command" \
    log_has "$LOG" "^  attach GDB     gdb-multiarch build/os/kernel.elf -ex \"target remote 127.0.0.1:$GDB_PORT\"$"

# Attach with exactly the command it printed; the guest is idle in the shell.
cmd=$(tr -d '\r' <"$LOG" | sed -n 's/^  attach GDB     //p')
eval "timeout 60 ${cmd/gdb-multiarch/gdb-multiarch -batch -nx} -ex 'info symbol \$pc' -ex detach" \
    </dev/null >"$TMP/gdb.log" 2>&1
check "the printed GDB command attaches" log_has "$TMP/gdb.log" '^\[Inferior 1 \(process 1\) detached\]$'

printf 'poweroff\n' >&3
exec 3>&-
wait "$RUN_PID"
check "poweroff ends QEMU with status 0" test $? -eq 0

finish
