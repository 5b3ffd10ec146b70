#!/usr/bin/env bash
# Builds the benchmarks (Release) and prints every figure the issues ask for,
# measured side by side in one run on this machine:
#   bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=build/bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOW_BENCH=ON -DFLOW_TESTS=OFF >/dev/null
targets=$(sed -n 's/^add_executable(\([a-z_]*\).*/\1/p' bench/CMakeLists.txt | tr '\n' ' ')
cmake --build "$build" -j "$(nproc)" --target $targets oauth2_provider flow

echo "== parse + check (issue 3)"
"$build/bench/bench_parse_check" 10000

echo
echo "== rules per second (issue 4): items_per_second = rules/s"
"$build/bench/bench_rules" --benchmark_min_time=0.5

if [ -x "$build/bench/bench_refresh" ]; then
  echo
  echo "== chained refreshes against the local provider (issue 5)"
  FLOW_PROVIDER_BIN="$build/oauth2_provider" "$build/bench/bench_refresh"
fi
