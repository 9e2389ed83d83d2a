#!/usr/bin/env bash
# Times `ckpt scan` over a generated tree of distinct files (bench/make_scan_tree.py) with a cold
# and a warm --cache, against the floor of reading every byte once, `find -type f | xargs
# sha256sum`, in the same run; prints a markdown table.
#
#   bench/run_scan_bench.sh [CKPT_BIN]        (default: build/app/ckpt)
#
# Environment:
#   BENCH_DIR  where the tree goes (kept); default /work/bench-data/scan if /work/bench-data
#              exists, else a temp dir removed at the end
#   FILES, LARGE, LARGE_MIB   the tree (default 2000 small files + 40 of 4 MiB)
#   RUNS       timed runs per row (default 3; hyperfine, the median is reported)
#
# The page cache is warm for every row (one untimed pass first): the figures compare work, not
# the disk. "cold" = an empty --cache folder (hyperfine --prepare removes it before each run):
# every file is hashed, opened and validated. "warm" = the same folder after a full run: every
# file's stamp matches, nothing is hashed or opened.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CKPT=${1:-$HERE/../build/app/ckpt}
RUNS=${RUNS:-3}
PY=/usr/bin/python3

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
elif [[ -d /work/bench-data ]]; then
    DIR=/work/bench-data/scan
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-scan-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi
[[ -x "$CKPT" ]] || { echo "$CKPT is not an executable" >&2; exit 64; }
TREE=$DIR/tree
CACHE=$DIR/cache
if [[ ! -d $TREE ]]; then
    $PY "$HERE/make_scan_tree.py" "$TREE" --files "${FILES:-2000}" --large "${LARGE:-40}" \
        --large-mib "${LARGE_MIB:-4}" >/dev/null
fi
files=$(find "$TREE" -type f | wc -l)
bytes=$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
find "$TREE" -type f -print0 | xargs -0 cat >/dev/null  # warm the page cache

median_s() {  # median wall time in s of RUNS runs; $1 = prepare command ("" for none)
    local prepare=$1 json
    shift
    json=$(mktemp)
    if [[ -n $prepare ]]; then
        hyperfine --runs "$RUNS" --style none -i --prepare "$prepare" --export-json "$json" \
            "$*" >/dev/null 2>&1
    else
        hyperfine --warmup 1 --runs "$RUNS" --style none -i --export-json "$json" "$*" \
            >/dev/null 2>&1
    fi
    $PY -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
    rm -f "$json"
}

row() {  # label seconds
    $PY -c 'import sys; f, b, s = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]);
print("| %s | %.2f | %.0f | %.1f |" % (sys.argv[1], s, f / s, b / s / 2**20))' "$1" "$files" "$bytes" "$2"
}

scan="$CKPT scan -r $TREE --jsonl /dev/null --cache $CACHE"
floor=$(median_s "" "find $TREE -type f -print0 | xargs -0 sha256sum > /dev/null")
cold1=$(median_s "rm -rf $CACHE" "$scan --jobs 1 > /dev/null")
cold2=$(median_s "rm -rf $CACHE" "$scan --jobs 2 > /dev/null")
rm -rf "$CACHE"
$scan --jobs 2 >/dev/null || true
warm1=$(median_s "" "$scan --jobs 1 > /dev/null")
warm2=$(median_s "" "$scan --jobs 2 > /dev/null")

echo "tree: $files files, $(( bytes / 1048576 )) MiB ($TREE); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | time (s) | files/s | MiB/s |"
echo "|---|---:|---:|---:|"
row "find -type f \\| xargs sha256sum (floor)" "$floor"
row "ckpt scan, cold cache, --jobs 1" "$cold1"
row "ckpt scan, cold cache, --jobs 2" "$cold2"
row "ckpt scan, warm cache, --jobs 1" "$warm1"
row "ckpt scan, warm cache, --jobs 2" "$warm2"
