#!/usr/bin/env bash
# Without a command line, init is an interactive shell on the UART: input
# arrives by interrupt, is echoed and edited, and runs programs by name.
source "$(dirname "$0")/lib.sh"

LOG="$TMP/shell.log"
start_console "$LOG" timeout 60 "${QEMU[@]}"

check "the shell starts" wait_for "Type 'help' for commands"
printf 'help\n' >&3
check "help lists the embedded programs" wait_for '^programs: init compute syscalls sleeper forker crash$'
# "comp", DEL, "pute 100": line editing must give "compute 100".
printf 'comp\177pute 100\n' >&3
check "backspace edits the line" wait_for '^compute: 25 primes below 100 '
printf 'nosuch\n' >&3
check "an unknown program is reported" wait_for "^init: cannot run 'nosuch'"
printf 'crash\n' >&3
check "a crashing program does not take the shell down" wait_for '^\[exit code -15\]$'
printf 'sleeper\n' >&3
check "sleep works from the shell" wait_for '^sleeper: 3 naps of 30 ms: ok$'
printf 'poweroff 3\n' >&3
exec 3>&-
wait "$CONSOLE_PID"
status=$?
check "poweroff 3 makes QEMU exit 3" test "$status" -eq 3

finish
