#!/usr/bin/env bash
# Household screening (issue 7, bench/SPEC.md B1): revita beside DuckDB, Polars
# and pandas on the same generated files, in one run, with wall time and peak
# memory (resident set, from /usr/bin/time) for each, and every output checked
# against DuckDB's with the kit's check.py. Each tool runs RUNS times (default
# 3), interleaved with the others; the table shows its fastest run (the
# machine is shared, so the slower runs measure the neighbours) and its
# largest peak memory.
#
#   bash scripts/bench-screen.sh                   # 10M households, CSV and Parquet
#   ROWS=30000000 TOOLS="revita duckdb polars" bash scripts/bench-screen.sh
#                                                  # 30M (2.2 GB of CSV; pandas would need ~20 GB)
#
# Environment: KIT (the benchmark kit, default ../shared/bench), ROWS, FORMATS, RUNS, TOOLS,
# WORK (keep inputs there; default a temporary dir removed at the end), PY.
# The kit's Python requirements must be installed (pip install -r $KIT/requirements.txt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIT="${KIT:-$ROOT/../shared/bench}"
ROWS="${ROWS:-10000000}"
FORMATS="${FORMATS:-csv parquet}"
RUNS="${RUNS:-3}"
TOOLS="${TOOLS:-revita duckdb polars pandas}"
PY="${PY:-python3}"
LINE=7600

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
REVITA="$ROOT/target/release/revita"
if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; else WORK="$(mktemp -d -t revita-screen.XXXXXX)"; trap 'rm -rf "$WORK"' EXIT; fi
[ -f "$WORK/households.csv" ] || "$PY" "$KIT/gen.py" b1 --rows "$ROWS" --out "$WORK" >&2

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); rows=$ROWS; best of $RUNS runs"
printf '%-8s %-8s %8s %10s %9s  %s\n' format tool wall_s peak_MB x-revita check
for fmt in $FORMATS; do
  declare -A WALL=() MEM=()
  for run in $(seq "$RUNS"); do
    for tool in $TOOLS; do
      out="$WORK/out_${tool}_$fmt.csv"
      if [ "$tool" = revita ]; then
        cmd=("$REVITA" screen "$WORK/households.$fmt" --line "$LINE" --out "$out" --no-progress)
      else
        cmd=("$PY" "$KIT/peers/b1_$tool.py" --input "$WORK/households.$fmt" --out "$out" --line "$LINE")
      fi
      sleep 1 # let the previous tool's exit (pandas frees gigabytes) settle
      /usr/bin/time -f '%e %M' -o "$WORK/time" "${cmd[@]}" > /dev/null
      read -r wall kb < "$WORK/time"
      if [ -z "${WALL[$tool]:-}" ] || [ "$(echo "$wall < ${WALL[$tool]}" | bc)" = 1 ]; then WALL[$tool]=$wall; fi
      if [ "$((kb / 1024))" -gt "${MEM[$tool]:-0}" ]; then MEM[$tool]=$((kb / 1024)); fi
    done
  done
  for tool in $TOOLS; do
    verdict=$("$PY" "$KIT/check.py" b1 "$WORK/out_${tool}_$fmt.csv" "$WORK/out_duckdb_$fmt.csv" | tail -1)
    ratio=$(echo "scale=2; ${WALL[$tool]} / ${WALL[revita]}" | bc)
    printf '%-8s %-8s %8s %10s %9s  %s\n' "$fmt" "$tool" "${WALL[$tool]}" "${MEM[$tool]}" "$ratio" "$verdict"
  done
  unset WALL MEM
done
