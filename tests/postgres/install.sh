#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the shared-state tests and prints its connection
# string, which those tests read from AGENTGUARD_POSTGRES:
#
#   export AGENTGUARD_POSTGRES=$(tests/postgres/install.sh)
#   ...
#   tests/postgres/install.sh --stop        # stops the cluster and removes its folder
#
# The cluster lives in a temp folder (PGTEST_DIR, default /tmp/agentguard-postgres-<hash of this
# checkout's path>, so two checkouts do not share one) with its socket
# there too, on a free TCP port of 127.0.0.1, owned by an unprivileged user: initdb refuses to run as
# root, so as root the server runs through runuser as PGTEST_USER (default agentguard-pg, created if
# missing). Debian's postgresql is installed with apt-get when no initdb is found.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${PGTEST_DIR:-/tmp/agentguard-postgres-$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)}
RUN_AS=${PGTEST_USER:-agentguard-pg}

find_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -n $found && -x $found/initdb ]]; then echo "$found"; return; fi
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  return 1
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

if [[ ${1:-} == --stop ]]; then
  if BIN=$(find_bin) && [[ -f $DIR/data/postmaster.pid ]]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  exit 0
fi

if ! BIN=$(find_bin); then
  echo "installing Debian's postgresql" >&2
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2; }
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
  fi
  BIN=$(find_bin) || { echo "tests/postgres/install.sh: no initdb after installing postgresql" >&2; exit 2; }
fi

if [[ $(id -u) -eq 0 ]] && ! id "$RUN_AS" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
fi

# A cluster left by an earlier run goes first: every run starts empty.
if [[ -d $DIR ]]; then
  if [[ -f $DIR/data/postmaster.pid ]]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
fi

mkdir -p "$DIR"
chmod 700 "$DIR"
[[ $(id -u) -eq 0 ]] && chown "$RUN_AS" "$DIR"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)

as_owner "$BIN/initdb" -D "$DIR/data" -U agentguard --auth=trust --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 2; }
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 2; }
as_owner "$BIN/createdb" -h "$DIR" -p "$PORT" -U agentguard agentguard

echo "Host=127.0.0.1;Port=$PORT;Username=agentguard;Database=agentguard;Timeout=3;Command Timeout=10"
