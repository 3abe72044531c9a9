# Loopback ports for the suite's own scripts (scripts/run.sh, the interop tests' services,
# the tests' PostgreSQL), which run side by side under ctest. Source it.
#
# A port is picked free, then bound a moment later by a server the script starts; in
# between, another script running at the same time could pick the same port. So a port is
# claimed: an exclusive flock(1) on a file named after it, in a folder all the suite's
# scripts of this user share, held by the claiming shell (and the servers it starts, which
# inherit it) until they exit. Claims are released by the kernel when their holders exit,
# so a killed run leaves no stale claim behind (the empty file is reused).

# The folder of claims; SIP_PORT_CLAIMS_DIR moves it.
sip_port_claims_dir() {
  echo "${SIP_PORT_CLAIMS_DIR:-/tmp/sip-port-claims-$(id -u)}"
}

# sip_port_in_use PORT: whether something accepts connections on 127.0.0.1:PORT.
sip_port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# sip_claim_port VAR [PORT]: sets VAR to a port nobody listens on and no other of the
# suite's scripts has claimed: PORT when it is so, else a random one below Linux's
# ephemeral range (32768-60999), so that no outgoing connection can be holding it when a
# server binds. Not in a $(...) subshell: the claim would end with it.
sip_claim_port() {
  # Locals are prefixed: VAR is the caller's name and must not be shadowed.
  local -n sip_claimed_port_=$1
  local sip_wanted_=${2:-} sip_dir_ sip_port_ sip_fd_ sip_attempt_
  sip_dir_=$(sip_port_claims_dir)
  mkdir -p "$sip_dir_" 2>/dev/null || true
  for sip_attempt_ in $(seq 1 200); do
    if [ "$sip_attempt_" -eq 1 ] && [ -n "$sip_wanted_" ]; then
      sip_port_=$sip_wanted_
    else
      sip_port_=$((20000 + RANDOM % 12000))
    fi
    # (2>/dev/null on the group: on `exec` itself it would silence this shell for good)
    if ! { exec {sip_fd_}>>"$sip_dir_/$sip_port_"; } 2>/dev/null; then
      # No shared folder (not writable): a free port, unclaimed, as before claims existed.
      sip_port_in_use "$sip_port_" && continue
      sip_claimed_port_=$sip_port_
      return 0
    fi
    if flock -n "$sip_fd_" && ! sip_port_in_use "$sip_port_"; then
      sip_claimed_port_=$sip_port_
      return 0
    fi
    exec {sip_fd_}>&-
  done
  echo "no free port found (claims in $sip_dir_)" >&2
  return 1
}

# sip_listens PID PORT: whether process PID itself listens on PORT (any local address),
# read from /proc: a socket in LISTEN state on PORT whose inode is one of PID's open files.
# Another process listening there does not count.
sip_listens() {
  local pid=$1 port=$2 inode target
  local inodes
  inodes=$(awk -v p=":$(printf '%04X' "$port")" \
    '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null) || return 1
  for inode in $inodes; do
    for target in /proc/"$pid"/fd/*; do
      [ "$(readlink "$target" 2>/dev/null)" = "socket:[$inode]" ] && return 0
    done
  done
  return 1
}
