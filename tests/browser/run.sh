#!/usr/bin/env bash
# Browser tests: builds egov, installs what they need when missing (Debian's
# chromium, playwright-core and axe-core from npm; never a browser download),
# and runs them with node's test runner.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

cargo build --locked -p egov --bin egov
export EGOV_BIN="$PWD/target/debug/egov"

cd "$here"
# Small and quick: always install exactly what package-lock.json names.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=1 ./*.test.mjs
