# Shell functions shared by scripts/run.sh and the interop tests: free ports, starting a
# service binary against a database, waiting until it listens, stopping it.
# Source it; it sets nothing else.

source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

# sip_wait_listening PID PORT NAME LOG: waits up to 60 s for PID itself to listen on PORT
# (another process there does not count: PID then exits, unable to bind); prints the log
# and fails otherwise.
sip_wait_listening() {
  local pid=$1 port=$2 name=$3 log=$4
  for _ in $(seq 1 600); do
    if sip_listens "$pid" "$port"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before it listened; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$name did not listen on port $port within 60 s; its log:" >&2
  cat "$log" >&2
  return 1
}

# sip_create_database CONNINFO NAME: creates database NAME on the cluster (idempotent).
sip_create_database() {
  local conninfo=$1 name=$2
  if ! psql "$conninfo dbname=postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    psql "$conninfo dbname=postgres" -qc "CREATE DATABASE $name" >/dev/null
  fi
}

# sip_create_roles CONNINFO DBNAME: least privilege on database DBNAME: the migration role
# sip_migrator, which may create the services' schemas and so owns them, and one runtime
# role per service (sip_consent, sip_plan, sip_meeting, sip_lifecycle) that owns nothing
# and gets only its grants from the migration role (--database_runtime_role). Roles are
# the cluster's; made once (idempotent, safe when several runs make them at once).
sip_create_roles() {
  local conninfo=$1 name=$2 role
  for role in sip_migrator sip_consent sip_plan sip_meeting sip_lifecycle; do
    psql "$conninfo dbname=postgres" -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END \$\$;
SQL
  done
  psql "$conninfo dbname=postgres" -qc "GRANT CREATE, CONNECT ON DATABASE $name TO sip_migrator" >/dev/null
}

# sip_database_flags CONNINFO DBNAME SERVICE: the flags that make SERVICE connect as its
# runtime role and migrate as the migration role (sip_create_roles).
sip_database_flags() {
  local conninfo=$1 name=$2 service=$3
  echo "--database_url=$conninfo dbname=$name user=sip_$service"
  echo "--migration_database_url=$conninfo dbname=$name user=sip_migrator"
  echo "--database_runtime_role=sip_$service"
}

# sip_stop_pids PID...: SIGTERM, then wait for each (services shut down gracefully).
sip_stop_pids() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# sip_pki DIR: the development PKI in DIR (scripts/lib/dev_pki.sh; kept when it exists)
# and a page-token secret beside it, the same for every service.
sip_pki() {
  local dir=$1
  bash "$(dirname "${BASH_SOURCE[0]}")/dev_pki.sh" "$dir"
  [ -f "$dir/page_token_secret" ] || (umask 077 && openssl rand -hex 32 >"$dir/page_token_secret")
}

# sip_exec_service PKI NAME BINARY ARGS...: replaces the shell with service NAME's BINARY
# serving mutual TLS with the PKI (its certificate, the CA for its callers, the identity
# provider's key for tokens; the PKI's "events" system may read the event feeds) and
# calling its peers with the same certificate. Run it in
# the background: `sip_exec_service "$pki" plan build/.../plan_server ... &`.
sip_exec_service() {
  local pki=$1 name=$2 binary=$3
  shift 3
  local peer upper peers=()
  for peer in consent plan meeting lifecycle; do
    upper=$(echo "$peer" | tr '[:lower:]' '[:upper:]')
    peers+=("SIP_${upper}_CA_FILE=$pki/ca.pem" "SIP_${upper}_CERT_FILE=$pki/$name.pem"
      "SIP_${upper}_KEY_FILE=$pki/$name.key")
  done
  exec env "${peers[@]}" SIP_PAGE_TOKEN_SECRET="$(cat "$pki/page_token_secret")" "$binary" \
    --tls_cert_file "$pki/$name.pem" --tls_key_file "$pki/$name.key" \
    --tls_client_ca_file "$pki/ca.pem" --token_issuer "$(cat "$pki/issuer")" \
    --token_public_keys_file "$pki/token-public.pem" --event_reader_systems dev-event-reader "$@"
}
