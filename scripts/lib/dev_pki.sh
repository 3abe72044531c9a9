#!/usr/bin/env bash
# Makes the development PKI under DIR (default .local/pki), once: what scripts/run.sh and
# the interop tests start the services with. For local development and tests only.
#   ca.pem, ca.key                 the development CA (mutual TLS for everyone)
#   <service>.pem, <service>.key   each service's certificate, CN "sip-<service>", for
#                                  serving and for calling the other services (mutual TLS)
#   client.pem, client.key         an integrating regional system's client certificate
#                                  (CN "dev-regional-system")
#   events.pem, events.key         an integrating system allowed to read the services'
#                                  event feeds (CN "dev-event-reader"; ListEvents)
#   token.key, token-public.pem    the development identity provider's RS256 signing key
#                                  and the public key the services verify tokens with
#   issuer                         the issuer (iss) the tokens name
# Mint a user's token with scripts/token.sh. Files that exist are kept.
# Usage: dev_pki.sh [DIR]
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/../.." && pwd)/.local/pki}
mkdir -p "$dir"
cd "$dir"
days=825
if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/CN=SIP development CA" 2>/dev/null
fi
# cert NAME CN USAGE: a certificate for localhost/127.0.0.1 signed by the CA.
cert() {
  local name=$1 cn=$2 usage=$3
  [ -f "$name.pem" ] && return 0
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=%s\n' "$usage" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
    -days $days -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}
for service in consent plan meeting lifecycle; do
  cert "$service" "sip-$service" serverAuth,clientAuth
done
cert client dev-regional-system clientAuth
cert events dev-event-reader clientAuth
if [ ! -f token.key ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out token.key 2>/dev/null
  openssl pkey -in token.key -pubout -out token-public.pem
fi
[ -f issuer ] || echo "https://idp.sip.local/dev" >issuer
chmod 600 ./*.key
rm -f ca.srl
