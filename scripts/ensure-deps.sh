#!/usr/bin/env bash
# Installs npm dependencies when missing or stale, then builds. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.parley-install-stamp
# By content, not mtime: a checkout, rebase or pull rewrites package.json files (newer mtimes, same text),
# which made every start after one reinstall.
deps_hash() {
  cat package.json package-lock.json packages/*/package.json apps/*/package.json bench/package.json 2>/dev/null |
    sha256sum | cut -d' ' -f1
}
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$(deps_hash)" ]; then
  echo "[parley] installing dependencies (first run builds better-sqlite3 from source, about a minute)…"
  npm install --no-audit --no-fund
  deps_hash >"$stamp"
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
# The web app's bundle is rebuilt only when a source it is built from is newer than it.
web_stale="$(find apps/web/src apps/web/index.html apps/web/admin apps/web/vite.config.ts apps/web/package.json package-lock.json \
  packages/client/src packages/react/src packages/protocol/src -type f -newer apps/web/dist/index.html \
  -print -quit 2>/dev/null || echo missing)"
if [ ! -f apps/web/dist/index.html ] || [ ! -f apps/web/dist/admin/index.html ] || [ -n "$web_stale" ]; then
  echo "[parley] building the web app…"
  (cd apps/web && npx vite build --logLevel warn)
fi
