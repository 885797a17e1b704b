#!/usr/bin/env bash
# `npm start`: install, build and start Parley on http://localhost:8080 with the
# embedded SQLite store under ./data, in dev mode (anyone picks a user name), serving
# the web app (apps/web/dist, built by ensure-deps.sh) at /.
# For production run `parley start` with a JWT secret instead (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node packages/server/dist/cli/main.js start --dev --data-dir ./data --web-root apps/web/dist "$@"
