#!/usr/bin/env bash
# `npm test`: the whole suite. Installs and builds first, checks formatting,
# then runs every compiled test file with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npx prettier --check . >/dev/null || { npx prettier --check . ; echo "formatting: run 'npm run format'"; exit 1; }
node scripts/check-imports.mjs
bash scripts/ensure-chromium.sh
mapfile -t files < <(find packages apps bench -path '*/dist*/*' -name '*.test.js' -not -path '*/node_modules/*' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
exec node --test --test-concurrency=2 --test-timeout=120000 "${files[@]}"
