#!/usr/bin/env bash
# A PostgreSQL 15 cluster for local runs and tests.
#   pg.sh start DIR          a throwaway cluster for tests (fsync off: fast, and lost on a
#                            crash) on a free loopback port; writes DIR/conninfo, DIR/port
#   pg.sh start DIR --keep   a cluster whose data stays across stops (the first command's):
#                            durable settings (fsync, synchronous commit, full-page writes:
#                            a crash loses nothing acknowledged); the data of an earlier
#                            start is used again, on the same port when it is free
#   pg.sh halt DIR           stop it, keeping its data (for --keep)
#   pg.sh stop DIR           stop it and delete it and DIR (also: start afresh)
#   pg.sh crash-restart DIR  stop it as a crash would and start it again (recovery)
# DIR holds what the caller reads (conninfo, port, where the cluster lives). The cluster
# lives where its owner can reach it whatever DIR's permissions: started as root, the
# server runs as the non-root `postgres` user (initdb refuses root), and a checkout in a
# folder only root can enter (/root, a `mktemp -d` folder) is out of its reach. The data
# then goes into a fresh postgres-owned folder under /tmp (throwaway) or into
# /var/lib/sip-suite/<id of DIR> (--keep), with DIR/cluster.d linked to it. Trust
# authentication on loopback only: this cluster holds development data, nothing else.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -x "$bindir/pg_ctl" ] || { echo "pg.sh: PostgreSQL 15 is not installed; run scripts/setup.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

source "$(dirname "$0")/../../scripts/lib/ports.sh"

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

# Where a kept cluster of DIR lives: DIR/cluster.d when its owner can reach DIR, else a
# postgres-owned folder under /var/lib/sip-suite named after DIR's path (linked from
# DIR/cluster.d, so that the data is found under DIR either way).
kept_cluster_of() {
  local dir=$1
  if [ "$(id -u)" -ne 0 ]; then echo "$dir/cluster.d"; return; fi
  chown postgres:postgres "$dir"
  if runuser -u postgres -- test -w "$dir" -a -x "$dir"; then
    echo "$dir/cluster.d"
  else
    local id
    id=$(realpath "$dir" | sha256sum | cut -c1-16)
    echo "/var/lib/sip-suite/$id"
  fi
}

running() { [ -f "$1/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

case "$cmd" in
  start)
    keep=false
    [ "${3:-}" = --keep ] && keep=true
    old=$(cluster_of "$dir")
    if [ -n "$old" ] && running "$old"; then
      echo "pg.sh: already running in $old" >&2; exit 0
    fi
    if $keep && [ -n "$old" ] && [ -f "$old/data/PG_VERSION" ]; then
      cluster=$old  # the data of an earlier start
    else
      stop_cluster "$old"
      rm -rf "$dir"
      mkdir -p "$dir"
      if $keep; then
        cluster=$(kept_cluster_of "$dir")
        if [ "$cluster" != "$dir/cluster.d" ]; then
          mkdir -p "$cluster"
          ln -sfn "$cluster" "$dir/cluster.d"
        fi
        mkdir -p "$cluster"
      elif [ "$(id -u)" -eq 0 ]; then
        cluster=$(mktemp -d /tmp/sip-pg.XXXXXXXX)
      else
        cluster="$dir/cluster.d"
        mkdir -p "$cluster"
      fi
      [ "$(id -u)" -ne 0 ] || { chown postgres:postgres "$cluster"; chmod 700 "$cluster"; }
      echo "$cluster" > "$dir/cluster"
      if ! as_owner "$bindir/initdb" -D "$cluster/data" -U postgres --auth=trust --encoding=UTF8 \
          --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        stop_cluster "$cluster"
        exit 1
      fi
    fi
    settings="-c listen_addresses=127.0.0.1 -c max_connections=200"
    # Tests trade durability for speed; kept data has PostgreSQL's durable defaults.
    $keep || settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    previous=$(cat "$dir/port" 2>/dev/null || true)
    for attempt in $(seq 1 50); do
      # Claimed (scripts/lib/ports.sh), so that no test beside this one takes it before
      # PostgreSQL binds; the same conninfo as last time when it can be.
      if [ "$attempt" -eq 1 ] && [ -n "$previous" ]; then
        sip_claim_port port "$previous"
      else
        sip_claim_port port
      fi
      if as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
          -o "-p $port -k $cluster $settings" start >/dev/null; then
        echo "host=127.0.0.1 port=$port user=postgres" > "$dir/conninfo"
        echo "$port" > "$dir/port"
        echo "pg.sh: PostgreSQL 15 on 127.0.0.1:$port (data in $cluster)"
        exit 0
      fi
    done
    cat "$cluster/server.log" >&2 || true
    $keep || stop_cluster "$cluster"
    echo "pg.sh: could not start PostgreSQL" >&2; exit 1
    ;;
  halt)
    cluster=$(cluster_of "$dir")
    if [ -n "$cluster" ] && [ -d "$cluster/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  crash-restart)
    # As after a crash: stopped at once with no shutdown checkpoint (immediate mode, so it
    # recovers from its write-ahead log at start), and started again with the same
    # settings and port (for the fault test, tests/faults/).
    cluster=$(cluster_of "$dir")
    [ -n "$cluster" ] && running "$cluster" || { echo "pg.sh: not running" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -m immediate -w \
      -t 60 restart >/dev/null
    ;;
  stop)
    cluster=$(cluster_of "$dir")
    stop_cluster "$cluster"
    rm -rf "$dir"
    ;;
  *) echo "usage: pg.sh start DIR [--keep] | halt DIR | stop DIR | crash-restart DIR" >&2; exit 2 ;;
esac
