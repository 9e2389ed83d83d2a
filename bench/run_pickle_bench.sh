#!/usr/bin/env bash
# Times `CKPT_BIN info --json FILE` on a large protocol-4 pickle (bulk: bytes, bytearray and
# numpy payloads; see make_big_pickle.py) against Python peers, and prints a markdown table
# with MB/s (file bytes / median wall time).
#
#   bench/run_pickle_bench.sh CKPT_BIN
#
# Peers (Debian's /usr/bin/python3):
#   genops       [x for x in pickletools.genops(f)]   a scanner (picklescan-style) walk
#   pickle.load  the C unpickler building every object (safe here: we wrote the file)
# Both include the interpreter start-up; the line under the table times it alone.
#
# Environment:
#   BENCH_DIR  where the generated files go (kept); default: a temp dir removed at the end
#   SIZES      pickle sizes in MiB (default "256")
#   PROTOCOLS  pickle protocols (default "4"; "4 5" adds a protocol-5 file: BYTEARRAY8 and
#              numpy _frombuffer)
#   RUNS       timed runs per command (default 5; the median is reported), after 1 warm-up
#
# Uses hyperfine when it is installed, else a bash timing loop. A command that fails (e.g. ckpt
# exiting 2 on a format it cannot read yet) shows "n/a (exit N)" and is not timed.
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
SIZES=${SIZES:-"256"}
PROTOCOLS=${PROTOCOLS:-"4"}
RUNS=${RUNS:-5}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-pickle-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi

have_ckpt=0
[[ -x "$CKPT" ]] && have_ckpt=1
[[ $have_ckpt == 1 ]] || echo "note: $CKPT is not an executable; timing the peers only" >&2

cat >"$DIR/genops_scan.py" <<'PY'
import pickletools, sys
with open(sys.argv[1], "rb") as f:
    print(len([x for x in pickletools.genops(f)]))
PY
cat >"$DIR/pickle_load.py" <<'PY'
import pickle, sys
with open(sys.argv[1], "rb") as f:
    pickle.load(f)
PY

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

time_ms() {
    local rc=0
    "$@" >/dev/null 2>&1 || rc=$?
    if [[ $rc != 0 ]]; then echo "n/a (exit $rc)"; return; fi
    if command -v hyperfine >/dev/null; then
        local json cmd
        json=$(mktemp)
        cmd=$(printf '%q ' "$@")
        if hyperfine --warmup 1 --runs "$RUNS" --style none --export-json "$json" "$cmd" >/dev/null 2>&1; then
            $PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$json"
        else
            echo "n/a (hyperfine)"
        fi
        rm -f "$json"
        return
    fi
    local i t0 t1
    for ((i = 0; i < RUNS; i++)); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        echo "$(( (t1 - t0) / 1000 ))"
    done | median | awk '{ if ($1 == "nan") print "nan"; else printf "%.1f\n", $1 / 1000 }'
}

num() { [[ "$1" =~ ^[0-9.]+$ ]]; }
mbs() { if num "$2"; then awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", (b/1e6)/(t/1000) }'; else echo "n/a"; fi; }
cell() { if num "$2"; then echo "$2 ms, $(mbs "$1" "$2") MB/s"; else echo "$2"; fi; }
ratio() { if num "$1" && num "$2"; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a/b }'; else echo "n/a"; fi; }

start=$(time_ms $PY -c "pass")
rows=()
for proto in $PROTOCOLS; do
    for mib in $SIZES; do
        f="$DIR/pickle_p${proto}_${mib}mib.pkl"
        if [[ ! -s "$f" ]]; then
            echo "generating $f ..." >&2
            $PY "$HERE/make_big_pickle.py" "$f" --mib "$mib" --protocol "$proto" >&2
        fi
        cat "$f" >/dev/null
        bytes=$(stat -c %s "$f")
        if [[ $have_ckpt == 1 ]]; then
            ck=$(time_ms "$CKPT" info --json "$f")
        else
            ck="n/a"
        fi
        gen=$(time_ms $PY "$DIR/genops_scan.py" "$f")
        ld=$(time_ms $PY "$DIR/pickle_load.py" "$f")
        rows+=("| $proto | $(awk -v b="$bytes" 'BEGIN{printf "%.1f MiB", b/1048576}') | $(cell "$bytes" "$ck") | $(cell "$bytes" "$gen") | $(cell "$bytes" "$ld") | $(ratio "$ck" "$gen") |")
    done
done

echo
echo "pickle parse benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU, $($PY --version 2>&1), runs=$RUNS (median)$(command -v hyperfine >/dev/null && echo ', hyperfine')"
echo
echo "| protocol | file size | ckpt info --json | pickletools.genops | pickle.load (C) | ratio ckpt/genops |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "python start alone: $start ms (included in the genops and pickle.load times)."
