#!/usr/bin/env bash
# A local Parley cluster without Docker: a single-node Kafka broker (KRaft, jars
# from Maven Central), a throwaway PostgreSQL, sequencers, a sink and gateways on
# http://localhost:8080, :8081, … serving the web app. Prints "cluster up" once
# every gateway answers /readyz and every other node said it is ready. Ctrl-C
# (or any exit) stops every process and both services. Idempotent: running it
# again reuses the broker's data under $PARLEY_CLUSTER_DIR.
#
#   bash scripts/local-cluster.sh [--gateways N] [--sequencers M] [--redistributors R] [--first-port P] [`parley start` flags, e.g. --dev]
#
# Defaults: 2 gateways (ports P, P+1, …; P = 8080), 1 sequencer, 1 sink; with
# `--routing redistributed` or `auto` (docs/cluster.md, "Routing") also R = 1 redistributor.
# Env: PARLEY_CLUSTER_DIR (logs and broker data; default a per-user dir in $TMPDIR),
# PARLEY_CLUSTER_KAFKA (use this running broker instead of starting one),
# PARLEY_TEST_PG_URL (use this PostgreSQL instead of starting one, as scripts/postgres/start.sh does),
# PARLEY_JWT_SECRET (the gateways' token secret; default a random one, printed without --dev),
# PARLEY_SKIP_BUILD=1 (no install or build: run the tree as it is).
#
# The test suite starts the same services through scripts/kafka/start.sh and
# scripts/postgres/start.sh (see scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "local-cluster.sh: $1 (usage: bash scripts/local-cluster.sh [--gateways N] [--sequencers M] [--redistributors R] [--first-port P] [parley start flags])" >&2
  exit 2
}
gateways=2 sequencers=1 redistributors="" first_port=8080 dev=0 routing="${PARLEY_ROUTING:-everything}"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --gateways | --sequencers | --redistributors | --first-port)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage "$1 needs a positive number"
      case "$1" in
        --gateways) gateways="$2" ;;
        --sequencers) sequencers="$2" ;;
        --redistributors) redistributors="$2" ;;
        --first-port) first_port="$2" ;;
      esac
      shift 2
      ;;
    --dev | --dev=true) dev=1 && extra+=("$1") && shift ;;
    --routing) routing="${2:-}" && extra+=("$1" "${2:-}") && shift 2 ;;
    --routing=*) routing="${1#--routing=}" && extra+=("$1") && shift ;;
    *) extra+=("$1") && shift ;;
  esac
done
case "${PARLEY_DEV:-}" in true | 1 | yes | on) dev=1 ;; esac
# Redistributed (and auto) gateways read no events partition (auto: at times): someone must forward to them.
[ -n "$redistributors" ] || { [ "$routing" != everything ] && redistributors=1 || redistributors=0; }

[ -n "${PARLEY_SKIP_BUILD:-}" ] || bash scripts/ensure-deps.sh
dir="${PARLEY_CLUSTER_DIR:-${TMPDIR:-/tmp}/parley-local-cluster-$(id -u)}"
mkdir -p "$dir"
export PARLEY_PG_STATE="$dir/pg.state" PARLEY_KAFKA_RECORD_CURRENT=0
pids=()
cleanup() {
  local code="$1"
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/postgres/stop.sh >&2 || true
  [ -n "${PARLEY_CLUSTER_KAFKA:-}" ] || bash scripts/kafka/stop.sh "$dir/kafka" >&2 || true
  exit "$code"
}
trap 'cleanup $?' EXIT
trap 'cleanup 0' INT TERM

kafka="${PARLEY_CLUSTER_KAFKA:-$(bash scripts/kafka/start.sh "$dir/kafka")}"
pg="$(bash scripts/postgres/start.sh)"
secret="${PARLEY_JWT_SECRET:-$(head -c 32 /dev/urandom | base64)}"
common=(--kafka "$kafka" --postgres "$pg" --jwt-secret "$secret" --web-root apps/web/dist "${extra[@]}")
start_role() {
  local name="$1"
  shift
  # Truncated: readiness is read from this run's log only.
  node packages/server/dist/cli/main.js start --data-dir "$dir/$name" "$@" "${common[@]}" >"$dir/$name.log" 2>&1 &
  pids+=($!)
  echo "[parley] $name started (pid $!, log $dir/$name.log)" >&2
}

# Waits until `check` succeeds; fails when process `pid` exits first or after 120 s.
wait_for() {
  local name="$1" pid="$2" check="$3" deadline=$((SECONDS + 120))
  until eval "$check"; do
    kill -0 "$pid" 2>/dev/null || { echo "[parley] $name exited; see $dir/$name.log, which ends:" >&2 && tail -n 20 "$dir/$name.log" >&2 && return 1; }
    [ $SECONDS -lt $deadline ] || { echo "[parley] $name not ready after 120 s; see $dir/$name.log" >&2 && return 1; }
    sleep 0.2
  done
}

nodes=()
for i in $(seq 1 "$sequencers"); do
  start_role "sequencer-$i" --role sequencer --port 0 && nodes+=("sequencer-$i")
done
start_role sink --role sink --port 0 && nodes+=(sink)
for i in $(seq 1 "$redistributors"); do
  start_role "redistributor-$i" --role redistributor --port 0 && nodes+=("redistributor-$i")
done
urls=()
for i in $(seq 1 "$gateways"); do
  port=$((first_port + i - 1))
  start_role "gateway-$i" --role gateway --port "$port" && nodes+=("gateway-$i:$port")
  urls+=("http://localhost:$port")
done
n=0
for node in "${nodes[@]}"; do
  name="${node%%:*}" pid="${pids[$n]}" n=$((n + 1))
  if [ "$name" != "$node" ]; then
    # A gateway is ready once it has read every events partition (/readyz 200), not merely listening.
    wait_for "$name" "$pid" "curl -fs -o /dev/null http://127.0.0.1:${node#*:}/readyz" || exit 1
  else
    wait_for "$name" "$pid" "grep -q '\"cluster node ready\"' '$dir/$name.log'" || exit 1
  fi
done
echo "[parley] cluster up: kafka $kafka, postgres $pg, $sequencers sequencer(s), a sink, $redistributors redistributor(s), gateways ${urls[*]}" >&2
if [ "$dev" = 0 ]; then
  echo "[parley] mint a token: node packages/server/dist/cli/main.js token --user alice --jwt-secret '$secret'" >&2
fi
wait -n "${pids[@]}" || true
echo "[parley] a cluster process exited; stopping the rest (logs in $dir)" >&2
