#!/usr/bin/env bash
# Web benchmark (BENCHMARKS.md): the release binary serves the demo data on
# loopback; wrk measures requests/s and latency of the region JSON, the
# region profile (JSON and HTML) and the cached all-county map; curl times
# the first (uncached) render of the all-county map.
# Needs: cargo, curl, wrk (Debian package wrk). Requests are made as the
# demo's logged-in national administrator.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
PORT="${PORT:-18080}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && exec "$OLDPWD/target/release/revita" serve --demo --port "$PORT" > "$work/serve.log" 2>&1) &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
base="http://127.0.0.1:$PORT"
# Log in as the demo's national administrator; every request carries the session.
session=$(curl -s -o /dev/null -D - -d 'name=admin&password=national-view-2020&next=/' "$base/login" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(revita_session=[^;]*\).*/\1/p')
[ -n "$session" ] || { echo "cannot log in to the demo server" >&2; exit 1; }
curl() { command curl -H "Cookie: $session" "$@"; }
echo "first render of the all-county map (uncached): $(curl -s -o /dev/null -w '%{time_total}' "$base/maps/map.svg?level=county") s"
echo "second request (cached):                       $(curl -s -o /dev/null -w '%{time_total}' "$base/maps/map.svg?level=county") s"
echo "first render of a county profile (uncached):  $(curl -s -o /dev/null -w '%{time_total}' "$base/regions/520402") s"
for path in "/api/v1/regions/520402" "/api/v1/regions/520402/profile" "/regions/520402" "/maps/map.svg?level=county"; do
  curl -s -o /dev/null "$base$path" # warm the cache
  echo "== $path"
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $session" "$base$path" | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|99)%|Latency  "
done
