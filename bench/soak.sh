#!/usr/bin/env bash
# The soak (bench/soak.mjs; bench/README.md has the last result): after the main build,
#   bash bench/soak.sh [RESULT.json]
# SIP_SOAK_MINUTES (default 30) and SIP_SOAK_CAPACITY_SECONDS (default 60) shorten it.
# The suite runs on a durable PostgreSQL of its own (tests/faults/stage.sh), which also
# checks the suite's invariants afterwards.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
for name in consent plan meeting lifecycle; do
  [ -x "$build/services/$name/${name}_server" ] || {
    echo "soak.sh: build first (cmake --build build)" >&2; exit 1; }
done
export SIP_SERVER_BINARIES="consent=$build/services/consent/consent_server,plan=$build/services/plan/plan_server,meeting=$build/services/meeting/meeting_server,lifecycle=$build/services/lifecycle/lifecycle_server"
export SIP_INVARIANTS="$build/tests/faults/suite_invariants"
export SIP_SOAK_RESULT=${1:-$repo/build/soak-result.json}
exec bash "$repo/tests/faults/stage.sh" node "$repo/bench/soak.mjs"
