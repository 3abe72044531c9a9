#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for local runs and tests.
#   pg.sh start DIR   start a cluster on a free loopback port; write DIR/conninfo, DIR/port
#   pg.sh stop DIR    stop it and delete it and DIR
# DIR holds only what the caller reads (conninfo, port, where the cluster lives). The
# cluster itself lives where its owner can reach it whatever DIR's permissions: started as
# root, the server runs as the non-root `postgres` user (initdb refuses root), and a
# checkout in a folder only root can enter (/root, a `mktemp -d` folder) is out of its
# reach, so the data then goes into a fresh postgres-owned folder under /tmp. Trust
# authentication on loopback only: this cluster holds test data, nothing else.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -x "$bindir/pg_ctl" ] || { echo "pg.sh: PostgreSQL 15 is not installed; run scripts/setup.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The cluster folder recorded in DIR/cluster, if any.
cluster_of() { [ -f "$1/cluster" ] && cat "$1/cluster" || true; }

stop_cluster() {
  local cluster=$1
  [ -n "$cluster" ] || return 0
  if [ -d "$cluster/data" ]; then
    as_owner "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$cluster"
}

case "$cmd" in
  start)
    old=$(cluster_of "$dir")
    if [ -n "$old" ] && [ -f "$old/data/postmaster.pid" ] &&
        as_owner "$bindir/pg_ctl" -D "$old/data" status >/dev/null 2>&1; then
      echo "pg.sh: already running in $old" >&2; exit 0
    fi
    stop_cluster "$old"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      cluster=$(mktemp -d /tmp/sip-pg.XXXXXXXX)
      chown postgres:postgres "$cluster"
    else
      cluster="$dir/cluster.d"
      mkdir -p "$cluster"
    fi
    echo "$cluster" > "$dir/cluster"
    if ! as_owner "$bindir/initdb" -D "$cluster/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      stop_cluster "$cluster"
      exit 1
    fi
    for _ in $(seq 1 50); do
      port=$((20000 + RANDOM % 12000))  # below the ephemeral range: never a client's port
      port_free "$port" || continue
      if as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 30 \
          -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
          start >/dev/null; then
        echo "host=127.0.0.1 port=$port user=postgres" > "$dir/conninfo"
        echo "$port" > "$dir/port"
        echo "pg.sh: PostgreSQL 15 on 127.0.0.1:$port (data in $cluster)"
        exit 0
      fi
    done
    cat "$cluster/server.log" >&2 || true
    stop_cluster "$cluster"
    echo "pg.sh: could not start PostgreSQL" >&2; exit 1
    ;;
  stop)
    stop_cluster "$(cluster_of "$dir")"
    rm -rf "$dir"
    ;;
  *) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac
