#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for local runs and tests.
#   pg.sh start DIR   initdb in DIR, start on a free loopback port, write DIR/conninfo
#   pg.sh stop DIR    stop it and delete DIR
# Runs the server as the non-root `postgres` user when started as root (initdb refuses
# root). Trust authentication on loopback only: this cluster holds test data, nothing else.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -x "$bindir/pg_ctl" ] || { echo "pg.sh: PostgreSQL 15 is not installed; run scripts/setup.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      echo "pg.sh: already running in $dir" >&2; exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    for _ in $(seq 1 50); do
      port=$((20000 + RANDOM % 20000))
      port_free "$port" || continue
      if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
          start >/dev/null; then
        echo "host=127.0.0.1 port=$port user=postgres" > "$dir/conninfo"
        echo "$port" > "$dir/port"
        echo "pg.sh: PostgreSQL 15 on 127.0.0.1:$port (data in $dir)"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2
    echo "pg.sh: could not start PostgreSQL" >&2; exit 1
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac
