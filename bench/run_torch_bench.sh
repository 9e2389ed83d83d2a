#!/usr/bin/env bash
# Times `CKPT_BIN info --json FILE` on torch.save state_dicts of 10 MiB, 100 MiB and 1 GiB
# (200 tensors each, page cache warm) against Python peers, and prints a markdown table.
#
#   bench/run_torch_bench.sh CKPT_BIN
#
# Peers (Debian's /usr/bin/python3, torch 1.13):
#   torch wo   torch.load(p, weights_only=True)         reads every storage into memory
#   torch meta torch.load(p, map_location='meta')       torch 1.13 accepts it, but still reads
#                                                        each storage, then drops the data
#   genops     pickletools.genops over the pickle(s)    a scanner (picklescan-style): data.pkl
#                                                        of the zip / the pickles of a legacy file
# Each peer includes the interpreter start-up (and `import torch` for the torch.load peers);
# the line under the table times both alone so they can be subtracted.
#
# Environment:
#   BENCH_DIR  where the generated files go (kept); default: a temp dir removed at the end
#   SIZES      sizes in MiB (default "10 100 1024")
#   TENSORS    tensors per file (default 200)
#   LEGACY     1: also legacy-format files (_use_new_zipfile_serialization=False)
#   RUNS       timed runs per command (default 5; the median is reported), after 1 warm-up
#
# Uses hyperfine when it is installed, else a bash timing loop. A command that fails (e.g. ckpt
# exiting 2 on a format it cannot read yet) shows "n/a (exit N)" and is not timed.
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
SIZES=${SIZES:-"10 100 1024"}
TENSORS=${TENSORS:-200}
RUNS=${RUNS:-5}
LEGACY=${LEGACY:-0}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-torch-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi

have_ckpt=0
[[ -x "$CKPT" ]] && have_ckpt=1
[[ $have_ckpt == 1 ]] || echo "note: $CKPT is not an executable; timing the peers only" >&2

GENOPS='
import io, pickletools, sys, zipfile
p = sys.argv[1]
n = 0
if zipfile.is_zipfile(p):
    z = zipfile.ZipFile(p)
    for name in z.namelist():
        if name.endswith(".pkl"):
            n += sum(1 for _ in pickletools.genops(io.BytesIO(z.read(name))))
else:
    f = open(p, "rb")
    try:
        while True:
            last = None
            for op, arg, pos in pickletools.genops(f):
                n += 1
                last = op
            if last is None:
                break
    except ValueError:
        pass  # the raw storages after the last pickle
print(n)
'

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

# time_ms CMD... -> the median wall time in ms, or "n/a (exit N)" when the command fails
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
ratio() { if num "$1" && num "$2"; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a/b }'; else echo "n/a"; fi; }

GENOPS_PY="$DIR/genops_scan.py"
printf '%s' "$GENOPS" >"$GENOPS_PY"

variants=(zip)
[[ $LEGACY == 1 ]] && variants+=(legacy)

start=$(time_ms $PY -c "pass")
start_torch=$(time_ms $PY -c "import torch")
rows=()
declare -A first_ck
for v in "${variants[@]}"; do
    for mib in $SIZES; do
        f="$DIR/torch_${v}_${mib}mib_${TENSORS}t.pt"
        if [[ ! -s "$f" ]]; then
            echo "generating $f ..." >&2
            extra=()
            [[ $v == legacy ]] && extra=(--legacy)
            $PY "$HERE/make_big_torch.py" "$f" --mib "$mib" --tensors "$TENSORS" "${extra[@]}" >&2
        fi
        cat "$f" >/dev/null                      # page cache warm
        bytes=$(stat -c %s "$f")
        if [[ $have_ckpt == 1 ]]; then
            ck=$(time_ms "$CKPT" info --json "$f")
        else
            ck="n/a"
        fi
        wo=$(time_ms $PY -c "import sys, torch; torch.load(sys.argv[1], weights_only=True)" "$f")
        meta=$(time_ms $PY -c "import sys, torch; torch.load(sys.argv[1], map_location='meta')" "$f")
        gen=$(time_ms $PY "$GENOPS_PY" "$f")
        # flat? ckpt time relative to the smallest file of the same format
        if [[ -z "${first_ck[$v]:-}" ]]; then first_ck[$v]=$ck; fi
        flat=$(ratio "$ck" "${first_ck[$v]}")
        rows+=("| $v | $(awk -v b="$bytes" 'BEGIN{printf "%.1f MiB", b/1048576}') | $TENSORS | $ck | $flat | $wo | $meta | $gen | $(ratio "$ck" "$gen") |")
    done
done

echo
echo "torch checkpoint info benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU, torch $($PY -c 'import torch; print(torch.__version__)' 2>/dev/null), runs=$RUNS (median)$(command -v hyperfine >/dev/null && echo ', hyperfine')"
echo
echo "| format | file size | tensors | ckpt info --json (ms) | ckpt vs smallest (flat?) | torch.load weights_only (ms) | torch.load meta (ms) | genops scan (ms) | ratio ckpt/genops |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "python start alone: $start ms (in every peer time); python start + import torch: $start_torch ms (in the torch.load times)."
