#!/usr/bin/env bash
# Fill .device/ (git-ignored) for runs on the GPU machine that has no toolchain (the H200
# device, see ../shared/gpu/README.md): the Release library and scan_bench, the GPU test
# binaries (stripped, in .device/bin) and the shared libraries that image lacks. Run on
# the dev machine; then `run` with carry [".device"] and scripts/device/gpu-suites.sh or
# scripts/device/scan-bench.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
dev=.device
mkdir -p "$dev/bin" "$dev/gl"
grep -qx '/.device/' .git/info/exclude 2>/dev/null || grep -qx '/.device/' .gitignore ||
    echo '/.device/' >> .git/info/exclude

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
c_tests=(test_gpu_device test_gpu_dispatch test_gpu_resident test_gpu_recovery
    test_gpu_custom test_scan_haystack_gpu)
for target in scan_bench "${c_tests[@]}"; do
    cmake --build build -j"$(nproc)" --target "$target" >/dev/null
done
strip -o "$dev/libvyre.so.0" "$(readlink -f build/lib/libvyre.so.0)"
cp build/scan_bench "$dev/"
for t in "${c_tests[@]}"; do cp "build/$t" "$dev/bin/"; done

tests=(gpu_waves gpu_resident gpu_recovery scan_gpu scan_gpu_verify scan_gpu_recovery)
args=()
for t in "${tests[@]}"; do args+=(--test "$t"); done
cargo test --release --no-run --message-format=json "${args[@]}" 2>/dev/null |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4 | while read -r exe; do
        name=$(basename "$exe")
        strip -o "$dev/bin/${name%-*}" "$exe"
    done

# The Vulkan loader (the image has the NVIDIA driver but no loader), glvnd for the
# NVIDIA ICD, and Hyperscan for scan_bench's CPU baseline.
cp -L ../shared/gpu/libvulkan.so.1 "$dev/" 2>/dev/null ||
    echo "prepare: ../shared/gpu/libvulkan.so.1 not found; copy a Vulkan loader to $dev/" >&2
lib=/usr/lib/x86_64-linux-gnu
for f in libGLdispatch.so.0 libGLX.so.0; do
    cp -L "$lib/$f" "$dev/gl/" 2>/dev/null || echo "prepare: $f missing (apt-get install libglvnd0 libglx0)" >&2
done
cp -L "$lib/libhs.so.5" "$dev/" 2>/dev/null || echo "prepare: libhs.so.5 missing (apt-get install libhyperscan5)" >&2

size=$(du -sm "$dev" | cut -f1)
echo "prepare: $dev holds $(find "$dev/bin" -type f | wc -l) test binaries, ${size} MiB"
[ "$size" -lt 64 ] || echo "prepare: over the device tool's 64 MiB carry limit" >&2
