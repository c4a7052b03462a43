#!/bin/sh
# Build migcompat with AddressSanitizer and UndefinedBehaviorSanitizer and
# run the whole test suite. The second README set-up command, and what CI runs.
#   tools/test.sh [extra ctest arguments...]
set -eu
cd "$(dirname "$0")/.."

tools/install-deps.sh
BUILD=${MC_BUILD_DIR:-build-test}
cmake -S . -B "$BUILD" -DMC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
# A failed test runs once more: test-export has seen migcompatd never
# become ready (an empty log, 60 s) under load, 3 times in about a dozen
# runs; the cause is not found yet. The failure stays in the output.
ctest --test-dir "$BUILD" --output-on-failure -j2 --repeat until-pass:2 "$@"
