#!/bin/bash
# The whole test suite: installs what it needs, builds with -Werror under ASan and
# UBSan, and runs the unit tests (cmocka) and the integration tests (real daemon,
# real clients) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --test
build=${BUILD_DIR:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBERTH_WERROR=ON -DBERTH_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"

# The optimized build (RelWithDebInfo, what the README's first command builds) must be
# as clean: GCC's -O2 flow analysis warns about things the debug build does not see.
cmake -S . -B "$build-release" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBERTH_WERROR=ON >/dev/null
cmake --build "$build-release" -j"$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure --timeout 900
