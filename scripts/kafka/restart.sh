#!/usr/bin/env bash
# Restarts a broker on the same data and ports: stop.sh DIR, then start.sh DIR.
# DIR defaults to the last one start.sh recorded. Prints the bootstrap address.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${1:-$(cat "${PARLEY_KAFKA_HOME:-$root/.kafka}/current")}"
bash "$here/stop.sh" "$dir"
exec bash "$here/start.sh" "$dir"
