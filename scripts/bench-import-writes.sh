#!/usr/bin/env bash
# Web edits during a long import (BENCHMARKS.md, issue 14): a release binary
# serves the demo data; `revita import observations` loads ROWS rows into
# the same SQLite file while a logged-in administrator changes the registry
# (a monitoring line) once a second through the web form. Prints each
# edit's status and time, the slowest, and the import's wall time.
#
# Needs: cargo, curl, python3, /usr/bin/time. BIN=path/to/revita measures
# another build (e.g. an older commit's).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$PWD/target/release/revita"
fi
ROWS="${ROWS:-10000000}"
PORT="${PORT:-18081}"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && exec "$BIN" serve --demo --port "$PORT" > "$work/serve.log" 2>&1) &
server=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -sf "$base/health" > /dev/null && break; sleep 0.5; done
db="$work/revita-demo.sqlite"

# 100 indicators × the demo's counties × enough years, in an order unlike the key's.
"$BIN" region descendants 000000 --level county --database-url "$db" | cut -f1 > "$work/counties.txt"
python3 - "$work" "$ROWS" <<'PY'
import sys
work, rows = sys.argv[1], int(sys.argv[2])
counties = open(f"{work}/counties.txt").read().split()
with open(f"{work}/indicators.csv", "w") as f:
    f.write("code,name_zh,unit,aggregation\n")
    for k in range(100):
        f.write(f"bench_{k:03},基准指标{k},units,sum\n")
with open(f"{work}/observations.csv", "w", buffering=1 << 20) as f:
    f.write("region_code,indicator,period,value\n")
    n = 0
    year = 1000
    while n < rows:
        for c in counties:
            for k in range(100):
                if n == rows:
                    break
                f.write(f"{c},bench_{k:03},{year},{n % 997}.5\n")
                n += 1
        year += 1
PY
"$BIN" import indicators "$work/indicators.csv" --database-url "$db" > /dev/null

jar="$work/cookies"
login_token=$(curl -s -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "name=admin" --data-urlencode "password=national-view-2020" \
  --data-urlencode "next=/" --data-urlencode "csrf=$login_token" "$base/login"
csrf=$(curl -s -b "$jar" "$base/monitoring/lines" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$csrf" ] || { echo "cannot log in to the demo server" >&2; exit 1; }

echo "importing $ROWS rows while editing once a second…"
/usr/bin/time -f "import: %e s, %M KB" "$BIN" import observations "$work/observations.csv" --no-progress \
  --database-url "$db" > "$work/import.log" 2> "$work/import.time" &
import=$!
i=0
while kill -0 "$import" 2>/dev/null; do
  i=$((i + 1))
  curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_total}\n' \
    -d "csrf=$csrf&region=520000&year=2030&amount=$((6000 + i))&rule=fixed&multiple=" "$base/monitoring/lines" >> "$work/writes.log"
  sleep 1
done
wait "$import" || { echo "the import failed:"; cat "$work/import.time"; }
tail -n 1 "$work/import.time"
echo "edits during the import: $(wc -l < "$work/writes.log"), answered: $(cut -d' ' -f1 "$work/writes.log" | sort | uniq -c | tr '\n' ' ')"
echo "edit time: median $(cut -d' ' -f2 "$work/writes.log" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s, slowest $(cut -d' ' -f2 "$work/writes.log" | sort -n | tail -n 1) s"
