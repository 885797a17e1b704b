#!/usr/bin/env bash
# A local Parley cluster without Docker: a single-node Kafka broker (KRaft, jars
# from Maven Central), a throwaway PostgreSQL, a sequencer, a sink and two
# gateways on http://localhost:8080 and :8081 serving the web app. Ctrl-C (or
# any exit) stops every process and both services. Idempotent: running it again
# reuses the broker's data under $PARLEY_CLUSTER_DIR.
#
#   bash scripts/local-cluster.sh [extra `parley start` flags, e.g. --dev]
#
# The test suite starts the same services through scripts/kafka/start.sh and
# scripts/postgres/start.sh (see scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
dir="${PARLEY_CLUSTER_DIR:-${TMPDIR:-/tmp}/parley-local-cluster}"
mkdir -p "$dir"
export PARLEY_PG_STATE="$dir/pg.state" PARLEY_KAFKA_RECORD_CURRENT=0
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/postgres/stop.sh >&2 || true
  bash scripts/kafka/stop.sh "$dir/kafka" >&2 || true
  exit 0
}
trap cleanup EXIT INT TERM

kafka="$(bash scripts/kafka/start.sh "$dir/kafka")"
pg="$(bash scripts/postgres/start.sh)"
secret="${PARLEY_JWT_SECRET:-$(head -c 32 /dev/urandom | base64)}"
common=(--kafka "$kafka" --postgres "$pg" --jwt-secret "$secret" --web-root apps/web/dist "$@")
start_role() {
  local name="$1"
  shift
  node packages/server/dist/cli/main.js start --data-dir "$dir/$name" "$@" "${common[@]}" >"$dir/$name.log" 2>&1 &
  pids+=($!)
  echo "[parley] $name started (pid $!, log $dir/$name.log)" >&2
}
start_role sequencer --role sequencer --port 0
start_role sink --role sink --port 0
start_role gateway-1 --role gateway --port 8080
start_role gateway-2 --role gateway --port 8081
echo "[parley] cluster up: kafka $kafka, postgres $pg, gateways http://localhost:8080 and :8081" >&2
echo "[parley] mint a token: node packages/server/dist/cli/main.js token --user alice --jwt-secret '$secret'" >&2
wait -n "${pids[@]}" || true
echo "[parley] a cluster process exited; stopping the rest (logs in $dir)" >&2
