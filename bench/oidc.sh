#!/usr/bin/env bash
# OpenID Connect provider benchmark: token endpoint (authorization-code
# exchanges with PKCE) and userinfo throughput over HTTP with wrk, beside a
# /healthz baseline under the same load, plus the cost of one argon2id
# verification. Usage: bench/oidc.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk from Debian's packages"
  if [ "$(id -u)" = 0 ]; then s=""; else s="sudo"; fi
  $s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --locked -p egov -p egov-bench
work="$(mktemp -d)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
EGOV_LOG=warn target/release/egov serve --demo --data-dir "$work" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

target/release/egov-bench argon2
echo

# One exchange by hand gives the access token userinfo is measured with.
verifier="egov-bench-pkce-verifier-0123456789-abcdefghijklmnop"
redirect="http://127.0.0.1:9/callback"
code=$(target/release/egov-bench oidc-codes "$work" "$base" 1)
token=$(curl -fsS -X POST "$base/oidc/token" \
  --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode client_id=egov-demo \
  --data-urlencode "code_verifier=$verifier" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[ -n "$token" ] || { echo "bench: no access token"; exit 1; }

# Enough single-use codes for the token run (codes live 60 s: made just before).
codes=$((duration * 2000))
target/release/egov-bench oidc-codes "$work" "$base" "$codes" >"$work/codes.txt"

threads=2
connections=32
printf 'over HTTP: wrk -t%s -c%s -d%ss, server and load generator share the 2 cores\n' "$threads" "$connections" "$duration"
printf '%-34s %12s %10s %10s %8s\n' case "requests/s" "p50 (ms)" "p99 (ms)" errors
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.2f", v*1000; else print v }'; }
run() {
  local label="$1"; shift
  local out rps p50 p99 errors
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {n+=1} END {print n+0}' <<<"$out")
  printf '%-34s %12s %10s %10s %8s\n' "$label" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$errors"
}
run "baseline: GET /healthz" "$base/healthz"
run "GET /oidc/userinfo (bearer)" -H "Authorization: Bearer $token" "$base/oidc/userinfo"
export CODES="$work/codes.txt" VERIFIER="$verifier" REDIRECT="$redirect" THREADS="$threads"
run "POST /oidc/token (code + PKCE)" -s bench/wrk/token.lua "$base/oidc/token"
echo "(token errors > 0 means the run used up the $codes codes made for it)"
