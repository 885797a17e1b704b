#!/usr/bin/env bash
# Stops the PostgreSQL that scripts/postgres/start.sh started and deletes its
# data dir. Idempotent: does nothing when none runs. Never touches a server
# given through PARLEY_TEST_PG_URL (start.sh did not start one then).
set -euo pipefail

PG_BIN="${PARLEY_PG_BIN:-/usr/lib/postgresql/15/bin}"
# Per user: another user's server on the same machine is not ours to reuse or stop.
STATE="${PARLEY_PG_STATE:-${TMPDIR:-/tmp}/parley-pg-$(id -u).state}"
[ -f "$STATE" ] || exit 0
# shellcheck disable=SC1090
. "$STATE"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -n "${DIR:-}" ] && [ -d "$DIR/data" ]; then
  as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
    as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
fi
[ -n "${DIR:-}" ] && rm -rf "$DIR"
rm -f "$STATE"
echo "postgres: stopped" >&2
