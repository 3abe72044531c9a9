#!/usr/bin/env bash
# The unit and database tests built with sanitizers and run (a stage of scripts/test.sh;
# by hand after the main build):
#   sanitize.sh asan [CTEST ARGS...]   AddressSanitizer + UndefinedBehaviorSanitizer, build-asan/
#   sanitize.sh tsan [CTEST ARGS...]   ThreadSanitizer, build-tsan/
# Project code is instrumented; the generated protobuf code is the main build's (build/),
# so run scripts/test.sh (or its cmake --build build) first. Reports name the file and
# line; a report fails the test. Suppressions (tests/sanitizers/*.supp) hold only what
# belongs to a library, each with the reason.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:?usage: sanitize.sh asan|tsan [CTEST ARGS...]}
shift
case "$kind" in
  asan) sanitize=address,undefined ;;
  tsan) sanitize=thread ;;
  *) echo "usage: sanitize.sh asan|tsan [CTEST ARGS...]" >&2; exit 2 ;;
esac
[ -f "$repo/build/proto/libsip_proto.a" ] || {
  echo "sanitize.sh: build the main tree first (cmake --build build)" >&2; exit 1; }
out="$repo/build-$kind"
# -O1 keeps the reports' stacks readable and the build short; line tables only (-g1) for
# file:line in reports without full debug information to compile and link.
cmake -S "$repo" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DSIP_SANITIZE="$sanitize" \
  -DSIP_PROTO_FROM="$repo/build" >/dev/null
cmake --build "$out" --target sip_tests
supp="$repo/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="suppressions=$supp/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
cd "$out"
# The unit and database tests; the interop, script and document tests start the
# main build's binaries and are the main run's.
ctest --output-on-failure --parallel 2 -L 'unit|db' -LE interop "$@"
