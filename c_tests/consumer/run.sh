#!/usr/bin/env bash
# Install the build tree into a fresh prefix, check the installed layout, then build and
# run the consumer against it with find_package(vyre) and with pkg-config (shared+static).
# usage: run.sh BUILD_DIR WORK_DIR CC
set -euo pipefail
build=$1 work=$2 cc=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$prefix/lib
[ -d "$libdir/pkgconfig" ] || libdir=$(dirname "$(find "$prefix" -name vyre.pc)")/..
for f in include/vyre.h; do [ -f "$prefix/$f" ] || { echo "missing $f"; exit 1; }; done
for f in libvyre.so libvyre.so.0 libvyre.a pkgconfig/vyre.pc cmake/vyre/vyreConfig.cmake cmake/vyre/vyreConfigVersion.cmake; do
  [ -e "$libdir/$f" ] || { echo "missing lib/$f"; exit 1; }
done
ls "$libdir"/libvyre.so.0.* >/dev/null
[ "$(readlink "$libdir/libvyre.so")" = libvyre.so.0 ] || { echo "libvyre.so must link to libvyre.so.0"; exit 1; }
soname=$(readelf -d "$libdir/libvyre.so.0" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libvyre.so.0 ] || { echo "soname is '$soname'"; exit 1; }

# 1. CMake package.
cmake -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cmake" >/dev/null
LD_LIBRARY_PATH=$libdir "$work/cmake/consumer_shared"
"$work/cmake/consumer_static"
if readelf -d "$work/cmake/consumer_static" | grep -q 'libvyre'; then echo "static consumer needs libvyre.so"; exit 1; fi

# 2. pkg-config, shared and static.
export PKG_CONFIG_PATH=$libdir/pkgconfig
# The .pc file was configured with the build's install prefix; point it at ours.
pc() { pkg-config --define-prefix "$@"; }
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "$here/main.c" -o "$work/pc_shared" $(pc --cflags --libs vyre)
LD_LIBRARY_PATH=$libdir "$work/pc_shared"
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "$here/main.c" -o "$work/pc_static" \
  $(pc --cflags vyre) $(pc --static --libs vyre | sed 's/-lvyre\b/-l:libvyre.a/')
"$work/pc_static"
if readelf -d "$work/pc_static" | grep -q 'libvyre'; then echo "pkg-config static consumer needs libvyre.so"; exit 1; fi
echo "install consumer test: ok"
