#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests. Idempotent:
# does nothing when it is already installed. Needs root (apt-get).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "[parley] installing Chromium for the browser tests…"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
