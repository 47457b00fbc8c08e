#!/usr/bin/env bash
# The shared library must export exactly the functions vyre.h declares: nothing the
# header lacks (stray Rust or dependency symbols) and nothing the header promises but the
# library lacks. The static archive must define every declared function, and its other
# global symbols must be of the kinds the Rust toolchain cannot hide (see below).
# usage: check_exports.sh LIBVYRE_SO LIBVYRE_A VYRE_H [GCC]
set -euo pipefail
so=$1 archive=$2 header=$3 cc=${4:-gcc}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$here/declared_functions.sh" "$header" "$cc" >"$work/declared"
n_declared=$(wc -l <"$work/declared")
[ "$n_declared" -gt 0 ] || { echo "FAIL: no function declarations found in $header"; exit 1; }

# Everything the shared library exports (dynamic symbol table, defined symbols only).
nm -D --defined-only "$so" | awk '{print $NF, $(NF-1)}' | sort -u >"$work/exported_with_type"
cut -d' ' -f1 "$work/exported_with_type" | sort -u >"$work/exported"

status=0
stray=$(comm -13 "$work/declared" "$work/exported")
if [ -n "$stray" ]; then
  echo "FAIL: $so exports symbols that vyre.h does not declare:"; sed 's/^/  /' <<<"$stray"; status=1
fi
missing=$(comm -23 "$work/declared" "$work/exported")
if [ -n "$missing" ]; then
  echo "FAIL: vyre.h declares functions that $so does not export:"; sed 's/^/  /' <<<"$missing"; status=1
fi
not_code=$(awk '$2 != "T" {print "  " $1 " (nm type " $2 ")"}' "$work/exported_with_type")
if [ -n "$not_code" ]; then
  echo "FAIL: exported symbols that are not plain functions:"; echo "$not_code"; status=1
fi

# Static archive: every declared function is defined there too. Rust cannot make the
# rest of an archive's globals local, so we only insist they are of the expected kinds:
# mangled Rust symbols (_ZN…, _R…: crate-hashed, cannot collide with C names), LLVM's
# promoted constants (anon.<hash>.N.llvm.<hash>, hidden-visibility, hashed), compiler
# runtime intrinsics (__…, weak copies of libgcc's), and the unwinder glue
# (rust_eh_personality, DW.ref.rust_eh_personality). Any other unmangled global, in
# particular an undeclared vyre_*, is a stray export.
nm -g --defined-only "$archive" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u >"$work/archive"
missing_a=$(comm -23 "$work/declared" "$work/archive")
if [ -n "$missing_a" ]; then
  echo "FAIL: $archive lacks declared functions:"; sed 's/^/  /' <<<"$missing_a"; status=1
fi
odd_a=$(comm -13 "$work/declared" "$work/archive" \
  | grep -vE '^(_ZN|_R|__|anon\.[0-9a-f]+\.[0-9]+\.llvm\.[0-9]+$|DW\.ref\.rust_eh_personality$|rust_eh_personality$)' \
  || true)
if [ -n "$odd_a" ]; then
  echo "FAIL: $archive defines unexpected unmangled globals:"; sed 's/^/  /' <<<"$odd_a"; status=1
fi

[ $status -eq 0 ] && echo "exports ok: $n_declared functions declared in vyre.h, exactly these exported by $(basename "$so")"
exit $status
