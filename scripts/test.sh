#!/usr/bin/env bash
# The second quick-start command: installs what is missing, builds everything, and runs
# the whole test suite (ctest). The suite starts its own PostgreSQL once per run
# (tests/pg/pg.sh) and gives each test a fresh database.
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit` or `-R Consent`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
# The fuzzers build with clang-14 against the main build's generated code.
bash tests/fuzz/fuzz.sh build
cd build
ctest --output-on-failure --parallel 2 "$@"
