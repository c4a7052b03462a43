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
ctest --test-dir "$BUILD" --output-on-failure -j2 "$@"
