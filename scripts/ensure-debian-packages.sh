#!/usr/bin/env bash
# Makes sure the Debian packages the tests and benchmarks run are installed:
# Chromium (/usr/bin/chromium, browser tests), nats-server (/usr/sbin/nats-server,
# a benchmark peer, also run by the bench smoke test) and kcat (/usr/bin/kcat, an
# outside Kafka client reading the events topic as a consumer would, docs/kafka.md). Idempotent: installs only
# what is missing, in one apt-get call. Needs root (apt-get).
#   bash scripts/ensure-debian-packages.sh            # all three
#   bash scripts/ensure-debian-packages.sh nats       # only what the benchmarks need
set -euo pipefail
declare -A binary=([chromium]=/usr/bin/chromium [nats-server]=/usr/sbin/nats-server [kcat]=/usr/bin/kcat)
wanted=(chromium nats-server kcat)
if [ "${1:-}" = "nats" ]; then wanted=(nats-server); fi
missing=()
for pkg in "${wanted[@]}"; do
  [ -x "${binary[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
echo "[parley] installing Debian packages: ${missing[*]}…"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
