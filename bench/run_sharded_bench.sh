#!/usr/bin/env bash
# Opens a 30-shard, 141 GB safetensors model (sparse files with real headers, Llama-3-70B
# shaped; bench/make_sharded_model.py) through its index, and prints a markdown table of wall
# time (hyperfine median) and peak memory (/usr/bin/time) for:
#   ckpt info --json INDEX, ckpt info FOLDER, ckpt tensors --json SHARD (from one shard),
#   ckpt validate --no-data INDEX (with data it reads all 141 GB of zeros), and the peer: Python reading the index and every shard header
#   (json + struct, what safetensors' safe_open does per shard before any tensor is read).
#
#   bench/run_sharded_bench.sh CKPT_BIN
#
# Environment: BENCH_DIR (kept; default a temp dir removed at the end), RUNS (default 10).
set -euo pipefail
CKPT=${1:?usage: $0 CKPT_BIN}
RUNS=${RUNS:-10}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-shard-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi
[[ -f "$DIR/model.safetensors.index.json" ]] || $PY "$HERE/make_sharded_model.py" "$DIR" >&2
INDEX="$DIR/model.safetensors.index.json"

PEER=$(mktemp --suffix=.py)
cat >"$PEER" <<'PYEOF'
import json, os, struct, sys
index = sys.argv[1]
folder = os.path.dirname(index)
wm = json.load(open(index))["weight_map"]
n = 0
for shard in sorted(set(wm.values())):
    with open(os.path.join(folder, shard), "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        n += sum(1 for k in header if k != "__metadata__")
print(n)
PYEOF

median_ms() {
    local json
    json=$(mktemp)
    hyperfine --warmup 2 --runs "$RUNS" --style none --export-json "$json" "$1" >/dev/null 2>&1
    $PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$json"
    rm -f "$json"
}
peak_mib() {
    /usr/bin/time -f %M bash -c "$1 >/dev/null 2>&1" 2>&1 | tail -1 | awk '{printf "%.1f", $1/1024}'
}

echo "| command | wall (median of $RUNS) | peak RSS |"
echo "|---|---:|---:|"
row() {
    echo "| \`$1\` | $(median_ms "$2") ms | $(peak_mib "$2") MiB |"
}
row "ckpt info --json INDEX" "$CKPT info --json $INDEX"
row "ckpt info FOLDER" "$CKPT info $DIR"
row "ckpt tensors --json SHARD-00007" "$CKPT tensors --json $DIR/model-00007-of-00030.safetensors"
row "ckpt validate --no-data INDEX" "$CKPT validate --no-data $INDEX"
row "ckpt --version (the program's own floor)" "$CKPT --version"
row "python3 json+struct: index + 30 headers (peer)" "$PY $PEER $INDEX"
rm -f "$PEER"
echo
echo "tensors: $($CKPT tensors --json "$INDEX" | $PY -c 'import json,sys; j=json.load(sys.stdin); print(len(j if isinstance(j, list) else j["tensors"]))' 2>/dev/null || echo '?')," \
    "size on disk: $(du -sh "$DIR" | cut -f1), apparent: $(du -sh --apparent-size "$DIR" | cut -f1)"
