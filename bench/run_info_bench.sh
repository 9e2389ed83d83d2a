#!/usr/bin/env bash
# Times `CKPT_BIN info --json FILE` against `h5ls -r FILE` on legacy Keras .h5 files of
# 10 MiB, 100 MiB and 1 GiB (page cache warm) and prints a markdown table.
#
#   bench/run_info_bench.sh CKPT_BIN
#
# Environment:
#   BENCH_DIR  where the generated files go (kept); default: a temp dir removed at the end
#   SIZES      sizes in MiB (default "10 100 1024")
#   TENSORS    weight datasets per file (default 200)
#   RUNS       timed runs per command (default 7; the median is reported), after 2 warm-ups
#
# Uses hyperfine when it is installed, else a bash timing loop. If CKPT_BIN is missing or
# not executable, its column shows n/a and only h5ls is timed.
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
SIZES=${SIZES:-"10 100 1024"}
TENSORS=${TENSORS:-200}
RUNS=${RUNS:-7}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v h5ls >/dev/null || { echo "h5ls not found (apt-get install hdf5-tools)" >&2; exit 1; }

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-info-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi

have_ckpt=0
[[ -x "$CKPT" ]] && have_ckpt=1
[[ $have_ckpt == 1 ]] || echo "note: $CKPT is not an executable; timing h5ls only" >&2

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

# time_ms CMD... -> prints the median wall time in milliseconds, or "error"
time_ms() {
    if ! "$@" >/dev/null 2>&1; then echo error; return; fi
    if command -v hyperfine >/dev/null; then
        local json
        json=$(mktemp)
        local cmd
        cmd=$(printf '%q ' "$@")
        hyperfine --warmup 2 --runs "$RUNS" --style none --export-json "$json" "$cmd" >/dev/null 2>&1
        $PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$json"
        rm -f "$json"
        return
    fi
    "$@" >/dev/null 2>&1 || true           # second warm-up
    local i t0 t1
    for ((i = 0; i < RUNS; i++)); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        echo "$(( (t1 - t0) / 1000 ))"       # microseconds
    done | median | awk '{ if ($1 == "nan") print "nan"; else printf "%.1f\n", $1 / 1000 }'
}

rows=()
for mib in $SIZES; do
    f="$DIR/keras_${mib}mib_${TENSORS}t.h5"
    if [[ ! -s "$f" ]]; then
        echo "generating $f ..." >&2
        $PY "$HERE/make_big_keras.py" "$f" --size-mib "$mib" --tensors "$TENSORS" >&2
    fi
    cat "$f" >/dev/null                      # page cache warm
    bytes=$(stat -c %s "$f")
    h5=$(time_ms h5ls -r "$f")
    if [[ $have_ckpt == 1 ]]; then
        ck=$(time_ms "$CKPT" info --json "$f")
    else
        ck="n/a"
    fi
    ratio=$(awk -v a="$ck" -v b="$h5" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else print "n/a" }')
    rows+=("| $(awk -v b="$bytes" 'BEGIN{printf "%.1f MiB", b/1048576}') | $TENSORS | $ck | $h5 | $ratio |")
done

echo
echo "ckpt info benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU, $(h5ls --version 2>&1 | head -1), runs=$RUNS (median)$(command -v hyperfine >/dev/null && echo ', hyperfine')"
echo
echo "| file size | tensors | ckpt info --json (ms) | h5ls -r (ms) | ratio ckpt/h5ls |"
echo "|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
