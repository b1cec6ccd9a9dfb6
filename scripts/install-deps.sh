#!/usr/bin/env bash
# Install the Debian 12 packages rspmux needs, only those missing. Idempotent:
# a machine that has everything exits at once without touching apt.
set -euo pipefail

PACKAGES=(
    build-essential make pkg-config
    libuv1-dev libcjson-dev libelf-dev libdw-dev
    qemu-system-misc opensbi
    gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
    gdb-multiarch
    clang llvm lld libclang-rt-14-dev
    libcmocka-dev libbpf-dev
    python3
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
