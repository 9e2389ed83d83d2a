#!/usr/bin/env bash
# Installs what is missing, builds, and starts Checkpoint Inspector on the bundled samples.
# Without a display it prints the CLI's view of the samples and writes a screenshot instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CKPT_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${CKPT_HEADLESS:-0}" != 1 ]; then
    exec "$build/app/ckpt-inspector" "$@"
fi

echo "No display found: showing the samples with the command-line tool instead."
samples=("$@")
if [ ${#samples[@]} -eq 0 ]; then
    samples=("$root"/resources/samples/*.h5 "$root"/resources/samples/*.keras)
fi
for f in "${samples[@]}"; do
    [ -e "$f" ] || continue
    echo
    "$build/app/ckpt" info "$f"
done
mkdir -p "$root/out"
QT_QPA_PLATFORM=offscreen "$build/app/ckpt-inspector" --screenshot "$root/out/screenshot.png" "$@"
echo
echo "Screenshot of the app: $root/out/screenshot.png"
