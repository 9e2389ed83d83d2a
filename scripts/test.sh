#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (CTest; Qt Test suites).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CKPT_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "${CKPT_JOBS:-$(nproc)}" "$@"
