#!/usr/bin/env bash
# `npm test`: the whole suite. Installs and builds first, checks formatting and lint (eslint.config.js),
# installs Chromium and nats-server if missing, starts a throwaway Kafka broker and PostgreSQL
# (unless PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL point at running ones), runs
# every compiled test file with Node's test runner, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npx prettier --check . >/dev/null || { npx prettier --check . ; echo "formatting: run 'npm run format'"; exit 1; }
# Type-aware, so it takes about half a minute of CPU; warnings fail it too.
npx eslint . --max-warnings 0 || {
  echo "lint: fix the problems above ('npm run lint' checks again); eslint.config.js says why each rule is on"
  exit 1
}
node scripts/check-imports.mjs
bash scripts/ensure-debian-packages.sh

started_pg=""
kafka_dir=""
cleanup() {
  if [ -n "$started_pg" ]; then bash scripts/postgres/stop.sh >&2 || true; fi
  if [ -n "$kafka_dir" ]; then bash scripts/kafka/stop.sh "$kafka_dir" --purge >&2 || true; fi
}
trap cleanup EXIT

# PostgreSQL for the store, sink and cluster tests; its own state file so a developer's instance is untouched.
export PARLEY_PG_STATE="${TMPDIR:-/tmp}/parley-pg-test.$$.state"
if [ -z "${PARLEY_TEST_PG_URL:-}" ]; then
  echo "[parley] starting a throwaway PostgreSQL…"
  started_pg=1
  PARLEY_TEST_PG_URL="$(bash scripts/postgres/start.sh)"
  export PARLEY_TEST_PG_URL
fi

# A single-node KRaft Kafka broker (jars fetched from Maven Central once, cached in .kafka/).
if [ -z "${PARLEY_TEST_KAFKA:-}" ]; then
  echo "[parley] starting a throwaway Kafka broker…"
  kafka_dir="$(mktemp -d "${TMPDIR:-/tmp}/parley-kafka-test.XXXXXX")"
  PARLEY_TEST_KAFKA="$(bash scripts/kafka/start.sh "$kafka_dir")"
  export PARLEY_TEST_KAFKA PARLEY_TEST_KAFKA_DIR="$kafka_dir"
fi

mapfile -t files < <(find packages apps bench examples -path '*/dist*/*' -name '*.test.js' -not -path '*/node_modules/*' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
# The timeout is per file as well as per test: the redistributed chaos files start their own broker, fault for up to
# 100 s and settle for up to 45 s, which on a loaded 2-core box took over 180 s once.
node --test --test-concurrency=2 --test-timeout=360000 "${files[@]}"
