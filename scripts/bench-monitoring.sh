#!/usr/bin/env bash
# The monitoring page over a registry of a million households (BENCHMARKS.md,
# issue 14): a release binary serves the demo data with the registry
# imported; curl times the first (uncached) page, wrk the page as 64
# connections read it.
#
# Needs: cargo, curl, wrk, and the registry file REGISTRY (default
# /tmp/reg1m.csv, made as BENCHMARKS.md says). BIN=path/to/revita measures
# another build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$PWD/target/release/revita"
fi
REGISTRY="${REGISTRY:-/tmp/reg1m.csv}"
PORT="${PORT:-18082}"
DURATION="${DURATION:-10s}"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/registry.sqlite"
"$BIN" demo --database-url "$db" > /dev/null 2>&1
"$BIN" import households "$REGISTRY" --database-url "$db" > /dev/null
echo 'national-view-2020' | "$BIN" user create admin --role admin --scope 000000 --database-url "$db" > /dev/null 2>&1 || true
(cd "$work" && exec "$BIN" serve --port "$PORT" --database-url "$db" > "$work/serve.log" 2>&1) &
server=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -sf "$base/health" > /dev/null && break; sleep 0.5; done
jar="$work/cookies"
login_token=$(curl -s -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "name=admin" --data-urlencode "password=national-view-2020" \
  --data-urlencode "next=/" --data-urlencode "csrf=$login_token" "$base/login"
session=$(awk '$6 == "revita_session" { print "revita_session=" $7 }' "$jar")
[ -n "$session" ] || { echo "cannot log in to the demo server" >&2; exit 1; }
echo "first /monitoring (uncached): $(curl -s -o /dev/null -H "Cookie: $session" -w '%{time_total}' "$base/monitoring") s"
echo "second:                       $(curl -s -o /dev/null -H "Cookie: $session" -w '%{time_total}' "$base/monitoring") s"
echo "== /monitoring, 64 connections"
wrk -t2 -c64 -d"$DURATION" --timeout 60s --latency -H "Cookie: $session" "$base/monitoring" \
  | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|99)%|Latency  "
