#!/usr/bin/env bash
# Configures and builds into build/ (or $CKPT_BUILD_DIR). Used by run.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CKPT_BUILD_DIR:-$root/build}"
jobs="${CKPT_JOBS:-$(nproc)}"
# shellcheck source=scripts/build-common.sh
. "$root/scripts/build-common.sh"
if [ ! -f "$build/CMakeCache.txt" ]; then
    # -g1 (line tables, no variable info): stack traces keep file:line, and a cold build (CI) is a
    # quarter faster than with -g. Ninja (ckpt_generator in build-common.sh) keeps both cores
    # busy where make waits for each library to be linked before compiling what uses it.
    cmake -S "$root" -B "$build" $(ckpt_generator) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
fi
# Only the compiler's own messages reach the terminal; the build stops on the first error.
set +e
cmake --build "$build" -j "$jobs" 2>&1 | ckpt_quiet_build
status=${PIPESTATUS[0]}
set -e
exit "$status"
