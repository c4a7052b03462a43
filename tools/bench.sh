#!/bin/sh
# The benchmark (bench/README.md): builds an optimised tree without
# sanitizers of its own, then runs bench/mc-bench under umockdev-wrapper.
# It prints one table and writes the same figures to bench-results.json
# (or --json FILE).
#   tools/bench.sh            the full run (about ten minutes on 2 cores)
#   tools/bench.sh --small    a quick pass over small hosts (CI; about a minute)
#   tools/bench.sh --strict   exit 3 when a target is not met
#   tools/bench.sh --only check,broker,startup,hotplug,probe,fleet
# MC_BENCH_BUILD_DIR names the build directory (default build-bench).
set -eu
cd "$(dirname "$0")/.."

tools/install-deps.sh
BUILD=${MC_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMC_SANITIZE=OFF >/dev/null
# Only what the benchmark runs: migcompatd, the stand-in program, mc-bench.
cmake --build "$BUILD" -j"$(nproc)" --target mc-bench >/dev/null
exec umockdev-wrapper "$BUILD/bench/mc-bench" "$@"
