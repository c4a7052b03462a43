#!/bin/sh
# The soak (README.md, "Reliability"): builds the benchmark's optimised
# tree without sanitizers, then runs bench/mc-soak under umockdev-wrapper:
# N checks from concurrent clients while the simulated host changes (sysfs
# attributes and uevents, mdev instances, hotplugged parents, rewritten
# data files and descriptors). It prints the checks answered, the
# unexpected answers (0 to pass) and the daemon's VmRSS and open files at
# the start, half way and the end; exit status 0 when all is well.
#   tools/soak.sh                 1,000,000 checks from 4 clients
#   tools/soak.sh --checks 20000  a small pass (CI)
#   tools/soak.sh --clients N --interval-ms MS
# MC_BENCH_BUILD_DIR names the build directory (default build-bench).
set -eu
cd "$(dirname "$0")/.."

tools/install-deps.sh
BUILD=${MC_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMC_SANITIZE=OFF >/dev/null
# Only what the soak runs: migcompatd, the stand-in program, mc-soak.
cmake --build "$BUILD" -j"$(nproc)" --target mc-soak >/dev/null
exec umockdev-wrapper "$BUILD/bench/mc-soak" "$@"
