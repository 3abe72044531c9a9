#!/usr/bin/env bash
# The first quick-start command: installs what is missing, builds, starts PostgreSQL 15
# with its data under .local/ (git-ignored) and every service of the suite on it, prints
# where each listens and how to call it, and runs until Ctrl-C, which stops everything.
# The data stays: the next run starts on it (durable settings, so a crash loses nothing
# acknowledged). `scripts/run.sh --fresh` deletes it first and starts on an empty one.
#
# Ports: each service listens on its default gRPC/metrics port when free, else on a free
# one (printed); SIP_PORTS=free always takes free ones. Set SIP_BIND=0.0.0.0 to listen
# beyond loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/services.sh

fresh=false
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=true ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $arg (--fresh deletes the kept data first)" >&2; exit 2 ;;
  esac
done

# name, default gRPC port, default metrics port, gRPC service. Later services go here.
# Started in this order; every one finds the others at SIP_<NAME>_ADDRESS.
services=(
  "consent 50051 9464 sip.consent.v1.ConsentService"
  "plan 50052 9465 sip.plan.v1.PlanService"
  "meeting 50053 9466 sip.meeting.v1.MeetingService"
  "lifecycle 50054 9467 sip.lifecycle.v1.LifecycleService"
)

bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
for s in "${services[@]}"; do targets+=("${s%% *}_server"); done
cmake --build build --target "${targets[@]}"

# Logs and the cluster's conninfo; SIP_STATE_DIR moves them (the scripts test does).
state=${SIP_STATE_DIR:-$root/.local}
mkdir -p "$state/logs"
pids=()
stop_all() {
  # A second Ctrl-C must not cut the clean-up short.
  trap "" INT TERM
  trap - EXIT
  echo
  echo "Stopping the services and PostgreSQL…"
  sip_stop_pids "${pids[@]}"
  tests/pg/pg.sh halt "$state/pg" || true
  echo "Stopped. The data is kept in $state/pg; bash scripts/run.sh --fresh starts without it."
}
trap "stop_all; exit 130" INT TERM
trap stop_all EXIT

if $fresh; then
  echo "Deleting the kept data ($state/pg)…"
  tests/pg/pg.sh stop "$state/pg"
fi
tests/pg/pg.sh start "$state/pg" --keep
conninfo=$(cat "$state/pg/conninfo")
data_dir=$(cat "$state/pg/cluster")/data
sip_create_database "$conninfo" sip
# Least privilege: each service connects as its own role, the migration role owns the
# schemas (scripts/lib/services.sh).
sip_create_roles "$conninfo" sip

bind=${SIP_BIND:-127.0.0.1}
# Mutual TLS and tokens as in production, with a development CA, certificates and token
# signing key made once under .local/pki (scripts/lib/dev_pki.sh).
pki=$state/pki
sip_pki "$pki"
# The lifecycle service's region policies: Skåne, Västra Götaland and the default.
export SIP_POLICIES_DIR="$root/policies"
# The default ports when free; SIP_PORTS=free always takes free ports below the ephemeral
# range (the scripts test does, since a default port may be a client's ephemeral port).
# Claimed (scripts/lib/ports.sh) while this runs, so that tests running beside it do not
# take them before the services bind.
port_or_free() {
  if [ "${SIP_PORTS:-}" = free ]; then sip_claim_port "$1"; else sip_claim_port "$1" "$2"; fi
}
# Every address first (consent asks plan about plans, plan asks consent about consent,
# meeting asks both and follows the plan's events, lifecycle follows all three and closes
# plans through plan), then start them in order.
declare -A grpc_ports metrics_ports
for s in "${services[@]}"; do
  read -r name grpc_port metrics_port grpc_service <<<"$s"
  port_or_free "grpc_ports[$name]" "$grpc_port"
  port_or_free "metrics_ports[$name]" "$metrics_port"
  upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
  export "SIP_${upper}_ADDRESS=127.0.0.1:${grpc_ports[$name]}"
done
summary=()
for s in "${services[@]}"; do
  read -r name _ _ grpc_service <<<"$s"
  grpc_port=${grpc_ports[$name]}
  metrics_port=${metrics_ports[$name]}
  mapfile -t database < <(sip_database_flags "$conninfo" sip "$name")
  sip_exec_service "$pki" "$name" "build/services/$name/${name}_server" \
    --listen_address "$bind:$grpc_port" --metrics_address "$bind:$metrics_port" \
    "${database[@]}" >"$state/logs/$name.log" 2>&1 &
  pids+=($!)
  sip_wait_listening "$!" "$grpc_port" "$name" "$state/logs/$name.log"
  sip_wait_listening "$!" "$metrics_port" "$name" "$state/logs/$name.log"
  summary+=("  $name  gRPC 127.0.0.1:$grpc_port ($grpc_service)  metrics http://127.0.0.1:$metrics_port/metrics  log $state/logs/$name.log")
