#!/usr/bin/env bash
# Dossier benchmark: durable submissions per second (draft, values, one PDF
# upload, submit) with p50/p99 of the whole submission and of each request,
# public status lookups per second (p50/p99), and the server's memory after
# the load — on SQLite, then on PostgreSQL (a fresh database). Each table has
# a GET /healthz baseline measured in the same run under the same
# concurrency: compare ratios, not absolute numbers, on a shared machine.
#
# The table is measured by `egov-bench dossiers` (Rust, reqwest); the lookup
# and its baseline are measured again with wrk, a lighter load generator (the
# server and the load generator share the cores).
#
# Usage: bench/dossiers.sh [SECONDS_PER_CASE] [CONCURRENCY]
# PostgreSQL: EGOV_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres)
# names a server where the script may create and drop a database; set it to
# "" to skip PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
concurrency="${2:-32}"
pg_server="${EGOV_BENCH_POSTGRES-postgres://postgres@127.0.0.1:5432/postgres}"
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk from Debian's packages"
  if [ "$(id -u)" = 0 ]; then s=""; else s="sudo"; fi
  $s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --locked -p egov -p egov-bench
work="$(mktemp -d)"
pg_db=""
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql -q "$pg_server" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The public lookup is rate limited per client address (30 at once, then one
# every 2 s by default); the load generator is one address, so the limit is
# lifted for the benchmark only.
limits=(--lookup-burst 1000000000 --lookup-interval-ms 1)

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.2f", v*1000; else print v }'; }
wrk_row() {
  local label="$1"; shift
  local out rps p50 p99 errors
  out=$(wrk -t2 -c"$concurrency" -d"${duration}s" --latency "$@")
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {n+=1} END {print n+0}' <<<"$out")
  printf '%-46s %10s %10s %10s %8s\n' "$label" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$errors"
}
memory() { awk '/^VmRSS|^VmHWM/ {printf "%s %.0f MiB  ", $1, $2/1024}' "/proc/$1/status"; echo; }

bench() {
  local label="$1"; shift
  local port=$((20000 + RANDOM % 20000))
  local base="http://127.0.0.1:$port"
  EGOV_LOG=warn target/release/egov serve --demo --listen "127.0.0.1:$port" "${limits[@]}" "$@" \
    >"$work/server-$label.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS "$base/healthz" >/dev/null || { cat "$work/server-$label.log"; exit 1; }
  target/release/egov-bench dossiers "$base" --label "$label" --pid "$server" \
    --concurrency "$concurrency" --seconds "$duration" --codes-out "$work/codes-$label.txt"
  echo "the same with wrk -t2 -c$concurrency -d${duration}s:"
  wrk_row "baseline: GET /healthz" "$base/healthz"
  CODES="$work/codes-$label.txt" wrk_row "GET /api/v1/public/dossiers/{code}" -s bench/wrk/lookup.lua "$base"
  printf 'server memory at the end: '; memory "$server"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
  echo
}

bench sqlite --data-dir "$work/sqlite"

if [ -n "$pg_server" ] && command -v psql >/dev/null 2>&1 && psql -q "$pg_server" -c "SELECT 1" >/dev/null 2>&1; then
  pg_db="egov_bench_$$"
  psql -q "$pg_server" -c "CREATE DATABASE $pg_db" >/dev/null
  bench postgres --database-url "${pg_server%/*}/$pg_db" --data-dir "$work/postgres"
else
  echo "postgres: skipped (no psql, or cannot connect to EGOV_BENCH_POSTGRES=$pg_server)"
fi
