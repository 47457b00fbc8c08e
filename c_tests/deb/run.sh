#!/usr/bin/env bash
# Build the Debian packages, check their metadata and contents, unpack both with
# `dpkg-deb -x` into a temporary root, then build and run consumers against that root:
# pkg-config (shared and static) and the CMake package.
# usage: run.sh SOURCE_DIR WORK_DIR CC [CARGO_TARGET_DIR [CARGO_PROFILE]]
set -euo pipefail
src=$1 work=$2 cc=$3
export VYRE_CARGO_TARGET_DIR=${4:-} VYRE_CARGO_PROFILE=${5:-}
consumer=$src/c_tests/consumer
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"; mkdir -p "$work"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$src/Cargo.toml" | head -n1)
major=${version%%.*}
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
"$src/scripts/package-deb" "$work" >/dev/null
rt=$work/packages/libvyre${major}_${version}_$(dpkg --print-architecture).deb
dev=$work/packages/libvyre-dev_${version}_$(dpkg --print-architecture).deb
[ -f "$rt" ] && [ -f "$dev" ] || fail "expected $(basename "$rt") and $(basename "$dev"); got: $(ls "$work/packages")"

# --- metadata ---------------------------------------------------------------------------
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$rt" Package)" = "libvyre$major" ] || fail "runtime package name"
[ "$(field "$rt" Version)" = "$version" ] || fail "runtime version $(field "$rt" Version) != $version"
[ "$(field "$rt" Section)" = libs ] || fail "runtime section"
rt_deps=$(field "$rt" Depends)
for dep in 'libc6 (>= ' 'libgcc-s1 (>= ' 'libvulkan1'; do
  grep -qF "$dep" <<<"$rt_deps" || fail "libvyre$major Depends lacks '$dep': $rt_deps"
done
[ "$(dpkg-deb --info "$rt" shlibs)" = "libvyre $major libvyre$major (>= $version)" ] \
  || fail "shlibs is '$(dpkg-deb --info "$rt" shlibs)'"
grep -q ldconfig <<<"$(dpkg-deb --info "$rt" postinst)" || fail "runtime postinst does not run ldconfig"
[ "$(field "$dev" Package)" = libvyre-dev ] || fail "dev package name"
[ "$(field "$dev" Section)" = libdevel ] || fail "dev section"
[ "$(field "$dev" Depends)" = "libvyre$major (= $version)" ] || fail "dev Depends is '$(field "$dev" Depends)'"

# --- contents: exactly these files (and their directories) -------------------------------
files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6 ($7 == "->" ? " -> " $8 : "")}' | sort; }
lib=./usr/lib/$triplet
expect_rt=$(printf '%s\n' "$lib/libvyre.so.$major -> libvyre.so.$version" "$lib/libvyre.so.$version" | sort)
expect_dev=$(printf '%s\n' ./usr/include/vyre.h "$lib/libvyre.so -> libvyre.so.$major" "$lib/libvyre.a" \
  "$lib/pkgconfig/vyre.pc" "$lib/cmake/vyre/vyreConfig.cmake" "$lib/cmake/vyre/vyreConfigVersion.cmake" | sort)
[ "$(files "$rt")" = "$expect_rt" ] || fail "libvyre$major contents:"$'\n'"$(files "$rt")"$'\n'"expected:"$'\n'"$expect_rt"
[ "$(files "$dev")" = "$expect_dev" ] || fail "libvyre-dev contents:"$'\n'"$(files "$dev")"$'\n'"expected:"$'\n'"$expect_dev"

# --- unpack into a temporary root --------------------------------------------------------
root=$work/root
dpkg-deb -x "$rt" "$root"
dpkg-deb -x "$dev" "$root"
libdir=$root/usr/lib/$triplet
grep -qx 'prefix=/usr' "$libdir/pkgconfig/vyre.pc" || fail "vyre.pc must say prefix=/usr"
soname=$(readelf -d "$libdir/libvyre.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libvyre.so.$major" ] || fail "soname is '$soname'"
# Stripped like dh_strip (no debug sections), with the exact export set intact.
grep -q '\.debug_' <<<"$(readelf -S "$libdir/libvyre.so.$version")" && fail "libvyre.so in the package is not stripped"
grep -q '\.debug_info' <<<"$(readelf -S "$libdir/libvyre.a" 2>/dev/null)" && fail "libvyre.a in the package has debug info"
"$src/c_tests/exports/check_exports.sh" "$libdir/libvyre.so.$version" "$libdir/libvyre.a" "$root/usr/include/vyre.h" >/dev/null \
  || fail "packaged libraries do not export exactly vyre.h's functions"

# pkg-config against the root: the sysroot prefixes -I/-L; system dirs are kept because
# inside the temporary root they are not the system's.
export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$libdir/pkgconfig
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
flags=(-std=c11 -Wall -Wextra -Wpedantic -Werror)
# shellcheck disable=SC2046
"$cc" "${flags[@]}" "$consumer/main.c" -o "$work/pc_shared" $(pkg-config --cflags --libs vyre)
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$work/pc_shared")
grep -qF "libvyre.so.$major => $libdir/" <<<"$resolved" \
  || fail "pc_shared does not resolve libvyre.so.$major from the unpacked root"
LD_LIBRARY_PATH=$libdir "$work/pc_shared"
# shellcheck disable=SC2046
"$cc" "${flags[@]}" "$consumer/main.c" -o "$work/pc_static" $(pkg-config --cflags vyre) \
  $(pkg-config --static --libs vyre | sed 's/-lvyre\b/-l:libvyre.a/')
grep -q libvyre <<<"$(readelf -d "$work/pc_static")" && fail "pc_static needs libvyre.so"
"$work/pc_static"

# CMake package from the root (vyreConfig.cmake is relocatable).
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
cmake -S "$consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cmake" >/dev/null
LD_LIBRARY_PATH=$libdir "$work/cmake/consumer_shared"
"$work/cmake/consumer_static"
echo "deb packages ok: $(basename "$rt") $(basename "$dev")"
