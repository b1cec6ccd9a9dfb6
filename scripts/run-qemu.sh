#!/usr/bin/env bash
# The main job of `make run`: boots the demo kernel in QEMU with its gdbstub
# on a free loopback port, the console on this terminal, and says how to
# attach GDB. (Once rspmux exists it will sit in front of QEMU on :2000.)
#
# Environment:
#   GDB_PORT   gdbstub port (default: 1234, or the next free one above it)
#   APPEND     kernel command line, e.g. "test" or "test; compute 5000"
#   HALT=1     start halted, waiting for GDB (QEMU's -S)
#   KERNEL     kernel ELF (default build/os/kernel.elf)
#   VERBOSE=1  also show the firmware's (OpenSBI's) boot banner
set -euo pipefail
cd "$(dirname "$0")/.."

KERNEL=${KERNEL:-build/os/kernel.elf}
[[ -f "$KERNEL" ]] || { echo "run-qemu: $KERNEL is missing; run 'make os'" >&2; exit 1; }

is_listening() {
    local hex
    hex=$(printf ':%04X ' "$1")
    grep -q -- "$hex[0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

if [[ -n "${GDB_PORT:-}" ]]; then
    [[ "$GDB_PORT" =~ ^[0-9]+$ ]] && ((GDB_PORT > 0 && GDB_PORT < 65536)) ||
        { echo "run-qemu: GDB_PORT '$GDB_PORT' is not a port number" >&2; exit 1; }
    if is_listening "$GDB_PORT"; then
        echo "run-qemu: port $GDB_PORT (GDB_PORT) is already in use" >&2
        exit 1
    fi
else
    GDB_PORT=1234
    while is_listening "$GDB_PORT"; do
        GDB_PORT=$((GDB_PORT + 1))
    done
fi

args=(-machine virt -nographic -bios default -kernel "$KERNEL" -gdb "tcp:127.0.0.1:$GDB_PORT")
[[ -n "${APPEND:-}" ]] && args+=(-append "$APPEND")
[[ "${HALT:-0}" == 1 ]] && args+=(-S)

cat <<MSG
rspmux demo kernel: $KERNEL in QEMU (riscv64 virt, 128 MiB)
  QEMU gdbstub   127.0.0.1:$GDB_PORT$([[ "${HALT:-0}" == 1 ]] && echo " (halted until GDB continues)")
  attach GDB     gdb-multiarch $KERNEL -ex "target remote 127.0.0.1:$GDB_PORT"
  user symbols   (gdb) add-symbol-file build/os/user/<program>.elf
  stop           type 'poweroff' at the shell, or press Ctrl-A then X
MSG

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

if [[ "${VERBOSE:-0}" == 1 ]]; then
    exec qemu-system-riscv64 "${args[@]}"
fi
qemu-system-riscv64 "${args[@]}" | hide_firmware_banner
exit "${PIPESTATUS[0]}"
