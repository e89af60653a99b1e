#!/usr/bin/env bash
# The test command: installs what is missing, builds with -Wall -Wextra -Werror,
# runs every test, then builds again under AddressSanitizer +
# UndefinedBehaviorSanitizer and runs every test once more.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

jobs=$(nproc)
echo "== build (build/)"
scripts/build.sh build
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build under ASan+UBSan (build-asan/)"
scripts/build.sh build-asan -DPC_SANITIZE=ON
echo "== tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
