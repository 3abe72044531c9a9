#!/usr/bin/env bash
# scripts/lib/ports.sh and sip_wait_listening, which every script starting a server uses
# (scripts/run.sh, the interop tests, the tests' PostgreSQL) while others run beside it:
#   - a port claimed by one script is not handed to another, though nobody listens on it
#     yet (ctest once failed when two interop tests picked the same port);
#   - two scripts claiming ports at the same time never get the same one;
#   - a port someone listens on is not handed out, and a wanted port is used when free;
#   - sip_wait_listening waits for the started process itself: a port held by another
#     process does not make a server that could not bind look started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/services.sh"
work=$(mktemp -d)
listeners=()
cleanup() {
  for pid in "${listeners[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# A folder of claims of its own: the test does not compete with tests running beside it.
export SIP_PORT_CLAIMS_DIR=$work/claims
fail() { echo "FAIL: $*" >&2; exit 1; }

# listen PORT: a process (not this shell) listening on 127.0.0.1:PORT; prints its pid
# once it listens.
listen() {
  python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("ready", flush=True)
time.sleep(120)' "$1" >"$work/listen.$1" 2>&1 &
  listeners+=($!)
  for _ in $(seq 1 100); do grep -q ready "$work/listen.$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "could not listen on $1"
}

# 1. Claimed here, so not another script's, though nothing listens on it.
sip_claim_port mine
sip_port_in_use "$mine" && fail "claimed port $mine is in use"
other=$(bash -c 'source "$1"; sip_claim_port p "$2"; echo "$p"' _ "$here/../../scripts/lib/ports.sh" "$mine")
[ "$other" != "$mine" ] || fail "another script was given port $mine, claimed by this one"
echo "ok: a claimed port ($mine) is not given to another script (it got $other)"
# Claiming leaves the script's own error output alone (its failure reports go there).
said=$({ sip_claim_port unused; echo "still heard" >&2; } 2>&1)
[ "$said" = "still heard" ] || fail "claiming a port silenced the script's error output"

# 2. Two scripts claiming 300 ports each at the same time, each holding its claims until
# both are done: no port in both lists (random picks alone would share ~15 of 600).
claimer() {
  bash -c '
source "$1"
for _ in $(seq 1 300); do sip_claim_port p; echo "$p"; done >"$2.ports"
touch "$2.done"
for _ in $(seq 1 600); do [ -e "$3.done" ] && exit 0; sleep 0.05; done
exit 1' _ "$here/../../scripts/lib/ports.sh" "$work/$1" "$work/$2"
}
claimer a b & a=$!
claimer b a & b=$!
wait "$a" || fail "the first claimer did not finish"
wait "$b" || fail "the second claimer did not finish"
[ "$(sort -u "$work/a.ports" | wc -l)" -eq 300 ] || fail "one script got a port twice"
[ "$(sort -u "$work/b.ports" | wc -l)" -eq 300 ] || fail "one script got a port twice"
shared=$(comm -12 <(sort "$work/a.ports") <(sort "$work/b.ports") | wc -l)
[ "$shared" -eq 0 ] || fail "two scripts claiming at once got $shared ports in common"
echo "ok: two scripts claiming 300 ports each at once share none"

# 3. A wanted port is used when free, and not when another process listens on it.
export -f sip_claim_port sip_port_claims_dir sip_port_in_use
# (claimed in folders of their own, so that only a listener can stand in the way)
free_port=$(SIP_PORT_CLAIMS_DIR=$work/claims.free bash -c 'sip_claim_port p; echo "$p"')
sip_claim_port wanted_free "$free_port"
[ "$wanted_free" = "$free_port" ] || fail "the free wanted port $free_port was passed over for $wanted_free"
sip_claim_port busy
listen "$busy"
got=$(SIP_PORT_CLAIMS_DIR=$work/claims.other bash -c 'sip_claim_port p "$1"; echo "$p"' _ "$busy")
[ "$got" != "$busy" ] || fail "port $busy, listened on, was handed out"
echo "ok: a wanted free port is used; a port listened on ($busy) is not (got $got)"

# 4. A server that cannot bind, because another process listens on its port, is not
# taken for started: sip_wait_listening fails and shows its log.
python3 -c '
import socket, sys, time
try:
    socket.socket().bind(("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    print("cannot listen on port", sys.argv[1], e, flush=True)
    time.sleep(1)
    sys.exit(1)
time.sleep(120)' "$busy" >"$work/impostor.log" 2>&1 &
impostor=$!
if sip_wait_listening "$impostor" "$busy" impostor "$work/impostor.log" 2>"$work/wait.err"; then
  fail "sip_wait_listening took a server that could not bind for started"
fi
grep -q "impostor exited before it listened" "$work/wait.err" || fail "no reason given: $(cat "$work/wait.err")"
grep -q "cannot listen on port $busy" "$work/wait.err" || fail "its log was not shown"
echo "ok: a server unable to bind a port held by another process is reported, with its log"

# 5. And a server that does listen is seen as started.
sip_claim_port free
python3 -c '
import socket, sys, time
time.sleep(0.5)
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
time.sleep(120)' "$free" >"$work/server.log" 2>&1 &
server=$!
listeners+=("$server")
sip_wait_listening "$server" "$free" server "$work/server.log" || fail "a listening server was not seen"
sip_listens "$server" "$busy" && fail "the server was said to listen on a port it does not"
echo "ok: a server listening on its own port is seen as started"
