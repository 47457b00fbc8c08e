#!/usr/bin/env bash
# The GPU test suites on a GPU machine that has no toolchain (the H200 device), from the
# prebuilt binaries that scripts/device/prepare.sh put in .device/bin. Each suite runs
# with its tests in parallel under a time limit; a suite still running then is reported
# as hung, with a thread dump when gdb is there, else each thread's name, kernel wait
# channel and CPU ticks from /proc (a thread that spins shows its ticks growing between
# the two samples). Output: stdout and $OUT/gpu-suites.txt.
#
# usage: scripts/device/gpu-suites.sh [REPEAT [LIMIT_S]]
#   REPEAT: runs of scan_gpu (default 1; it hung now and then on the H200 in parallel,
#   BENCHMARKS.md session 8), LIMIT_S: seconds per suite (default 120).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/device/env.sh
[ -d "$dev/bin" ] || { echo "gpu-suites: no .device/bin (run scripts/device/prepare.sh)" >&2; exit 2; }
repeat=${1:-1}
limit=${2:-120}
failed=0

# Threads of process $1: id, name, kernel wait channel, CPU ticks.
threads() {
    local t
    for t in /proc/"$1"/task/*; do
        echo "${t##*/} $(cat "$t/comm") $(cat "$t/wchan" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
    done
}

# Run one suite; on the time limit, dump its threads and kill it.
suite() {
    local name=$1 run=$2 log="$out/$1-$2.log" start=$SECONDS
    (cd "$dev/bin" && exec "./$name") > "$log" 2>&1 &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - start)) -lt "$limit" ]; do sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
        if command -v gdb >/dev/null; then
            gdb -p "$pid" -batch -ex 'thread apply all bt' > "$out/$name-$run-threads.txt" 2>&1
        else
            { threads "$pid"; sleep 2; echo "# 2 s later"; threads "$pid"; } > "$out/$name-$run-threads.txt"
        fi
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "$name run $run: HUNG after ${limit} s ($(grep -c ' ok$' "$log") tests ok)"
        failed=1
        return
    fi
    wait "$pid"
    local rc=$?
    # Rust suites end with a "test result" line, the C tests with their own last line.
    echo "$name run $run: $( (grep -E '^test result' "$log" || tail -1 "$log") | tail -1) rc=$rc"
    [ "$rc" -eq 0 ] || failed=1
}

{
    (nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true) | sed 's/^/# gpu: /'
    for name in gpu_waves gpu_resident gpu_recovery scan_gpu_verify scan_gpu_recovery \
        test_gpu_device test_gpu_dispatch test_gpu_resident test_gpu_recovery \
        test_gpu_custom test_scan_haystack_gpu; do
        [ -x "$dev/bin/$name" ] && suite "$name" 1
    done
    for run in $(seq 1 "$repeat"); do suite scan_gpu "$run"; done
    exit "$failed"
} | tee "$out/gpu-suites.txt"
exit "${PIPESTATUS[0]}"
