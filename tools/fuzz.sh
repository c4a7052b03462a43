#!/bin/sh
# Build migcompat's libFuzzer targets with clang (ASan + UBSan, coverage in
# the code under test) and run each one; print per target the executions
# and the crashes. tests/fuzz/README says what each target reads.
#
#   tools/fuzz.sh [-r RUNS] [-t SECONDS] [-l MAX_LEN] [TARGET...]
#
#   -r RUNS     executions per target (default 10000000)
#   -t SECONDS  stop a target after this long instead (libFuzzer's
#               -max_total_time; with -r too, whichever comes first)
#   -l MAX_LEN  largest input, bytes (default 8192)
#   TARGET      engine, attrs, bus, domain (default: all)
#
# Each target starts from its corpus in tests/fuzz/ and works on a copy in
# the build directory ($MC_FUZZ_BUILD_DIR, default build-fuzz), so the tree
# stays clean; a crashing input is left in $MC_FUZZ_BUILD_DIR/crashes/ (add
# it to the target's corpus once fixed). Exits 1 when any target crashed.
# Installs clang and the libFuzzer runtime when they are missing (CI does
# not need them: the corpora are replayed by ctest in every build).
set -eu
cd "$(dirname "$0")/.."

RUNS=10000000
TIME=""
MAX_LEN=8192
while getopts r:t:l:h opt; do
        case "$opt" in
        r) RUNS=$OPTARG ;;
        t) TIME=$OPTARG ;;
        l) MAX_LEN=$OPTARG ;;
        *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
        esac
done
shift $((OPTIND - 1))
TARGETS=${*:-engine attrs bus domain}

tools/install-deps.sh
missing=""
for p in clang libclang-rt-14-dev; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
        echo "Installing:$missing" >&2
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
        # shellcheck disable=SC2086
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

BUILD=${MC_FUZZ_BUILD_DIR:-build-fuzz}
CC=clang cmake -S . -B "$BUILD" -DMC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=""
for t in $TARGETS; do targets="$targets fuzz-$t"; done
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$(nproc)" --target $targets >/dev/null

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export G_SLICE=always-malloc
mkdir -p "$BUILD/crashes"
status=0
printf '%-8s %12s %8s %8s %10s\n' target executions crashes seconds exec/s
for t in $TARGETS; do
        corpus=tests/fuzz/corpus-$t
        [ "$t" = engine ] && corpus=tests/fuzz/corpus
        work="$BUILD/corpus/$t"
        mkdir -p "$work"
        log="$BUILD/fuzz-$t.log"
        set -- -runs="$RUNS" -max_len="$MAX_LEN" -print_final_stats=1 \
                -artifact_prefix="$BUILD/crashes/$t-"
        [ -n "$TIME" ] && set -- "$@" -max_total_time="$TIME"
        before=$(find "$BUILD/crashes" -name "$t-*" | wc -l)
        start=$(date +%s)
        if ! "$BUILD/tests/fuzz-$t" "$@" "$work" "$corpus" >"$log" 2>&1; then
                status=1
        fi
        secs=$(( $(date +%s) - start ))
        after=$(find "$BUILD/crashes" -name "$t-*" | wc -l)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
        crashes=$((after - before))
        [ "$crashes" -gt 0 ] && status=1
        printf '%-8s %12s %8s %8s %10s\n' "$t" "${execs:-?}" "$crashes" "$secs" \
                "$([ "$secs" -gt 0 ] && echo $(( ${execs:-0} / secs )) || echo -)"
        [ "$crashes" -eq 0 ] || echo "  see $log and $BUILD/crashes/$t-*" >&2
done
exit $status
