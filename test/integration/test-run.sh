#!/usr/bin/env bash
# `make run`'s script boots the kernel to its shell, prints a GDB command
# that works, and stops cleanly on 'poweroff'.
source "$(dirname "$0")/lib.sh"

LOG="$TMP/run.log"
GDB_PORT=$(free_port)
start_console "$LOG" env GDB_PORT="$GDB_PORT" timeout 60 scripts/run-qemu.sh

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
wait "$CONSOLE_PID"
check "poweroff ends QEMU with status 0" test $? -eq 0

finish
