#!/usr/bin/env bash
# Install the CMake build tree into a temporary prefix, then build and test the Zig
# example (translate-c of vyre.h, linkSystemLibrary("vyre") through pkg-config) against
# that *installed* library: linked to libvyre.so.0, then statically (-Dstatic=true).
# usage: run_tests.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) work=$2
mkdir -p "$work"; work=$(cd "$work" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
zig=$here/../scripts/zig
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"; mkdir -p "$work"

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name vyre.pc); libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$libdir/pkgconfig RUST_BACKTRACE=0
# Per-run local cache (our code, translate-c of vyre.h); the global cache only holds
# what Zig builds of itself (compiler_rt, libc stubs) and is kept in the build tree.
caches=(--cache-dir "$work/zig-cache" --global-cache-dir "$build/zig-global-cache")
cd "$here"

"$zig" fmt --check build.zig src

echo "== zig: shared"
"$zig" build test install --summary all -p "$work/shared" "${caches[@]}"
grep -q 'NEEDED.*\[libvyre\.so\.' <<<"$(readelf -d "$work/shared/bin/vyre-zig-demo")" \
  || fail "shared build does not need libvyre.so"

echo "== zig: static (-Dstatic=true: libvyre.a + Libs.private)"
"$zig" build test install -Dstatic=true --summary all -p "$work/static" "${caches[@]}"
grep -q libvyre <<<"$(readelf -d "$work/static/bin/vyre-zig-demo")" && fail "static build still needs libvyre.so"
"$work/static/bin/vyre-zig-demo"
echo "zig example ok (shared and static)"
