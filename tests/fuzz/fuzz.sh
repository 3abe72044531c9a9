#!/usr/bin/env bash
# The request-validator fuzzers (libFuzzer, clang-14, AddressSanitizer).
#   fuzz.sh build                  build them in build-fuzz/ (after the main build)
#   fuzz.sh run NAME [SECONDS]     run one for SECONDS (default 30) on its seed corpus
# The test suite runs each for a few seconds; run longer by hand, e.g.
#   bash tests/fuzz/fuzz.sh run plan_request_fuzz 600
# A crash leaves its input in build-fuzz/crashes/ and fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/build-fuzz"
cmd=${1:?usage: fuzz.sh build | run NAME [SECONDS]}
case "$cmd" in
  build)
    CXX=clang++-14 cmake -S "$repo/tests/fuzz" -B "$out" -G Ninja \
      -DSIP_MAIN_BUILD="$repo/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$out"
    ;;
  run)
    name=${2:?usage: fuzz.sh run NAME [SECONDS]}
    seconds=${3:-30}
    [ -x "$out/$name" ] || { echo "fuzz.sh: $out/$name is not built; run fuzz.sh build" >&2; exit 1; }
    corpus=$(mktemp -d)
    trap 'rm -rf "$corpus"' EXIT
    node "$repo/tests/fuzz/seeds.mjs" "$name" "$corpus"
    mkdir -p "$out/crashes"
    ASAN_OPTIONS=detect_leaks=0 "$out/$name" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
      -artifact_prefix="$out/crashes/$name-" "$corpus"
    ;;
  *) echo "usage: fuzz.sh build | run NAME [SECONDS]" >&2; exit 2 ;;
esac
