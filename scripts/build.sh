#!/usr/bin/env bash
# Configures and builds into build/ (or $CKPT_BUILD_DIR). Used by run.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CKPT_BUILD_DIR:-$root/build}"
jobs="${CKPT_JOBS:-$(nproc)}"
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# Only the compiler's own messages reach the terminal; the build stops on the first error.
set +e
cmake --build "$build" -j "$jobs" -- --no-print-directory 2>&1 |
    grep -vE '^\[ *[0-9]+%\] (Building|Linking|Built|Automatic|Generating)'
status=${PIPESTATUS[0]}
set -e
exit "$status"
