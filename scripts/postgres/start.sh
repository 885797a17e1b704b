#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 for tests and local clusters, and prints its URL.
#
#   bash scripts/postgres/start.sh          # prints postgres://postgres@127.0.0.1:PORT/parley
#   export PARLEY_TEST_PG_URL=$(bash scripts/postgres/start.sh)
#
# Idempotent: a second call while the server runs prints the same URL. When
# PARLEY_TEST_PG_URL is already set, nothing is started and that URL is printed.
# The data dir is a temp dir owned by the `postgres` user (initdb and postgres
# refuse to run as root); fsync stays on so durability tests mean something.
# State (DIR, PORT, URL) is written to $PARLEY_PG_STATE for stop.sh.
set -euo pipefail

if [ -n "${PARLEY_TEST_PG_URL:-}" ]; then
  echo "$PARLEY_TEST_PG_URL"
  exit 0
fi

PG_BIN="${PARLEY_PG_BIN:-/usr/lib/postgresql/15/bin}"
# Per user: another user's server on the same machine is not ours to reuse or stop.
STATE="${PARLEY_PG_STATE:-${TMPDIR:-/tmp}/parley-pg-$(id -u).state}"
DB="${PARLEY_PG_DB:-parley}"
log() { echo "postgres: $*" >&2; }

[ -x "$PG_BIN/initdb" ] || { log "no $PG_BIN/initdb (apt-get install postgresql-15, or set PARLEY_PG_BIN)"; exit 1; }

# Runs a PostgreSQL binary as the postgres user when we are root, directly otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -f "$STATE" ]; then
  # shellcheck disable=SC1090
  . "$STATE"
  if [ -n "${DIR:-}" ] && as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    echo "$URL"
    exit 0
  fi
  log "stale state $STATE; starting a new server"
  [ -n "${DIR:-}" ] && rm -rf "$DIR"
  rm -f "$STATE"
fi

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

DIR="$(mktemp -d "${TMPDIR:-/tmp}/parley-pg.XXXXXX")"
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
as_pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
  { cat "$DIR/initdb.log" >&2; rm -rf "$DIR"; exit 1; }

for attempt in 1 2 3; do
  PORT="$(free_port)"
  OPTS="-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300"
  if as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -o "$OPTS" -l "$DIR/server.log" -w -t 60 start >/dev/null; then break; fi
  log "start on port $PORT failed (attempt $attempt)"
  tail -n 20 "$DIR/server.log" >&2 || true
  [ "$attempt" -eq 3 ] && { rm -rf "$DIR"; exit 1; }
done

as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
URL="postgres://postgres@127.0.0.1:$PORT/$DB"
printf 'DIR=%q\nPORT=%q\nURL=%q\n' "$DIR" "$PORT" "$URL" >"$STATE"
log "ready at $URL (data in $DIR)"
echo "$URL"
