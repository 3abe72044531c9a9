#!/usr/bin/env bash
# The fuzzers (libFuzzer, clang-14, AddressSanitizer + UndefinedBehaviorSanitizer); their
# targets are listed in tests/fuzz/targets.cmake, their corpora committed in
# tests/fuzz/corpus/NAME/ (inputs that reached new code in the long runs).
#   fuzz.sh build                  build them in build-fuzz/ (after the main build)
#   fuzz.sh run NAME [SECONDS]     run one for SECONDS (default 30) on its corpus and seeds:
#                                  what the test suite does, 20 s each
#   fuzz.sh runs NAME [RUNS]       run one for RUNS executions (default 10,000,000) and
#                                  merge what reached new code into its committed corpus;
#                                  prints libFuzzer's final statistics (tests/fuzz/README.md
#                                  records the last long runs)
# A crash leaves its input in build-fuzz/crashes/ and fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/build-fuzz"
cmd=${1:?usage: fuzz.sh build | run NAME [SECONDS] | runs NAME [RUNS]}
options=(-timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1)
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
case "$cmd" in
  build)
    CXX=clang++-14 cmake -S "$repo/tests/fuzz" -B "$out" -G Ninja \
      -DSIP_MAIN_BUILD="$repo/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$out"
    ;;
  run|runs)
    name=${2:?usage: fuzz.sh $cmd NAME ...}
    [ -x "$out/$name" ] || { echo "fuzz.sh: $out/$name is not built; run fuzz.sh build" >&2; exit 1; }
    corpus=$(mktemp -d)
    trap 'rm -rf "$corpus"' EXIT
    node "$repo/tests/fuzz/seeds.mjs" "$name" "$corpus"
    committed="$repo/tests/fuzz/corpus/$name"
    mkdir -p "$out/crashes" "$committed"
    cp -r "$committed/." "$corpus/"
    if [ "$cmd" = run ]; then
      "$out/$name" -max_total_time="${3:-30}" "${options[@]}" \
        -artifact_prefix="$out/crashes/$name-" "$corpus"
    else
      "$out/$name" -runs="${3:-10000000}" "${options[@]}" \
        -artifact_prefix="$out/crashes/$name-" "$corpus"
      # Only the inputs that reach code the committed corpus does not.
      "$out/$name" -merge=1 "${options[@]}" "$committed" "$corpus" 2>&1 | tail -1
    fi
    ;;
  *) echo "usage: fuzz.sh build | run NAME [SECONDS] | runs NAME [RUNS]" >&2; exit 2 ;;
esac
