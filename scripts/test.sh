#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs dependencies, builds every
# target with -Wall -Wextra -Werror twice and runs every test with ctest each
# time: g++ 12 under AddressSanitizer + UndefinedBehaviorSanitizer, then
# clang 14 (warning-free on both compilers).
#   FLOW_TEST_RELEASE=1 bash scripts/test.sh   also runs the suite on an
#                                              optimized build first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs=$(nproc)
# The suites mostly wait (processes, timers, a delayed provider): one more
# than the cores keeps them busy. The e2e suite is one ctest test per file.
test_jobs=$((jobs + 1))
run_suite() {
  local dir=$1; shift
  echo "== configure $dir ($*)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  echo "== build $dir"
  cmake --build "$dir" -j "$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure --timeout 900 -j "$test_jobs")
}

if [ "${FLOW_TEST_RELEASE:-0}" = 1 ]; then
  run_suite build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"  # a leak of libedit's own (the file says which)
# CI time: the libraries compiled eight files per translation unit, and line
# tables only (-g1: a sanitizer's report still names file and line).
ci=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DFLOW_UNITY_LIBS=ON)
run_suite build/sanitize -DCMAKE_CXX_COMPILER=g++ "${ci[@]}" -DFLOW_SANITIZE=ON
run_suite build/clang -DCMAKE_CXX_COMPILER=clang++-14 "${ci[@]}"
