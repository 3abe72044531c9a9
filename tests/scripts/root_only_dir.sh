#!/usr/bin/env bash
# The two commands' PostgreSQL works from a folder only its owner can enter (a checkout
# under /root or in a `mktemp -d` folder, as CI clones): tests/pg/pg.sh starts and stops a
# cluster whose DIR is there, and scripts/run.sh (the first command) starts the suite with
# its state there, answers health checks, stops on SIGTERM keeping its data (durable
# settings), finds the plan made before when started again and after PostgreSQL crashed,
# and starts empty with --fresh.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
top=$(mktemp -d)
chmod 700 "$top"
runpid=""
cleanup() {
  if [ -n "$runpid" ]; then kill -TERM "$runpid" 2>/dev/null || true; wait "$runpid" 2>/dev/null || true; fi
  "$repo/tests/pg/pg.sh" stop "$top/pg" >/dev/null 2>&1 || true
  "$repo/tests/pg/pg.sh" stop "$top/state/pg" >/dev/null 2>&1 || true
  rm -rf "$top"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. pg.sh alone.
"$repo/tests/pg/pg.sh" start "$top/pg"
cluster=$(cat "$top/pg/cluster")
[ "$(psql "$(cat "$top/pg/conninfo") dbname=postgres" -tAc 'SELECT 40 + 2')" = 42 ] ||
  fail "the cluster started from $top/pg does not answer"
"$repo/tests/pg/pg.sh" stop "$top/pg"
[ ! -e "$cluster" ] || fail "pg.sh stop left the cluster folder $cluster"
[ ! -e "$top/pg" ] || fail "pg.sh stop left $top/pg"
echo "ok: pg.sh start/stop from a folder only its owner can enter"

# 2. The first command, with its state in that folder.
out="$top/run.out"
start_run() {
  SIP_STATE_DIR="$top/state" SIP_PORTS=free bash "$repo/scripts/run.sh" "$@" >"$out" 2>&1 &
  runpid=$!
  for _ in $(seq 1 1200); do
    grep -q "Press Ctrl-C" "$out" && return 0
    kill -0 "$runpid" 2>/dev/null || { cat "$out" >&2; fail "scripts/run.sh exited early"; }
    sleep 0.1
  done
  cat "$out" >&2; fail "scripts/run.sh did not start within 120 s"
}
stop_run() {
  kill -TERM "$runpid"
  wait "$runpid" || true
  runpid=""
}
start_run
cluster=$(cat "$top/state/pg/cluster")
conninfo=$(cat "$top/state/pg/conninfo")
for setting in fsync synchronous_commit full_page_writes; do
  [ "$(psql "$conninfo dbname=postgres" -tAc "SHOW $setting")" = on ] ||
    fail "the first command's PostgreSQL runs with $setting off: a crash would lose data"
done
grep -q "$cluster/data" "$out" || { cat "$out" >&2; fail "run.sh does not print where the data is"; }
grep -q -- "--fresh" "$out" || { cat "$out" >&2; fail "run.sh does not print how to start afresh"; }
plan=$(sed -n 's/^  plan  gRPC \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$out")
[ -n "$plan" ] || { cat "$out" >&2; fail "no plan address in run.sh's output"; }
pki=$top/state/pki
health=$(cd "$repo" && npx --no-install buf curl --protocol grpc --cacert "$pki/ca.pem" \
  --cert "$pki/client.pem" --key "$pki/client.key" \
  -d '{"service":"sip.plan.v1.PlanService"}' "https://$plan/grpc.health.v1.Health/Check")
echo "$health" | grep -q '"SERVING"' || fail "plan at $plan is not SERVING: $health"
echo "ok: scripts/run.sh serves from a folder only its owner can enter"

# The calls run.sh prints work as pasted: its tokens, listing the methods, creating a plan.
eval "$(grep '^  export [A-Z]*_TOKEN=' "$out")"
[ -n "${REGION_TOKEN:-}" ] && [ -n "${KOMMUN_TOKEN:-}" ] || { cat "$out" >&2; fail "run.sh printed no tokens"; }
mapfile -t printed < <(sed -n '/^Call them/,/^Walk through/p' "$out" | sed -e ':a;/\\$/{N;s/\\\n *//;ba}' |
  grep '^  npx buf curl')
[ "${#printed[@]}" -eq 5 ] || { cat "$out" >&2; fail "run.sh printed ${#printed[@]} calls, not 5"; }
# Every printed call, in the printed order, with the id CreatePlan answered in place of
# "<id from CreatePlan>".
run_printed() {
  local call=${printed[$1]//<id from CreatePlan>/${plan_id:-}}
  (cd "$repo" && eval "${call/npx buf/npx --no-install buf}") ||
    fail "printed call $(($1 + 1)) failed: ${printed[$1]}"
}
methods=$(run_printed 0)
grep -q CreatePlan <<<"$methods" || fail "the printed list-methods call does not list CreatePlan"
created=$(run_printed 1)
plan_id=$(grep -o '"name": *"plans/[^"/]*"' <<<"$created" | head -1 | sed -E 's/.*"plans\/([^"]*)"/\1/')
[ -n "$plan_id" ] || fail "the printed CreatePlan call made no plan: $created"
consented=$(run_printed 2)
grep -q '"CONSENT_STATE_ACTIVE"' <<<"$consented" || fail "the printed RecordConsent call: $consented"
checked=$(run_printed 3)
grep -q '"covered": *true' <<<"$checked" ||
  fail "the printed CheckConsent call (as the kommun) did not find it covered: $checked"
extract=$(run_printed 4)
grep -q 'Loggutdrag' <<<"$extract" && grep -q '"CreatePlan"' <<<"$extract" ||
  fail "the printed GetAccessExtract call gave no extract with the plan's creation: $extract"
echo "ok: the calls run.sh prints work, with its tokens over mutual TLS"

# The walk-through run.sh prints works against what it started.
addresses=$(sed -n '/^  SIP_PKI_DIR=/{N;s/\\\n *//;s/ bash scripts\/demo.sh//;s/^ *//;p}' "$out")
[ -n "$addresses" ] || { cat "$out" >&2; fail "run.sh printed no demo command"; }
(cd "$repo" && env $addresses bash scripts/demo.sh >"$top/demo.out" 2>"$top/demo.err") ||
  { cat "$top/demo.err" >&2; fail "scripts/demo.sh failed"; }
grep -q "Kallelse till SIP-möte" "$top/demo.out" ||
  { cat "$top/demo.out" "$top/demo.err" >&2; fail "the demo showed no invitation letter"; }
echo "ok: scripts/demo.sh schedules a meeting on what run.sh started"

stop_run
[ -f "$cluster/data/PG_VERSION" ] || fail "run.sh removed the data in $cluster on SIGTERM"
if "$repo/tests/pg/pg.sh" halt "$top/state/pg" && [ -f "$cluster/data/postmaster.pid" ]; then
  fail "PostgreSQL still runs in $cluster after SIGTERM"
fi
if (exec 3<>"/dev/tcp/${plan%:*}/${plan##*:}") 2>/dev/null; then
  fail "plan still listens on $plan after SIGTERM"
fi
echo "ok: SIGTERM stops the services and PostgreSQL, keeping the data"

# 3. Started again: the plan made before is there. With --fresh: gone.
name=$(sed -n 's/.*"name": *"\(plans\/[^"]*\)".*/\1/p' <<<"$created" | head -1)
[ -n "$name" ] || fail "no plan name in the CreatePlan answer: $created"
get_plan() {
  local address
  address=$(sed -n 's/^  plan  gRPC \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$out")
  (cd "$repo" && npx --no-install buf curl --protocol grpc --cacert "$pki/ca.pem" \
    --cert "$pki/client.pem" --key "$pki/client.key" -H "authorization: Bearer $REGION_TOKEN" \
    -d "{\"name\":\"$name\"}" "https://$address/sip.plan.v1.PlanService/GetPlan" 2>&1) || true
}
start_run
[ "$(cat "$top/state/pg/cluster")" = "$cluster" ] || fail "the second run made a new cluster"
again=$(get_plan)
grep -q "\"name\": *\"$name\"" <<<"$again" || fail "after a restart $name is gone: $again"
echo "ok: started again, the first command finds the plan it made before"

# 4. PostgreSQL crashes (SIGKILL: no shutdown checkpoint, its pid file left behind): the
# next start recovers the kept data, and the plan is there.
postmaster=$(head -1 "$cluster/data/postmaster.pid")
kill -KILL "$postmaster"
for _ in $(seq 1 100); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$postmaster" 2>/dev/null || fail "PostgreSQL ($postmaster) survived SIGKILL"
stop_run
[ -f "$cluster/data/postmaster.pid" ] || fail "the crash left no pid file: it did not test recovery"
start_run
[ "$(cat "$top/state/pg/cluster")" = "$cluster" ] || fail "after the crash the first command made a new cluster"
again=$(get_plan)
grep -q "\"name\": *\"$name\"" <<<"$again" || fail "after a crash of PostgreSQL $name is gone: $again"
stop_run
echo "ok: after PostgreSQL crashed, the first command recovers the kept data"
start_run --fresh
plans=$(psql "$(cat "$top/state/pg/conninfo") dbname=sip" -tAc "SELECT count(*) FROM plan.plans")
[ "$plans" = 0 ] || fail "after --fresh the database still holds $plans plans"
gone=$(get_plan)
grep -q '"NOT_VISIBLE"\|CgtOT1RfVklTSUJMRR' <<<"$gone" || fail "after --fresh $name is still served: $gone"
stop_run
echo "ok: --fresh starts on empty data"
