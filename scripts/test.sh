#!/usr/bin/env bash
# The second quick-start command: installs what is missing, builds everything, and runs
# the whole test suite (ctest). The suite starts its own PostgreSQL once per run
# (tests/pg/pg.sh) and gives each test a fresh database. Then the unit and database tests
# again, built with AddressSanitizer + UndefinedBehaviorSanitizer and with
# ThreadSanitizer (scripts/sanitize.sh).
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit` or `-R Consent`; with them
# only the main build's tests run, no sanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
# The fuzzers build with clang-14 against the main build's generated code.
bash tests/fuzz/fuzz.sh build
(cd build && ctest --output-on-failure --parallel 2 "$@")
if [ $# -eq 0 ]; then
  bash scripts/sanitize.sh asan
  bash scripts/sanitize.sh tsan
fi
