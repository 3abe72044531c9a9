#!/usr/bin/env bash
# Becomes service NAME (BINARY) of the fault test's suite, listening on PORT with /metrics on
# METRICS_PORT, on the run's database (SIP_FAULTS_CONNINFO, SIP_FAULTS_DBNAME) with the
# run's PKI (SIP_PKI_DIR): faults.mjs starts, kills and restarts services through it.
#   start_service.sh NAME BINARY PORT METRICS_PORT
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/services.sh"
name=$1 binary=$2 port=$3 metrics_port=$4
mapfile -t database < <(sip_database_flags "$SIP_FAULTS_CONNINFO" "$SIP_FAULTS_DBNAME" "$name")
# Short consumer and sweep intervals are the services' own defaults; a small pool keeps
# eight servers within PostgreSQL's connections.
sip_exec_service "$SIP_PKI_DIR" "$name" "$binary" --listen_address "127.0.0.1:$port" \
  --metrics_address "127.0.0.1:$metrics_port" "${database[@]}" --log_level warn
