#!/usr/bin/env bash
# Makes sure the Debian packages the tests and benchmarks run are installed:
# Chromium (/usr/bin/chromium, browser tests) and nats-server (/usr/sbin/nats-server,
# a benchmark peer, also run by the bench smoke test). Idempotent: installs only
# what is missing, in one apt-get call. Needs root (apt-get).
#   bash scripts/ensure-debian-packages.sh            # both
#   bash scripts/ensure-debian-packages.sh nats       # only what the benchmarks need
set -euo pipefail
declare -A binary=([chromium]=/usr/bin/chromium [nats-server]=/usr/sbin/nats-server)
wanted=(chromium nats-server)
if [ "${1:-}" = "nats" ]; then wanted=(nats-server); fi
missing=()
for pkg in "${wanted[@]}"; do
  [ -x "${binary[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
echo "[parley] installing Debian packages: ${missing[*]}…"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
