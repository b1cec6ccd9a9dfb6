#!/usr/bin/env bash
# `make run`'s script: QEMU halted behind rspmux; the GDB command it prints
# attaches (with no file: symbols come through rspmux), the kernel boots to
# its shell once GDB lets it go, and 'poweroff' ends QEMU and rspmux.
source "$(dirname "$0")/lib.sh"

LOG="$TMP/run.log"
GDB_PORT=$(free_port)
MUX_PORT=$(free_port)
start_console "$LOG" env GDB_PORT="$GDB_PORT" RSPMUX_PORT="$MUX_PORT" timeout 120 scripts/run.sh

check "prints the GDB command" wait_for \
    "^  attach GDB     gdb-multiarch -x configs/rspmux\\.gdb -ex \"target remote 127\\.0\\.0\\.1:$MUX_PORT\"$"
check "rspmux listens" bash -c "source test/integration/lib.sh; for i in \$(seq 100); do is_listening $MUX_PORT && exit 0; sleep 0.1; done; exit 1"

# Attach with exactly the command it printed; detaching lets the kernel boot.
cmd=$(tr -d '\r' <"$LOG" | sed -n 's/^  attach GDB     //p')
eval "timeout 60 ${cmd/gdb-multiarch/gdb-multiarch -batch -nx} -ex 'info symbol \$pc' -ex 'print &kmain' -ex detach" \
    </dev/null >"$TMP/gdb.log" 2>&1
check "the printed GDB command attaches, with the kernel's symbols" \
    log_has "$TMP/gdb.log" '^\$1 = \(void \(\*\)\(uint64_t, const void \*\)\) 0x8020[0-9a-f]+ <kmain>$'
check "QEMU was halted until GDB let it go" log_has "$TMP/gdb.log" '^No symbol matches \$pc\.$'
check "the kernel boots to its shell after detach" wait_for "Type 'help' for commands"

printf 'poweroff\n' >&3
exec 3>&-
wait "$CONSOLE_PID"
check "poweroff ends QEMU with status 0" test $? -eq 0
check "rspmux is gone with it" bash -c "source test/integration/lib.sh; ! is_listening $MUX_PORT"

finish
