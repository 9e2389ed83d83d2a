#!/usr/bin/env bash
# Times `CKPT_BIN diff A B --json` on two Keras-layout float32 files (page cache warm) against
# a numpy script (h5py read, per-tensor max|delta|, rel L2 and cosine) and `h5diff -d 0.01`,
# in one go, and measures every command's peak RSS with /usr/bin/time -v. With several SIZES it
# also shows whether ckpt's peak memory stays flat as the files grow.
#
#   bench/run_diff_bench.sh CKPT_BIN
#
# Environment:
#   BENCH_DIR  where the generated pairs go (kept); default: a temp dir removed at the end
#   SIZES      file sizes in MiB (default "512 2048"); the first is the timed one
#   RUNS       timed runs per command (default 7; the median is reported), after one warm-up
#
# Exits 1 when ckpt misses a target: >= 4x faster than numpy, >= 5x faster than h5diff,
# peak RSS <= 64 MiB at every size. ckpt's peak RSS is the highest of 3 runs.
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
SIZES=${SIZES:-512 2048}
RUNS=${RUNS:-7}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-diff-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 2; }
command -v h5diff >/dev/null || { echo "h5diff (hdf5-tools) is needed" >&2; exit 2; }

cat >"$DIR/numpy_diff.py" <<'EOF'
# What a user would write: per tensor max|delta|, relative L2 and cosine, through h5py.
import sys
import h5py
import numpy as np

fa, fb = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
fa.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
worst = (0.0, "")
for name in names:
    a, b = fa[name][()], fb[name][()]
    d = a - b
    max_abs = float(np.abs(d).max()) if d.size else 0.0
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    rel = float(np.linalg.norm(d)) / na if na else 0.0
    cos = float(np.dot(a.ravel(), b.ravel())) / (na * nb) if na and nb else 1.0
    worst = max(worst, (rel, name))
print(len(names), "tensors; max rel_l2 %.4g at %s" % worst)
EOF

pair() {  # $1 = MiB -> echoes "A B"
    local a="$DIR/diff_a_${1}mib.h5" b="$DIR/diff_b_${1}mib.h5"
    if [[ ! -s "$a" || ! -s "$b" ]]; then
        echo "generating $a and $b ..." >&2
        $PY "$HERE/make_diff_pair.py" "$a" "$b" --size-mib "$1" >&2
    fi
    cat "$a" "$b" >/dev/null  # page cache warm
    echo "$a $b"
}

median_ms() {  # hyperfine median of a command line, in ms
    hyperfine -i --warmup 1 --runs "$RUNS" --style none --export-json "$DIR/hf.json" "$1" \
        >/dev/null 2>&1
    $PY -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$DIR/hf.json"
}

peak_kib() {  # peak RSS of one run, in KiB
    /usr/bin/time -v "$@" >/dev/null 2>"$DIR/time.txt" || true
    awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt"
}

peak_max_kib() {  # highest peak RSS over 3 runs, in KiB (RSS can vary with the page cache)
    local m=0 k i
    for i in 1 2 3; do
        k=$(peak_kib "$@")
        ((k > m)) && m=$k
    done
    echo "$m"
}

q() { printf '%q ' "$@"; }

read -r -a sizes <<<"$SIZES"
for s in "${sizes[@]}"; do  # generate everything before timing anything
    pair "$s" >/dev/null
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
read -r A B <<<"$(pair "${sizes[0]}")"

"$CKPT" diff "$A" "$B" >"$DIR/ckpt_diff.txt" || [[ $? == 1 ]]
ck_ms=$(median_ms "$(q "$CKPT" diff "$A" "$B" --json)")
np_ms=$(median_ms "$(q "$PY" "$DIR/numpy_diff.py" "$A" "$B")")
h5_ms=$(median_ms "$(q h5diff -d 0.01 "$A" "$B")")
ck_kib=$(peak_max_kib "$CKPT" diff "$A" "$B" --json)
np_kib=$(peak_kib "$PY" "$DIR/numpy_diff.py" "$A" "$B")
h5_kib=$(peak_kib h5diff -d 0.01 "$A" "$B")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b / a }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
np_ratio=$(ratio "$ck_ms" "$np_ms")
h5_ratio=$(ratio "$ck_ms" "$h5_ms")

echo
echo "ckpt diff benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), kernel $(uname -r)"
echo "pair: two ${sizes[0]} MiB Keras full models (make_diff_pair.py: 200 float32 tensors, 180 changed)"
echo "load average before: $load_before, after: $load_after; runs=$RUNS (median, hyperfine, page cache warm)"
echo
echo "| command | time (ms) | peak RSS (MiB) | time / ckpt time |"
echo "|---|---:|---:|---:|"
echo "| \`ckpt diff A B --json\` | $ck_ms | $(mib "$ck_kib") | 1.0 |"
echo "| numpy script (h5py, max abs, rel L2, cosine per tensor) | $np_ms | $(mib "$np_kib") | $np_ratio |"
echo "| \`h5diff -d 0.01 A B\` | $h5_ms | $(mib "$h5_kib") | $h5_ratio |"
echo
echo "ckpt summary: $(tail -1 "$DIR/ckpt_diff.txt")"
echo "numpy says:   $($PY "$DIR/numpy_diff.py" "$A" "$B")"

fail=0
awk -v r="$np_ratio" 'BEGIN { exit !(r >= 4) }' || { echo "MISSED: numpy/ckpt $np_ratio < 4"; fail=1; }
awk -v r="$h5_ratio" 'BEGIN { exit !(r >= 5) }' || { echo "MISSED: h5diff/ckpt $h5_ratio < 5"; fail=1; }

# `ckpt info` opens a file the way diff does (structure and metadata only): its peak RSS is
# what the readers cost before a single tensor byte is compared.
echo
echo "| file size | ckpt diff time (ms) | ckpt diff peak RSS (MiB) | ckpt info A / B peak RSS (MiB) |"
echo "|---:|---:|---:|---:|"
for s in "${sizes[@]}"; do
    read -r A B <<<"$(pair "$s")"
    kib=$(peak_max_kib "$CKPT" diff "$A" "$B" --json)
    ms=$(median_ms "$(q "$CKPT" diff "$A" "$B" --json)")
    info_a=$(peak_max_kib "$CKPT" info "$A")
    info_b=$(peak_max_kib "$CKPT" info "$B")
    echo "| $s MiB | $ms | $(mib "$kib") | $(mib "$info_a") / $(mib "$info_b") |"
    awk -v k="$kib" 'BEGIN { exit !(k <= 64 * 1024) }' || { echo "MISSED: peak RSS $(mib "$kib") MiB > 64 MiB at $s MiB"; fail=1; }
done
exit $fail
