#!/usr/bin/env bash
# The main job: the seed scenario end to end. Builds Flow and the local OAuth2
# provider, starts the provider on 127.0.0.1 with strict refresh-token
# rotation, and runs examples/token_refresh.flow with the daemon on a short
# interval: several refreshes, each using the refresh token the previous one
# was given. Then it stops the daemon, starts it again on the same store to
# show the rotated token survived, prints the store and the provider's
# counters, and last runs the seed's own tests (flow test: mocked HTTP, a
# virtual clock).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${FLOW_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target flow oauth2_provider
flow="$build/flow"

work=$(mktemp -d /tmp/flow-demo.XXXXXX)
provider_pid=
cleanup() {
  [ -n "$provider_pid" ] && kill "$provider_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# The provider: client credentials, one initial refresh token, 3600 s tokens.
"$build/oauth2_provider" --port 0 --client-id demo-client --client-secret demo-client-secret-0123456789 \
  --refresh-token initial-refresh-token-0123456789abcdef --expires-in 3600 >"$work/provider.out" 2>"$work/provider.err" &
provider_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/provider.out" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/provider.out")
[ -n "$port" ] || { echo "demo: the provider did not start"; cat "$work/provider.err"; exit 1; }
echo "== OAuth2 provider on 127.0.0.1:$port"

export TOKEN_BASE_URL="http://127.0.0.1:$port"
export CLIENT_ID=demo-client CLIENT_SECRET=demo-client-secret-0123456789
export REFRESH_TOKEN=initial-refresh-token-0123456789abcdef

# The seed file as written, with its 55-minute schedule shortened for the demo.
sed 's/every 55 minutes;/every 2 seconds;/' examples/token_refresh.flow >"$work/token_refresh.flow"
db="$work/flow.db"

echo "== flow check"
"$flow" check "$work/token_refresh.flow" && echo "clean"

echo "== flow run (7 s): refreshes every 2 s, each with the token the last one got"
"$flow" run "$work/token_refresh.flow" --db "$db" --for 7s

echo "== flow run again on the same store (5 s): continues with the rotated token"
"$flow" run "$work/token_refresh.flow" --db "$db" --for 5s

echo "== flow instances show TK-1 (secrets masked)"
"$flow" instances show TK-1 --db "$db"

echo "== flow tasks list"
"$flow" tasks list "$work/token_refresh.flow" --db "$db"

echo "== provider stats"
curl -s "http://127.0.0.1:$port/stats"; echo

echo "== flow test: the seed's own tests (mocked HTTP, a virtual clock; nothing on the network)"
"$flow" test examples/token_refresh_test.flow

failed=$("$flow" tasks history "Refresh access token" --db "$db" --limit 1000 | grep -c FAILED || true)
ok=$("$flow" tasks history "Refresh access token" --db "$db" --limit 1000 | grep -c " ok " || true)
echo "== $ok refreshes succeeded, $failed failed"
[ "$failed" -eq 0 ] && [ "$ok" -ge 3 ]
