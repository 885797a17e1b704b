#!/usr/bin/env bash
# Stops a broker started by start.sh.
#
#   scripts/kafka/stop.sh [DIR] [--purge]
#
# DIR defaults to the last one start.sh recorded in <repo>/.kafka/current.
# Sends SIGTERM (clean shutdown), then SIGKILL after 20 s. Keeps the data so
# start.sh DIR can bring the same broker back, unless --purge is given.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${PARLEY_KAFKA_HOME:-$root/.kafka}"
dir=""
purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    *) dir="$arg" ;;
  esac
done
if [ -z "$dir" ] && [ -f "$home/current" ]; then dir="$(cat "$home/current")"; fi
if [ -z "$dir" ] || [ ! -d "$dir" ]; then echo "stop.sh: no broker dir (give DIR)" >&2; exit 0; fi
if [ -f "$dir/kafka.pid" ]; then
  pid="$(cat "$dir/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$dir/kafka.pid"
fi
if [ "$purge" = 1 ]; then
  rm -rf "$dir"
  if [ -f "$home/current" ] && [ "$(cat "$home/current")" = "$dir" ]; then rm -f "$home/current"; fi
fi
