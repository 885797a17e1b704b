#!/usr/bin/env bash
# Installs npm dependencies when missing or stale, then builds. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.parley-install-stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ package-lock.json -nt "$stamp" ] \
  || [ -n "$(find packages apps bench -maxdepth 2 -name package.json -newer "$stamp" 2>/dev/null)" ]; then
  echo "[parley] installing dependencies (first run builds better-sqlite3 from source, about a minute)…"
  npm install --no-audit --no-fund
  touch "$stamp"
fi
# Server tests moved out of packages/server/src (issue 13): a build from before the move left test files in
# dist/ that the test runner would still find. Start that package's build afresh once.
if [ -d packages/server/dist/test-support ]; then rm -rf packages/server/dist packages/server/tsconfig.tsbuildinfo; fi
echo "[parley] building…"
npx tsc -b
# npm links a workspace's bin only if its file exists at install time, and on a fresh clone
# dist/ is built after the install: link `parley` now so `npx parley …` (README) works.
if [ ! -x node_modules/.bin/parley ]; then
  npm rebuild @parley/server --ignore-scripts --no-audit --no-fund >/dev/null
fi
echo "[parley] building the web app…"
(cd apps/web && npx vite build --logLevel warn)
