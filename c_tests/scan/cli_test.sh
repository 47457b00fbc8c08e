#!/usr/bin/env bash
# vyre-scan CLI: exit codes, output format, bad patterns and unreadable files.
# usage: cli_test.sh VYRE_SCAN SOURCE_DIR
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }

# Bundled rules on the bundled corpus: every planted fake secret, exit 0.
"$bin" -f "$src/rules/secrets.rules" "$src/corpus" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "[ $rc -eq 0 ]"
check "[ \$(wc -l <\"$tmp/out\") -eq 29 ]"
check "grep -qx '$src/corpus/config/app.env:70:github-pat' \"$tmp/out\""
check "grep -qx '$src/corpus/keys/id_rsa.txt:31:private-key' \"$tmp/out\""
check "grep -qx '$src/corpus/config/cloud.env:193:anthropic-api-key' \"$tmp/out\""
check "grep -q '10 files, 173719 bytes, 29 matches' \"$tmp/err\""

# No match → 1.
printf 'nothing to see\n' >"$tmp/a.txt"
"$bin" -e 'zebra[0-9]+' "$tmp/a.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && [ ! -s \"$tmp/out\" ]"

# -i, -e repeated, exact offsets (end of match).
printf 'Hello hello HELLO x1x\n' >"$tmp/b.txt"
"$bin" -i -e hello -e 'x[0-9]x' "$tmp/b.txt" >"$tmp/out" 2>/dev/null; rc=$?
check "[ $rc -eq 0 ]"
check "[ \"\$(cat \"$tmp/out\" | tr '\n' ' ')\" = \"$tmp/b.txt:5:hello $tmp/b.txt:11:hello $tmp/b.txt:17:hello $tmp/b.txt:21:x[0-9]x \" ]"

# JSON lines.
"$bin" --json -e 'x[0-9]x' "$tmp/b.txt" >"$tmp/out" 2>/dev/null
check "[ \"\$(cat \"$tmp/out\")\" = '{\"path\":\"$tmp/b.txt\",\"offset\":21,\"pattern\":\"x[0-9]x\",\"id\":0}' ]"

# Bad pattern: clear message, the good ones still scan, exit 2.
"$bin" -e 'a(b' -e hello "$tmp/b.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "[ $rc -eq 2 ]"
check "grep -q 'bad pattern .a(b.' \"$tmp/err\" && grep -q 'unclosed group' \"$tmp/err\""
check "[ \$(wc -l <\"$tmp/out\") -eq 1 ]"

# Unreadable / missing files: message, the other files still scanned, exit 2.
mkdir "$tmp/d"; printf 'hello\n' >"$tmp/d/ok.txt"; printf 'hello\n' >"$tmp/d/locked.txt"; chmod 000 "$tmp/d/locked.txt"
"$bin" -e hello "$tmp/d" "$tmp/missing.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "[ $rc -eq 2 ]"
check "grep -q 'missing.txt: No such file' \"$tmp/err\""
check "grep -qx '$tmp/d/ok.txt:5:hello' \"$tmp/out\""
if [ "$(id -u)" -ne 0 ]; then check "grep -q 'locked.txt: Permission denied' \"$tmp/err\""; fi

# Usage errors.
"$bin" >/dev/null 2>&1; check "[ $? -eq 2 ]"
"$bin" -e x >/dev/null 2>&1; check "[ $? -eq 2 ]"
"$bin" --bogus -e x "$tmp/a.txt" >/dev/null 2>&1; check "[ $? -eq 2 ]"
"$bin" -e 'x*' "$tmp/a.txt" >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 2 ] && grep -q 'empty string' \"$tmp/err\""

if [ $fail -eq 0 ]; then echo "cli: 1 passed, 0 failed"; else echo "cli: 0 passed, 1 failed"; fi
exit $fail
