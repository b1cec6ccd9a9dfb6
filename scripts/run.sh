#!/usr/bin/env bash
# The main job of `make run`: the demo kernel in QEMU, halted at its first
# instruction, with rspmux in front of QEMU's gdbstub on 127.0.0.1:2000; the
# console on this terminal. It prints the GDB command to attach with.
#
# Environment:
#   RSPMUX_PORT  where GDB connects (default 2000)
#   GDB_PORT     QEMU's own gdbstub (default: 1234, or the next free port)
#   PROXY=0      no rspmux: GDB attaches to QEMU's gdbstub directly
#   HALT=0       start running instead of halted (default: halted, HALT=1)
#   APPEND       kernel command line, e.g. "test" or "test; compute 5000"
#   KERNEL       kernel ELF (default build/os/kernel.elf)
#   VERBOSE=1    also show the firmware's (OpenSBI's) boot banner
set -euo pipefail
cd "$(dirname "$0")/.."

KERNEL=${KERNEL:-build/os/kernel.elf}
PROXY=${PROXY:-1}
HALT=${HALT:-1}
RSPMUX_PORT=${RSPMUX_PORT:-2000}
[[ -f "$KERNEL" ]] || { echo "run: $KERNEL is missing; run 'make os'" >&2; exit 1; }
[[ "$PROXY" == 0 || -x build/rspmux ]] || { echo "run: build/rspmux is missing; run 'make'" >&2; exit 1; }

is_listening() {
    local hex
    hex=$(printf ':%04X ' "$1")
    grep -q -- "$hex[0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# check_port NAME VALUE: a number, and free.
check_port() {
    [[ "$2" =~ ^[0-9]+$ ]] && (($2 > 0 && $2 < 65536)) ||
        { echo "run: $1 '$2' is not a port number" >&2; exit 1; }
    if is_listening "$2"; then
        echo "run: port $2 ($1) is already in use; set $1 to another port" >&2
        exit 1
    fi
}

if [[ -n "${GDB_PORT:-}" ]]; then
    check_port GDB_PORT "$GDB_PORT"
else
    GDB_PORT=1234
    while is_listening "$GDB_PORT" || [[ "$PROXY" == 1 && "$GDB_PORT" == "$RSPMUX_PORT" ]]; do
        GDB_PORT=$((GDB_PORT + 1))
    done
fi
[[ "$PROXY" == 1 ]] && check_port RSPMUX_PORT "$RSPMUX_PORT"

args=(-machine virt -nographic -bios default -kernel "$KERNEL" -gdb "tcp:127.0.0.1:$GDB_PORT")
[[ -n "${APPEND:-}" ]] && args+=(-append "$APPEND")
[[ "$HALT" == 1 ]] && args+=(-S)

halted=""
[[ "$HALT" == 1 ]] && halted=" (halted: the kernel starts when GDB continues)"
if [[ "$PROXY" == 1 ]]; then
    mkdir -p build
    build/rspmux --preset demo-os --kernel "$KERNEL" --listen "127.0.0.1:$RSPMUX_PORT" \
        --qemu "127.0.0.1:$GDB_PORT" \
        2>build/rspmux.log &
    mux_pid=$!
    trap 'kill "$mux_pid" 2>/dev/null; wait "$mux_pid" 2>/dev/null' EXIT
    cat <<MSG
rspmux demo: $KERNEL in QEMU (riscv64 virt, 128 MiB)$halted
  rspmux         127.0.0.1:$RSPMUX_PORT -> QEMU gdbstub 127.0.0.1:$GDB_PORT (log: build/rspmux.log)
  attach GDB     gdb-multiarch -x configs/rspmux.gdb -ex "target remote 127.0.0.1:$RSPMUX_PORT"
  in GDB         info inferiors (each process, with its program); monitor spaces; monitor help
  stop           type 'poweroff' at the shell, or press Ctrl-A then X
MSG
else
    cat <<MSG
rspmux demo: $KERNEL in QEMU (riscv64 virt, 128 MiB)$halted
  QEMU gdbstub   127.0.0.1:$GDB_PORT
  attach GDB     gdb-multiarch $KERNEL -ex "target remote 127.0.0.1:$GDB_PORT"
  user symbols   (gdb) add-symbol-file build/os/user/<program>.elf
  stop           type 'poweroff' at the shell, or press Ctrl-A then X
MSG
fi

# Hides OpenSBI's ~40-line banner, which would scroll the lines above off the
# screen: passes everything from the kernel's first line on, byte by byte (the
# shell prompt has no newline). If QEMU ends before the kernel spoke, shows
# what was hidden, since it then explains the failure.
hide_firmware_banner() {
    local line hidden=()
    while IFS= read -r line; do
        if [[ "$line" == *"[kernel]"* ]]; then
            printf '%s\n' "$line"
            exec cat
        fi
        hidden+=("$line")
    done
    printf '%s\n' "${hidden[@]}"
}

set +e
if [[ "${VERBOSE:-0}" == 1 ]]; then
    qemu-system-riscv64 "${args[@]}"
    status=$?
else
    qemu-system-riscv64 "${args[@]}" | hide_firmware_banner
    status=${PIPESTATUS[0]}
fi
exit "$status"
