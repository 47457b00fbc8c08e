#!/usr/bin/env bash
# Print the names of the functions a header declares, one per line, sorted. The header
# is parsed by GCC itself: -aux-info writes one prototype per declared function, tagged
# with the file it came from, and the first "name (" of each prototype is its name.
# usage: declared_functions.sh HEADER [GCC]
set -euo pipefail
header=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") gcc=${2:-gcc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#include "%s"\n' "$header" >"$work/decls.c"
"$gcc" -std=c11 -fsyntax-only -aux-info "$work/aux.txt" "$work/decls.c"
grep -F "/* $header:" "$work/aux.txt" | sed -E 's|^/\*[^*]*\*/ *||' | while IFS= read -r proto; do
  grep -oE '[A-Za-z_][A-Za-z0-9_]* \(' <<<"$proto" | head -n1 | cut -d' ' -f1
done | sort -u
