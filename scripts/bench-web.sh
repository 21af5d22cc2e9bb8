#!/usr/bin/env bash
# Web benchmark (BENCHMARKS.md): a release binary serves the demo data on
# loopback; wrk measures requests/s and latency of the region JSON, the
# region profile (JSON and HTML) and the cached all-county map; curl times
# the first (uncached) renders. Then the same region page is read by 64
# connections while a writer changes the registry once a second (issue 14),
# with the server's resident memory before and after.
#
# Needs: cargo, curl, wrk (Debian package wrk). Requests are made as the
# demo's logged-in national administrator. BIN=path/to/revita measures
# another build (e.g. an older commit's, for a before/after comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$PWD/target/release/revita"
fi
PORT="${PORT:-18080}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
WRITE_DURATION="${WRITE_DURATION:-30}"
work=$(mktemp -d)
trap 'kill $server $writer 2>/dev/null || true; rm -rf "$work"' EXIT
writer=""
(cd "$work" && exec "$BIN" serve --demo --port "$PORT" > "$work/serve.log" 2>&1) &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
base="http://127.0.0.1:$PORT"
jar="$work/cookies"
# Log in as the demo's national administrator (the login form carries its
# own CSRF token in newer builds; older ones ignore the field).
login_token=$(command curl -s -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
command curl -s -o /dev/null -c "$jar" -b "$jar" \
  --data-urlencode "name=admin" --data-urlencode "password=national-view-2020" \
  --data-urlencode "next=/" --data-urlencode "csrf=$login_token" "$base/login"
session=$(awk '$6 == "revita_session" { print "revita_session=" $7 }' "$jar")
[ -n "$session" ] || { echo "cannot log in to the demo server" >&2; exit 1; }
curl() { command curl -H "Cookie: $session" "$@"; }
rss() { awk '/VmRSS/ { print int($2 / 1024) " MB" }' "/proc/$server/status"; }

echo "first render of the all-county map (uncached): $(curl -s -o /dev/null -w '%{time_total}' "$base/maps/map.svg?level=county") s"
echo "second request (cached):                       $(curl -s -o /dev/null -w '%{time_total}' "$base/maps/map.svg?level=county") s"
echo "first render of a county profile (uncached):  $(curl -s -o /dev/null -w '%{time_total}' "$base/regions/520402") s"
for path in "/api/v1/regions/520402" "/api/v1/regions/520402/profile" "/regions/520402" "/maps/map.svg?level=county"; do
  curl -s -o /dev/null "$base$path" # warm the cache
  echo "== $path"
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $session" "$base$path" | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|99)%|Latency  "
done

# Reads while someone writes: one change of the registry (a monitoring line)
# a second, 64 connections reading a county page.
csrf=$(curl -s "$base/monitoring/lines" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$csrf" ] || { echo "no form token on /monitoring/lines" >&2; exit 1; }
(
  i=0
  while true; do
    i=$((i + 1))
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
      -d "csrf=$csrf&region=520000&year=2030&amount=$((6000 + i))&rule=fixed&multiple=" "$base/monitoring/lines" >> "$work/writes.log"
    sleep 1
  done
) &
writer=$!
echo "== /regions/520402 while the registry changes once a second (64 connections, ${WRITE_DURATION}s)"
echo "resident memory before: $(rss)"
wrk -t2 -c64 -d"${WRITE_DURATION}s" --timeout 60s --latency -H "Cookie: $session" "$base/regions/520402" \
  | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%|Latency  "
kill "$writer" 2>/dev/null || true
writer=""
echo "resident memory after:  $(rss)"
echo "writes: $(wc -l < "$work/writes.log") ($(grep -vc '^303 ' "$work/writes.log" || true) not answered 303), slowest $(sort -k2 -n "$work/writes.log" | tail -n 1 | cut -d' ' -f2) s"
