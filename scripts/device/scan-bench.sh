#!/usr/bin/env bash
# Scan benchmark on a GPU machine that has no toolchain (the H200 device): runs the
# prebuilt scan_bench from .device/ and writes its output to $OUT.
#
# scripts/device/prepare.sh fills .device/ (git-ignored) on the dev machine. It must hold,
# built in Release:
#   scan_bench      build/scan_bench            (cmake --build build --target scan_bench)
#   libvyre.so.0    build/lib/libvyre.so.0      (the real file, not the symlink)
#   libhs.so.5      Debian libhyperscan5 (/usr/lib/x86_64-linux-gnu/libhs.so.5)
#   libvulkan.so.1  the Vulkan loader (the device image has the driver but no loader)
#
# usage: scripts/device/scan-bench.sh [MIB] [REPS]   (defaults 1024 MiB, 5 runs; the
# session-8 figures in BENCHMARKS.md are 512 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/device/env.sh
for f in scan_bench libvyre.so.0 libhs.so.5 libvulkan.so.1; do
    [ -e "$dev/$f" ] || { echo "scan-bench: missing .device/$f (see the header of $0)" >&2; exit 2; }
done
mib=${1:-1024}
reps=${2:-5}
{
    echo "# scan_bench rules/secrets.rules $mib $reps"
    echo "# host: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- || true)"
    (nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader 2>/dev/null || true) | sed 's/^/# gpu: /'
} > "$out/scan-bench.txt"
# A throw-away warm-up process first (the first process on a fresh machine runs slow),
# then both haystacks of BENCHMARKS.md: generated words, and the bundled corpus repeated.
"$dev/scan_bench" rules/secrets.rules 64 1 dict > /dev/null 2>&1 || true
cat corpus/*/* > "$out/corpus.txt"
for text in "" "$out/corpus.txt"; do
    echo "## haystack: ${text:+bundled corpus}${text:-generated words}" | tee -a "$out/scan-bench.txt"
    "$dev/scan_bench" rules/secrets.rules "$mib" "$reps" all $text 2>&1 |
        grep -v XDG_RUNTIME_DIR | tee -a "$out/scan-bench.txt"
done
