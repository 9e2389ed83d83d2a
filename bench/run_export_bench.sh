#!/usr/bin/env bash
# Times `CKPT_BIN export BIG.h5 -o OUT.safetensors` on a generated Keras legacy .h5 (default
# 1 GiB, bench/make_big_keras.py), page cache warm, and reports MB/s (data bytes / wall time,
# fsync included) and peak RSS from /usr/bin/time -v. Checks the output with numpy
# (header parse + a few tensors compared with h5py).
#
#   bench/run_export_bench.sh CKPT_BIN
#
# Environment:
#   BENCH_DIR  where the generated input and the output go (kept); default: a temp dir removed
#   MIB        input size in MiB (default 1024)
#   RUNS       timed runs (default 3; the median is reported)
#   INPUT      an existing input .h5 to use instead of generating one
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
MIB=${MIB:-1024}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-export-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi

in=${INPUT:-$DIR/keras_${MIB}mib.h5}
out="$DIR/keras_${MIB}mib.safetensors"
if [[ ! -s "$in" ]]; then
    echo "generating $in ..." >&2
    $PY "$HERE/make_big_keras.py" "$in" --size-mib "$MIB" >&2
fi
cat "$in" >/dev/null

results=()
for ((i = 0; i < RUNS; i++)); do
    rm -f "$out"
    /usr/bin/time -v -o "$DIR/time.txt" "$CKPT" export "$in" -o "$out" --json >"$DIR/export.json"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/time.txt")
    secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt")
    results+=("$secs $rss")
done
bytes=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["data_bytes"])' "$DIR/export.json")
tensors=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["tensors"])' "$DIR/export.json")
median_line=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
secs=${median_line% *}
max_rss=$(printf '%s\n' "${results[@]}" | awk '{ if ($2 > m) m = $2 } END {print m}')
mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", b / s / 1e6 }')

# Check the output: header tiles the buffer; 3 tensors equal to h5py's arrays.
$PY - "$in" "$out" <<'PYEOF'
import json, struct, sys
import h5py, numpy as np
src, dst = sys.argv[1], sys.argv[2]
with open(dst, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    hdr = json.loads(f.read(n))
    meta = hdr.pop("__metadata__")
    names = sorted(hdr)[:3]
    with h5py.File(src, "r") as h:
        for name in names:
            b, e = hdr[name]["data_offsets"]
            f.seek(8 + n + b)
            a = np.frombuffer(f.read(e - b), dtype="<f4").reshape(hdr[name]["shape"])
            assert np.array_equal(a, h[name][()]), name
print("checked", len(hdr), "tensors in header,", ", ".join(names), "equal to h5py;", meta, file=sys.stderr)
PYEOF

echo
echo "ckpt export benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg), runs=$RUNS (median)"
echo
echo "| input | tensors | data | wall (s) | MB/s | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| Keras .h5, $MIB MiB | $tensors | $bytes B | $secs | $mbps | $((max_rss / 1024)) MiB |"
echo
echo "all runs (s, KiB): ${results[*]}"
