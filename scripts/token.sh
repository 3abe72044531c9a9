#!/usr/bin/env bash
# Mints a user's token (RS256 JWT) with the development identity provider's key that
# scripts/run.sh made (scripts/lib/dev_pki.sh), for calling the local suite. Prints the
# token. Local development and tests only.
#   token.sh UNIT_HSA_ID PRINCIPAL [PRINCIPAL_CODE] [USER] [ROLE] [LIFETIME_SECONDS]
# e.g. token.sh SE2321000131-E000000000001 REGION 14 SE2321000131-T000000000001
#      token.sh SE2120001652-S000000000002 MUNICIPALITY 1482
# SIP_PKI_DIR names the PKI folder (default .local/pki); SIP_TOKEN_AUDIENCE the audience
# (default "sip").
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
unit=$1 principal=$2 code=${3:-} user=${4:-demo-user} role=${5:-CARE_PROFESSIONAL} lifetime=${6:-3600}
pki=${SIP_PKI_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.local/pki}
[ -f "$pki/token.key" ] || { echo "no $pki/token.key: start scripts/run.sh first" >&2; exit 1; }
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
code_claim=""
[ -n "$code" ] && code_claim=",\"unit_principal_code\":\"$code\""
header='{"alg":"RS256","typ":"JWT"}'
payload="{\"iss\":\"$(cat "$pki/issuer")\",\"aud\":\"${SIP_TOKEN_AUDIENCE:-sip}\",\"sub\":\"$user\",\"iat\":$now,\"nbf\":$now,\"exp\":$((now + lifetime)),\"unit_hsa_id\":\"$unit\",\"unit_principal\":\"$principal\"$code_claim,\"role\":\"$role\"}"
signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
signature=$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$pki/token.key" -binary | b64url)
echo "$signing_input.$signature"
