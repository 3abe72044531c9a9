#!/usr/bin/env bash
# Runs a command against real service binaries on the test run's PostgreSQL.
#   with_services.sh NAME=BINARY [NAME=BINARY...] -- COMMAND...
# The services share a fresh database, each serves mutual TLS with a fresh development
# PKI (scripts/lib/dev_pki.sh, exported as SIP_PKI_DIR for the clients, which mint their
# users' tokens with its key) on a free loopback port, claimed for this run so that no
# test running beside it takes it first (scripts/lib/ports.sh), and migrates at start;
# every address is exported as SIP_<NAME>_ADDRESS (e.g. SIP_CONSENT_ADDRESS=
# 127.0.0.1:21234) before any starts, since services call each other both ways, and each
# one's /metrics as SIP_<NAME>_METRICS_ADDRESS; SIP_COMMAND_PORT is one more claimed port
# for a server the command starts. Everything is stopped and dropped afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/services.sh"
: "${SIP_TEST_PG_DIR:?run through ctest, which starts PostgreSQL}"
conninfo=$(cat "$SIP_TEST_PG_DIR/conninfo")
work=$(mktemp -d)
dbname="interop_$$_$RANDOM"
pids=()
cleanup() {
  sip_stop_pids "${pids[@]}"
  psql "$conninfo dbname=postgres" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
sip_create_database "$conninfo" "$dbname"
# Each service as its own runtime role, migrated by the migration role, as in production.
sip_create_roles "$conninfo" "$dbname"
export SIP_PKI_DIR="$work/pki"
sip_pki "$SIP_PKI_DIR"
# The lifecycle service's region policies, as shipped.
export SIP_POLICIES_DIR="$here/../../policies"

# Every address first (services call each other both ways), then start them in order.
names=() binaries=() ports=() metrics_ports=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  names+=("${1%%=*}")
  binaries+=("${1#*=}")
  # Claimed until this script ends, so no other test's server takes them meanwhile.
  sip_claim_port port
  ports+=("$port")
  sip_claim_port metrics_port
  metrics_ports+=("$metrics_port")
  upper=$(echo "${1%%=*}" | tr '[:lower:]' '[:upper:]')
  export "SIP_${upper}_ADDRESS=127.0.0.1:$port"
  export "SIP_${upper}_METRICS_ADDRESS=127.0.0.1:$metrics_port"
  shift
done
for i in "${!names[@]}"; do
  name=${names[$i]} port=${ports[$i]} metrics_port=${metrics_ports[$i]}
  mapfile -t database < <(sip_database_flags "$conninfo" "$dbname" "$name")
  sip_exec_service "$SIP_PKI_DIR" "$name" "${binaries[$i]}" --listen_address "127.0.0.1:$port" \
    --metrics_address "127.0.0.1:$metrics_port" "${database[@]}" --log_level warn \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  sip_wait_listening "$!" "$port" "$name" "$work/$name.log"
  sip_wait_listening "$!" "$metrics_port" "$name" "$work/$name.log"
done
# One more claimed port for a server of the command's own (the scrape test's Prometheus).
sip_claim_port command_port
export SIP_COMMAND_PORT=$command_port
[ "${1:-}" = "--" ] || { echo "usage: with_services.sh NAME=BINARY... -- COMMAND..." >&2; exit 2; }
shift
# On failure, what the services warned of (they log at warn) tells why.
status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  for name in "${names[@]}"; do
    echo "--- $name's log (warnings and errors)" >&2
    cat "$work/$name.log" >&2
  done
fi
exit "$status"
