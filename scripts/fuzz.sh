#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a while:
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# Seeds: the project's own .flow files. A crash leaves its input in
# build/fuzz/crashes/; make it a regression test in the suite it belongs to.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
apt-get install -y --no-install-recommends clang >/dev/null
seconds=${1:-60}
build=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFLOW_FUZZ=ON -DFLOW_SANITIZE=ON -DFLOW_TESTS=OFF -DFLOW_MIMALLOC=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target check_fuzz expr_fuzz response_fuzz

mkdir -p "$build/crashes" "$build/corpus/check" "$build/corpus/expr" "$build/corpus/response"
seeds=$(find examples tests/check tests/grammar/golden -name '*.flow')
cp $seeds "$build/corpus/check/"
# Expressions: the right-hand sides of the seeds' `set` and `=` lines.
grep -hoE '= [^;{]+;' $seeds | sed -E 's/^= //; s/;$//' | sort -u | split -l 1 - "$build/corpus/expr/seed-"
printf '\x00{"access_token":"a","expires_in":3600,"items":[{"id":1}],"a":{"b":[0,1,{"c":{"d":2}}]}}' \
  >"$build/corpus/response/json"
printf '\x03120\n<html>busy</html>' >"$build/corpus/response/retry"

status=0
for target in check expr response; do
  echo "== $target: $seconds s"
  log="$build/$target.log"
  if ! "$build/fuzz/${target}_fuzz" "$build/corpus/$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -dict=fuzz/flow.dict -artifact_prefix="$build/crashes/${target}-" \
      -print_final_stats=1 >"$log" 2>&1; then
    status=1
  fi
  grep -E '^(==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units|stat::new_units_added|.*Test unit written)' "$log" || true
done
[ $status -eq 0 ] && echo "no crash" || echo "crashes: see $build/crashes/ and $build/*.log"
exit $status
