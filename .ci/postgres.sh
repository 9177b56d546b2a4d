#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the PostgreSQL store (issue #34): installed from
# Debian's packages when missing, a fresh cluster in target/postgres on 127.0.0.1:$PG_PORT,
# the user `postgres` with the password `graph-mock`. Sourced by .ci/run; sets GRAPH_MOCK_TEST_POSTGRES
# (the URL the tests connect to) and defines stop_postgres, which the caller runs when done (it is
# also the shell's EXIT trap, until the caller sets another).
# Usage: source .ci/postgres.sh
set -euo pipefail
PG_PORT="${PG_PORT:-15432}"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    $SUDO apt-get install -y -qq postgresql >/dev/null \
        || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null; }
fi
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
pg_data="$PWD/target/postgres"
# The server refuses to run as root: as root, it runs as Debian's `postgres` user.
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); fi
# A server left running from an earlier run of this script is stopped first.
if [ -f "$pg_data/postmaster.pid" ]; then
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
fi
rm -rf "$pg_data"
mkdir -p "$pg_data"
[ "$(id -u)" = 0 ] && chown postgres "$pg_data"
# Logins over TCP (the mock's) need the password, so that a wrong one can be tested; the socket
# is trusted, to set it.
"${as_owner[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
# Every mock a test starts keeps a few connections: room for the suite's tests at once.
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w \
    -o "-p $PG_PORT -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null
"${as_owner[@]}" psql -q -h "$pg_data" -p "$PG_PORT" -U postgres -c "ALTER ROLE postgres PASSWORD 'graph-mock'"
export GRAPH_MOCK_TEST_POSTGRES="postgres://postgres:graph-mock@127.0.0.1:$PG_PORT/postgres"
stop_postgres() { "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; }
trap stop_postgres EXIT
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $GRAPH_MOCK_TEST_POSTGRES"
