#!/usr/bin/env bash
# Install the CMake build tree into a temporary prefix, then vet, test and run the Go
# example against that *installed* library through pkg-config: once linked to
# libvyre.so.0, once (-tags vyre_static) with libvyre.a and its Libs.private natives.
# usage: run_tests.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) work=$2
mkdir -p "$work"; work=$(cd "$work" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v go >/dev/null || fail "go is missing (Debian package golang-go); run scripts/setup"
rm -rf "$work"; mkdir -p "$work"

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name vyre.pc); libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$libdir/pkgconfig
# Hermetic Go: a fresh build cache per run (cgo does not hash the headers it includes, so
# a reused cache could hide a header change), no module downloads.
export GOCACHE=$work/gocache GOPATH=$work/gopath GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=1
export RUST_BACKTRACE=0
cd "$here"

unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || fail "gofmt would change: $unformatted"
go vet ./...

echo "== go: shared (libvyre.so.$(ls "$libdir" | sed -n 's/^libvyre\.so\.\([0-9]*\)$/\1/p'))"
LD_LIBRARY_PATH=$libdir go test -count=1 -v ./...
go build -o "$work/vyre-demo" ./cmd/vyre-demo
grep -q 'NEEDED.*\[libvyre\.so\.' <<<"$(readelf -d "$work/vyre-demo")" || fail "shared build does not need libvyre.so"
LD_LIBRARY_PATH=$libdir "$work/vyre-demo"

echo "== go: static (-tags vyre_static: libvyre.a + Libs.private)"
# No LD_LIBRARY_PATH: a binary that still needed libvyre.so.0 could not even start.
go test -count=1 -v -tags vyre_static ./...
go build -tags vyre_static -o "$work/vyre-demo-static" ./cmd/vyre-demo
grep -q libvyre <<<"$(readelf -d "$work/vyre-demo-static")" && fail "static build still needs libvyre.so"
"$work/vyre-demo-static"
echo "go example ok (shared and static)"
