#!/usr/bin/env bash
# Times `CKPT_BIN stats FILE TENSOR --json` on one 256 MiB float32 tensor (page cache warm),
# prints its throughput in GB/s, and compares with a numpy reference (h5py read +
# min/max/mean/std/NaN count/64-bin histogram).
#
#   bench/run_stats_bench.sh CKPT_BIN
#
# Environment:
#   BENCH_DIR  where the generated file goes (kept); default: a temp dir removed at the end
#   MIB        tensor size in MiB (default 256)
#   RUNS       timed runs (default 5; the median is reported), after one warm-up
#   TENSOR     tensor path given to ckpt (default embedding/embedding/embeddings:0)
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
MIB=${MIB:-256}
RUNS=${RUNS:-5}
TENSOR=${TENSOR:-embedding/embedding/embeddings:0}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-stats-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi

f="$DIR/tensor_${MIB}mib.h5"
if [[ ! -s "$f" ]]; then
    echo "generating $f ..." >&2
    $PY "$HERE/make_big_tensor.py" "$f" --mib "$MIB" >&2
fi
cat "$f" >/dev/null
tensor_bytes=$((MIB * 1024 * 1024))

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) {print a[(NR+1)/2]} else {printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

# ckpt
ck_ms="n/a"
if [[ -x "$CKPT" ]]; then
    if "$CKPT" stats "$f" "$TENSOR" --json >"$DIR/ckpt_stats.json" 2>"$DIR/ckpt_stats.err"; then
        if command -v hyperfine >/dev/null; then
            hyperfine --warmup 1 --runs "$RUNS" --style none --export-json "$DIR/hf.json" \
                "$(printf '%q ' "$CKPT" stats "$f" "$TENSOR" --json)" >/dev/null 2>&1
            ck_ms=$($PY -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$DIR/hf.json")
        else
            ck_ms=$(for ((i = 0; i < RUNS; i++)); do
                t0=$(date +%s%N)
                "$CKPT" stats "$f" "$TENSOR" --json >/dev/null 2>&1
                t1=$(date +%s%N)
                echo "$(( (t1 - t0) / 1000 ))"
            done | median | awk '{printf "%.1f\n", $1 / 1000}')
        fi
    else
        ck_ms="error"
        echo "ckpt stats failed:" >&2
        cat "$DIR/ckpt_stats.err" >&2
    fi
else
    echo "note: $CKPT is not an executable; timing the numpy reference only" >&2
fi

# numpy reference (median of RUNS, after one warm-up), also prints its statistics
np_out=$($PY - "$f" "$TENSOR" "$RUNS" <<'EOF'
import json, sys, time
import h5py, numpy as np
path, tensor, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def once():
    with h5py.File(path, "r") as f:
        x = f[tensor][()]
    mn, mx = float(x.min()), float(x.max())
    mean = float(x.mean(dtype=np.float64))
    std = float(x.std(dtype=np.float64))
    nan = int(np.isnan(x).sum())
    hist, _ = np.histogram(x, bins=64, range=(mn, mx))
    return {"min": mn, "max": mx, "mean": mean, "std": std, "nan": nan,
            "count": int(x.size), "hist64_max_bin": int(hist.max())}

once()
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    stats = once()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"ms": times[len(times) // 2], "stats": stats}))
EOF
)
np_ms=$($PY -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["ms"])' "$np_out")

gbps() { awk -v b="$tensor_bytes" -v ms="$1" 'BEGIN { if (ms+0 > 0) printf "%.2f", b / (ms / 1000) / 1e9; else print "n/a" }'; }
ck_gbps=$(gbps "$ck_ms")
np_gbps=$(gbps "$np_ms")
speedup=$(awk -v a="$ck_ms" -v b="$np_ms" 'BEGIN { if (a+0 > 0) printf "%.2f", b/a; else print "n/a" }')

echo
echo "ckpt stats benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU, float32 tensor of $MIB MiB, runs=$RUNS (median)"
echo
echo "| tensor | ckpt stats (ms) | ckpt GB/s | numpy (ms) | numpy GB/s | numpy time / ckpt time |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| $TENSOR ($MIB MiB) | $ck_ms | $ck_gbps | $np_ms | $np_gbps | $speedup |"
echo
echo "numpy reference statistics: $($PY -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["stats"]))' "$np_out")"
if [[ -s "$DIR/ckpt_stats.json" ]]; then
    echo "ckpt stats output: $(head -c 2000 "$DIR/ckpt_stats.json")"
fi
