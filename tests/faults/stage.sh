#!/usr/bin/env bash
# The stage of the fault test and the soak: the four services' database on a durable
# PostgreSQL of its own (fsync on: a crash must lose nothing acknowledged), with its roles,
# a development PKI and claimed ports for a primary and a replica of every service; then
# COMMAND (which starts the services through start_service.sh: faults.mjs, bench/soak.mjs)
# and, when it succeeds, the suite's invariants against the outboxes (suite_invariants).
#   stage.sh COMMAND...      (SIP_SERVER_BINARIES and SIP_INVARIANTS set, as ctest does)
# SIP_FAULTS_KEEP=1 leaves the database running and the logs in place for inspection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/scripts/lib/services.sh"
: "${SIP_SERVER_BINARIES:?run through ctest (consent=…,plan=…,meeting=…,lifecycle=…)}"
: "${SIP_INVARIANTS:?run through ctest (the suite_invariants binary)}"
work=$(mktemp -d)
export SIP_FAULTS_PG_DIR="$work/pg"
cleanup() {
  if [ -n "${SIP_FAULTS_KEEP:-}" ]; then
    echo "faults: kept for inspection: $work (PostgreSQL: $SIP_FAULTS_DATABASE; stop it" \
      "with tests/pg/pg.sh stop $SIP_FAULTS_PG_DIR)" >&2
    return
  fi
  bash "$repo/tests/pg/pg.sh" stop "$SIP_FAULTS_PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bash "$repo/tests/pg/pg.sh" start "$SIP_FAULTS_PG_DIR" --keep >/dev/null
conninfo=$(cat "$SIP_FAULTS_PG_DIR/conninfo")
export SIP_FAULTS_CONNINFO=$conninfo SIP_FAULTS_DBNAME=faults
export SIP_FAULTS_DATABASE="$conninfo dbname=faults"
sip_create_database "$conninfo" faults
sip_create_roles "$conninfo" faults
export SIP_PKI_DIR="$work/pki"
sip_pki "$SIP_PKI_DIR"
export SIP_POLICIES_DIR="$repo/policies"
# Every port claimed up front (scripts/lib/ports.sh): a primary and a replica of each
# service, each with its /metrics; the peers call the primaries.
ports="{"
for name in consent plan meeting lifecycle; do
  sip_claim_port p1; sip_claim_port m1; sip_claim_port p2; sip_claim_port m2
  ports="$ports\"$name\":[$p1,$m1,$p2,$m2],"
  upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
  export "SIP_${upper}_ADDRESS=127.0.0.1:$p1"
done
export SIP_FAULTS_PORTS="${ports%,}}"
export SIP_FAULTS_LOGS="$work/logs" SIP_FAULTS_WRITES="$work/writes.jsonl"
mkdir -p "$SIP_FAULTS_LOGS"
status=0
"$@" || status=$?
if [ "$status" -eq 0 ]; then
  "$SIP_INVARIANTS" --conninfo "$SIP_FAULTS_DATABASE" --policies_dir "$SIP_POLICIES_DIR" \
    --writes "$SIP_FAULTS_WRITES" || status=$?
fi
if [ "$status" -ne 0 ]; then
  for log in "$SIP_FAULTS_LOGS"/*.log; do
    echo "--- $(basename "$log") (warnings and errors, last 40 lines)" >&2
    tail -40 "$log" >&2
  done
fi
exit "$status"