done

consent_port=${SIP_CONSENT_ADDRESS##*:}
plan_port=${SIP_PLAN_ADDRESS##*:}
tls="--cacert $pki/ca.pem --cert $pki/client.pem --key $pki/client.key"
region_token=$(SIP_PKI_DIR=$pki bash scripts/token.sh SE2321000131-E000000000001 REGION 14 \
  SE2321000131-T000000000001 CARE_PROFESSIONAL 43200)
kommun_token=$(SIP_PKI_DIR=$pki bash scripts/token.sh SE2120001652-S000000000002 MUNICIPALITY \
  1482 SE2120001652-T000000000002 SOCIAL_WORKER 43200)
cat <<MSG

The SIP service suite is running: mutual TLS with the development CA in $pki,
every call carries a user's token (development keys: never use them elsewhere).
  PostgreSQL 15  $conninfo dbname=sip; each service connects as its own role
                 sip_<service>, the schemas are sip_migrator's
  Data           $data_dir, kept across runs (durable settings);
                 start without it: bash scripts/run.sh --fresh
$(printf '%s\n' "${summary[@]}")

Tokens for 12 hours (more with: SIP_PKI_DIR=$pki bash scripts/token.sh UNIT PRINCIPAL CODE USER ROLE):
  export REGION_TOKEN=$region_token
  export KOMMUN_TOKEN=$kommun_token

Call them through reflection with buf, as the integrating system dev-regional-system:
  npx buf curl --protocol grpc $tls --list-methods https://127.0.0.1:$plan_port
  npx buf curl --protocol grpc $tls -H "authorization: Bearer \$REGION_TOKEN" \\
    -d '{"plan":{"individual":{"personal_identity_number":"19121212-1212","name":"Tolvan Tolvansson"},"need_noticed_by":"NEED_NOTICED_BY_SCHOOL","reason":"Behöver samordnat stöd","participants":[{"unit":{"hsa_id":"SE2120001652-S000000000002","principal":"PRINCIPAL_KIND_MUNICIPALITY","principal_code":"1482","display_name":"Socialtjänsten Kungälv"},"role":"Handläggare"}]}}' \\
    https://127.0.0.1:$plan_port/sip.plan.v1.PlanService/CreatePlan
  npx buf curl --protocol grpc $tls -H "authorization: Bearer \$REGION_TOKEN" \\
    -d '{"parent":"plans/<id from CreatePlan>","consent":{"giver":{"role":"GIVER_ROLE_INDIVIDUAL"},"form":"COMMUNICATION_FORM_WRITTEN","covered_units":[{"hsa_id":"SE2321000131-E000000000001","principal":"PRINCIPAL_KIND_REGION","principal_code":"14"},{"hsa_id":"SE2120001652-S000000000002","principal":"PRINCIPAL_KIND_MUNICIPALITY","principal_code":"1482"}]}}' \\
    https://127.0.0.1:$consent_port/sip.consent.v1.ConsentService/RecordConsent
  npx buf curl --protocol grpc $tls -H "authorization: Bearer \$KOMMUN_TOKEN" \\
    -d '{"parent":"plans/<id from CreatePlan>","unit_hsa_ids":["SE2120001652-S000000000002"]}' \\
    https://127.0.0.1:$consent_port/sip.consent.v1.ConsentService/CheckConsent
  npx buf curl --protocol grpc $tls -H "authorization: Bearer \$REGION_TOKEN" \\
    -d '{"personal_identity_number":"19121212-1212","start_time":"2026-01-01T00:00:00Z"}' \\
    https://127.0.0.1:$plan_port/sip.plan.v1.PlanService/GetAccessExtract

Walk through a plan, its consent and a scheduled SIP meeting (each call is printed):
  SIP_PKI_DIR=$pki SIP_PLAN_ADDRESS=$SIP_PLAN_ADDRESS SIP_CONSENT_ADDRESS=$SIP_CONSENT_ADDRESS \\
    SIP_MEETING_ADDRESS=$SIP_MEETING_ADDRESS bash scripts/demo.sh

Press Ctrl-C to stop everything.
MSG
# Runs until a service dies or Ctrl-C.
wait -n "${pids[@]}" || true
echo "A service exited; see $state/logs/." >&2
