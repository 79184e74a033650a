#!/usr/bin/env bash
# Runs Debian's PostgreSQL on loopback for the AppHost where no container runtime is healthy:
#   run.sh DATA_DIR PORT DATABASE   (the password comes from $POSTGRES_PASSWORD, the user from $POSTGRES_USER)
# The first start creates the cluster (initdb, scram-sha-256 only) and the database; every start sets the password
# from the AppHost's secret parameter, so a changed parameter never locks the AppHost out of its own data.
# PostgreSQL refuses to run as root: as root, it runs as the `postgres` system user (created by the Debian package).
set -euo pipefail
DATA=${1:?data dir}; PORT=${2:?port}; DATABASE=${3:?database}
: "${POSTGRES_PASSWORD:?the password comes from the AppHost parameter}"; USER_NAME=${POSTGRES_USER:-merfactory}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$BIN/postgres" ] || { echo "PostgreSQL is not installed (scripts/setup.sh installs the postgresql package)" >&2; exit 1; }
AS=()
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATA"; chown postgres:postgres "$DATA"; chmod 700 "$DATA"
  AS=(setpriv --reuid=postgres --regid=postgres --init-groups --reset-env)
  "${AS[@]}" test -w "$DATA" || { echo "the postgres user cannot reach $DATA: its parent folders need o+x" >&2; exit 1; }
fi
run() { "${AS[@]}" env LC_ALL=C.UTF-8 "$@"; }
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }
if [ ! -f "$DATA/PG_VERSION" ]; then
  PWFILE=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" > "$PWFILE"; chmod 644 "$PWFILE"
  run "$BIN/initdb" -D "$DATA" -U "$USER_NAME" --pwfile="$PWFILE" --auth=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$PWFILE"
  echo "CREATE DATABASE \"$DATABASE\";" | run "$BIN/postgres" --single -D "$DATA" postgres >/dev/null
fi
echo "ALTER USER \"$USER_NAME\" PASSWORD $(sql_literal "$POSTGRES_PASSWORD");" | run "$BIN/postgres" --single -D "$DATA" postgres >/dev/null
# exec: the AppHost stops this resource by signalling the process it started, which must be postgres itself.
exec "${AS[@]}" "$BIN/postgres" -D "$DATA" -p "$PORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$DATA"
