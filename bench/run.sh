#!/usr/bin/env bash
# Catalogue search benchmark: in-process p50/p99 and over HTTP (wrk) with
# 7,000 procedures (the 2,642 real ones from ../shared/data, padded with
# generated ones) and all 3,321 current plus 10,035 pre-2025 communes.
# Usage: bench/run.sh [SHARED_DATA] [DURATION_SECONDS]
# Each table has a baseline row measured in the same run: compare ratios, not
# absolute numbers, on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
duration="${2:-10}"
[ -d "$data/procedures" ] || { echo "bench: $data/procedures not found (pass the shared data folder)"; exit 2; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk from Debian's packages"
  if [ "$(id -u)" = 0 ]; then s=""; else s="sudo"; fi
  $s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --locked -p egov -p egov-bench
work="$(mktemp -d)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

target/release/egov-bench prepare "$work" "$data"
echo
target/release/egov-bench search "$work"
echo

port=$((20000 + RANDOM % 20000))
EGOV_LOG=warn target/release/egov serve --data-dir "$work" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

threads=2
connections=32
printf 'over HTTP: wrk -t%s -c%s -d%ss, server and load generator share the 2 cores\n' "$threads" "$connections" "$duration"
printf '%-34s %12s %10s %10s %8s\n' case "requests/s" "p50 (ms)" "p99 (ms)" errors
run() {
  local label="$1" script="$2" path="$3"
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$script" "http://127.0.0.1:$port$path")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {n+=1} END {print n+0}' <<<"$out")
  printf '%-34s %12s %10s %10s %8s\n' "$label" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$errors"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.2f", v*1000; else print v }'; }
run "baseline: GET /healthz" bench/wrk/plain.lua /healthz
run "GET /api/v1/procedures?q=… (16 q)" bench/wrk/search.lua /api/v1/procedures
