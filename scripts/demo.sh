#!/usr/bin/env bash
# A walk through the suite on a running scripts/run.sh, with buf curl (each call printed
# before it runs): creates a plan, records the person's consent for a vårdcentral and
# social services, schedules the initial SIP meeting a week ahead, shows social services'
# inbox and their written invitation. Reads SIP_PLAN_ADDRESS, SIP_CONSENT_ADDRESS and
# SIP_MEETING_ADDRESS (run.sh prints them) and SIP_PKI_DIR (default .local/pki): calls are
# made over mutual TLS as the integrating system dev-regional-system, each with a token
# for the unit's user minted by scripts/token.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SIP_PLAN_ADDRESS:?set it as scripts/run.sh prints}"
: "${SIP_CONSENT_ADDRESS:?set it as scripts/run.sh prints}"
: "${SIP_MEETING_ADDRESS:?set it as scripts/run.sh prints}"

VC=SE2321000131-E000000000001   # a vårdcentral of Västra Götalandsregionen (14)
SOC=SE2120001652-S000000000002  # social services of Kungälv (1482)
export SIP_PKI_DIR=${SIP_PKI_DIR:-$(pwd)/.local/pki}
pki=$SIP_PKI_DIR
tls=(--cacert "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key")
declare -A tokens
tokens[$VC]=$(bash scripts/token.sh "$VC" REGION 14 SE2321000131-T000000000001 CARE_PROFESSIONAL)
tokens[$SOC]=$(bash scripts/token.sh "$SOC" MUNICIPALITY 1482 SE2120001652-T000000000002 SOCIAL_WORKER)
# call ADDRESS METHOD JSON [UNIT]: one gRPC call as that unit's user.
call() {
  local address=$1 method=$2 body=$3 unit=${4:-$VC}
  echo "\$ npx buf curl --protocol grpc ${tls[*]} -H 'authorization: Bearer <token of $unit>'" \
    "-d '$body' https://$address/$method" >&2
  npx --no-install buf curl --protocol grpc "${tls[@]}" \
    -H "authorization: Bearer ${tokens[$unit]}" -d "$body" "https://$address/$method"
}
# The first "name" of a JSON answer with the given prefix.
name_of() { sed -n "s|.*\"name\": *\"\\($1[^\"]*\\)\".*|\\1|p" | head -1; }

plan=$(call "$SIP_PLAN_ADDRESS" sip.plan.v1.PlanService/CreatePlan \
  '{"plan":{"individual":{"personal_identity_number":"19121212-1212","name":"Tolvan Tolvansson"},"need_noticed_by":"NEED_NOTICED_BY_SCHOOL","reason":"Behöver samordnat stöd"}}' |
  tee /dev/stderr | name_of plans/)
[ -n "$plan" ] || { echo "no plan was created" >&2; exit 1; }
vc="{\"hsa_id\":\"$VC\",\"principal\":\"PRINCIPAL_KIND_REGION\",\"principal_code\":\"14\",\"display_name\":\"Vårdcentralen Kungälv\"}"
soc="{\"hsa_id\":\"$SOC\",\"principal\":\"PRINCIPAL_KIND_MUNICIPALITY\",\"principal_code\":\"1482\",\"display_name\":\"Socialtjänsten Kungälv\"}"
call "$SIP_CONSENT_ADDRESS" sip.consent.v1.ConsentService/RecordConsent \
  "{\"parent\":\"$plan\",\"consent\":{\"giver\":{\"role\":\"GIVER_ROLE_INDIVIDUAL\"},\"form\":\"COMMUNICATION_FORM_WRITTEN\",\"covered_units\":[$vc,$soc]}}" >&2
day=$(date -u -d '+7 days' +%Y-%m-%d)
meeting=$(call "$SIP_MEETING_ADDRESS" sip.meeting.v1.MeetingService/ScheduleMeeting \
  "{\"parent\":\"$plan\",\"kind\":\"MEETING_KIND_INITIAL\",\"details\":{\"start_time\":\"${day}T09:00:00Z\",\"end_time\":\"${day}T10:30:00Z\",\"mode\":\"MEETING_MODE_IN_PERSON\",\"location\":\"Vårdcentralen Kungälv, rum 3\",\"purpose\":\"Jag vill kunna bo kvar hemma\",\"questions\":[\"Vem hjälper mig med medicinerna?\"]},\"invitees\":[{\"unit\":$vc},{\"unit\":$soc},{\"individual\":true}]}" |
  tee /dev/stderr)
echo "$meeting" | grep -q MEETING_STATE_SCHEDULED || { echo "the meeting was not scheduled" >&2; exit 1; }
inbox=$(call "$SIP_MEETING_ADDRESS" sip.meeting.v1.MeetingService/ListInbox \
  "{\"unit_hsa_id\":\"$SOC\"}" "$SOC" | tee /dev/stderr)
invitation=$(echo "$inbox" | name_of "$plan/meetings/[^/\"]*/invitations/")
[ -n "$invitation" ] || { echo "social services' inbox has no invitation" >&2; exit 1; }
call "$SIP_MEETING_ADDRESS" sip.meeting.v1.MeetingService/RenderInvitation \
  "{\"name\":\"$invitation\",\"format\":\"INVITATION_FORMAT_TEXT\"}" "$SOC" |
  sed -n 's/.*"content": *"\(.*\)",*$/\1/p' | sed 's/\\n/\n/g'
echo "demo: a plan, its consent and a scheduled SIP meeting in social services' inbox" >&2
