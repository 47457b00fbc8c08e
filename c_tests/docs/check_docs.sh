#!/usr/bin/env bash
# The API reference builds with zero doxygen warnings (scripts/docs treats any warning,
# e.g. an undocumented public item, as an error), and every function vyre.h declares has
# its own documented entry in the generated page.
# usage: check_docs.sh SOURCE_DIR OUT_DIR [GCC]
set -euo pipefail
src=$1 out=$2 gcc=${3:-gcc}
rm -rf "$out"
"$src/scripts/docs" "$out"
xml=$out/xml/vyre_8h.xml
[ -f "$out/html/index.html" ] && [ -f "$xml" ] || { echo "FAIL: doxygen output missing in $out"; exit 1; }
missing=0 n=0
while IFS= read -r fn; do
  n=$((n + 1))
  grep -qF "<name>$fn</name>" "$xml" || { echo "FAIL: no reference entry for $fn"; missing=1; }
done < <("$src/c_tests/exports/declared_functions.sh" "$src/include/vyre.h" "$gcc")
[ $missing -eq 0 ] && echo "docs ok: $n functions documented, zero doxygen warnings"
exit $missing
