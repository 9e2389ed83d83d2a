#!/usr/bin/env bash
# Times `CKPT_BIN export BIG.h5 -o OUT.safetensors` on a generated Keras legacy .h5 (default
# 1 GiB, bench/make_big_keras.py) and reports MB/s (data bytes / wall time, fsync included) and
# peak RSS from /usr/bin/time -v, best and median of RUNS. Peers in the same run, measured the
# same way: `cp` of the input plus `sync` of the copy (the I/O ceiling: the same bytes read and
# written durably) and a Python script (h5py reads every dataset, numpy bytes written in the
# safetensors layout, fsync, rename). Checks ckpt's output with numpy (header parse + a few
# tensors compared with h5py).
#
#   bench/run_export_bench.sh CKPT_BIN
#
# Environment:
#   BENCH_DIR  where the generated input and the output go (kept); default: a temp dir removed
#   MIB        input size in MiB (default 1024)
#   RUNS       timed runs per command (default 3; median and best are reported)
#   INPUT      an existing input .h5 to use instead of generating one
#   COLD       1 = evict the input from the page cache before every run (posix_fadvise
#              DONTNEED on that one file), default 0 = page cache warm
#   PEERS      0 = skip the peers (default 1)
#
# Exits 1 when ckpt's median is below 500 MB/s.
set -euo pipefail

CKPT=${1:?usage: $0 CKPT_BIN}
MIB=${MIB:-1024}
RUNS=${RUNS:-3}
COLD=${COLD:-0}
PEERS=${PEERS:-1}
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

cat >"$DIR/py_export.py" <<'PYEOF'
# The Python peer: h5py reads each dataset, numpy writes the safetensors layout, fsync, rename.
import json, os, sys
import h5py, numpy as np
src, dst = sys.argv[1], sys.argv[2]
with h5py.File(src, "r") as f:
    names = []
    f.visititems(lambda n, o: names.append(n)
                 if isinstance(o, h5py.Dataset) and o.dtype == np.float32 else None)
    names.sort()
    header, off = {"__metadata__": {"source_format": "keras-h5"}}, 0
    for n in names:
        d = f[n]
        nbytes = int(d.size) * 4
        header[n] = {"dtype": "F32", "shape": [int(x) for x in d.shape],
                     "data_offsets": [off, off + nbytes]}
        off += nbytes
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as out:
        out.write(len(text).to_bytes(8, "little"))
        out.write(text)
        for n in names:
            out.write(np.ascontiguousarray(f[n][()], dtype="<f4").tobytes())
        out.flush()
        os.fsync(out.fileno())
    os.rename(tmp, dst)
PYEOF

evict() {  # drop this one file's clean pages from the page cache (COLD=1)
    $PY -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$1"
}

if [[ $COLD == 1 ]]; then
    cache="cold (input evicted before each run)"
else
    cache="warm"
    cat "$in" >/dev/null
fi

timed() {  # timed ARRAY CMD... -> appends "secs rss_kib" to ARRAY
    local -n acc=$1
    shift
    rm -f "$out" "$DIR/cp.out" "$DIR/py.safetensors"
    sync
    if [[ $COLD == 1 ]]; then evict "$in"; fi
    /usr/bin/time -v -o "$DIR/time.txt" "$@" >"$DIR/cmd.out"
    local wall secs rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/time.txt")
    secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt")
    acc+=("$secs $rss")
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=()
cp_results=()
py_results=()
for ((i = 0; i < RUNS; i++)); do
    if [[ $PEERS == 1 ]]; then
        timed cp_results sh -c 'cp "$1" "$2" && sync "$2"' sh "$in" "$DIR/cp.out"
        timed py_results "$PY" "$DIR/py_export.py" "$in" "$DIR/py.safetensors"
    fi
    timed results "$CKPT" export "$in" -o "$out" --json
done
cp "$DIR/cmd.out" "$DIR/export.json"
rm -f "$DIR/cp.out" "$DIR/py.safetensors"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
bytes=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["data_bytes"])' "$DIR/export.json")
tensors=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["tensors"])' "$DIR/export.json")
filebytes=$(stat -c %s "$in")

# stats BYTES "secs rss"... -> "median_s best_s median_MBps best_MBps max_rss_MiB"
stats() {
    local b=$1
    shift
    printf '%s\n' "$@" | sort -n | awk -v b="$b" '{ s[NR] = $1; if ($2 > m) m = $2 }
        END { med = s[int((NR + 1) / 2)]; printf "%.2f %.2f %.0f %.0f %.1f", med, s[1], b / med / 1e6, b / s[1] / 1e6, m / 1024 }'
}
read -r secs best mbps best_mbps max_rss <<<"$(stats "$bytes" "${results[@]}")"

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
echo "ckpt export benchmark: $(date -u +%Y-%m-%d), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r)"
echo "input: $in ($filebytes B); page cache $cache; load average before: $load_before, after: $load_after; runs=$RUNS"
echo
echo "| command | bytes | wall median (s) | best (s) | MB/s median | MB/s best | peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| \`ckpt export\` to safetensors ($tensors tensors) | $bytes | $secs | $best | $mbps | $best_mbps | $max_rss |"
if [[ $PEERS == 1 ]]; then
    read -r s b m bm r <<<"$(stats "$filebytes" "${cp_results[@]}")"
    echo "| \`cp\` + \`sync\` of the input (I/O ceiling) | $filebytes | $s | $b | $m | $bm | $r |"
    read -r s b m bm r <<<"$(stats "$bytes" "${py_results[@]}")"
    echo "| Python: h5py + numpy safetensors writer, fsync | $bytes | $s | $b | $m | $bm | $r |"
fi
echo
echo "ckpt runs (s, KiB): ${results[*]}"
if [[ $PEERS == 1 ]]; then
    echo "cp runs: ${cp_results[*]}; python runs: ${py_results[*]}"
fi
awk -v m="$mbps" 'BEGIN { exit !(m >= 500) }' || { echo "MISSED: median $mbps MB/s < 500 MB/s"; exit 1; }
