#!/usr/bin/env bash
# Object-heavy pickles (issue 15): times `ckpt validate` and `ckpt info` on pickles of many
# small dicts (bench/make_object_pickle.py) against picklescan's approach, Python's
# `pickletools.genops` over the same file, in the same run; prints a markdown table with wall
# time, MB/s, peak RSS and RSS as a multiple of the file size.
#
#   bench/run_object_bench.sh [CKPT_BIN]        (default: build/app/ckpt)
#
# Environment:
#   BENCH_DIR  where the generated files go (kept); default /work/bench-data/objects if
#              /work/bench-data exists, else a temp dir removed at the end
#   ROWS       row counts, one file each (default "1000000"; "1000000 10000000" adds the
#              350 MiB file)
#   RUNS       timed runs per command (default 3; the best is reported), after 1 warm-up
# Peak RSS and CPU time come from one extra run under /usr/bin/time -v.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CKPT=${1:-$HERE/../build/app/ckpt}
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
command -v hyperfine >/dev/null || { echo "hyperfine is needed (scripts/setup.sh)" >&2; exit 2; }
[[ -x "$CKPT" ]] || { echo "$CKPT is not an executable" >&2; exit 64; }

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
elif [[ -d /work/bench-data ]]; then
    DIR=/work/bench-data/objects
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-object-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR"

cat >"$DIR/genops_scan.py" <<'PY'
import pickletools, sys
# picklescan's walk: every opcode, collecting the globals it names.
globals_ = set()
with open(sys.argv[1], "rb") as f:
    for op, arg, pos in pickletools.genops(f):
        if op.name in ("GLOBAL", "STACK_GLOBAL"):
            globals_.add(str(arg))
print(len(globals_))
PY

best_ms() {  # best wall time in ms of RUNS runs of "$@"
    local json
    json=$(mktemp)
    hyperfine --warmup 1 --runs "$RUNS" --style none -i --export-json "$json" \
        "$(printf '%q ' "$@")" >/dev/null 2>&1
    $PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f" % (r["min"]*1000))' "$json"
    rm -f "$json"
}
rss_cpu() {  # "RSS_MIB CPU_MS" of one run under /usr/bin/time -v
    { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk -F: '
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 / 1024 }
        END { printf "%.0f %.0f\n", rss, cpu * 1000 }'
}
cell() {  # cell BYTES MS RSS CPU
    awk -v b="$1" -v t="$2" -v r="$3" -v c="$4" 'BEGIN {
        printf "%.2f s, %.0f MB/s, %.0f MiB (%.1f x file), %.2f s CPU", t/1000, (b/1e6)/(t/1000),
            r, r / (b/1048576), c/1000 }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for n in $ROWS; do
    f="$DIR/rows_${n}.pkl"
    [[ -s "$f" ]] || $PY "$HERE/make_object_pickle.py" "$f" --rows "$n" >&2
    cat "$f" >/dev/null
    bytes=$(stat -c %s "$f")
    line="| $n | $(awk -v b="$bytes" 'BEGIN { printf "%.1f MiB", b/1048576 }')"
    for c in "$CKPT validate $f" "$CKPT info $f" "$PY $DIR/genops_scan.py $f"; do
        # shellcheck disable=SC2086
        ms=$(best_ms $c)
        # shellcheck disable=SC2086
        read -r rss cpu < <(rss_cpu $c)
        line+=" | $(cell "$bytes" "$ms" "$rss" "$cpu")"
        [[ "$c" == *genops* ]] && genops_ms=$ms
        [[ "$c" == *" validate "* ]] && validate_ms=$ms
    done
    line+=" | $(awk -v g="$genops_ms" -v v="$validate_ms" 'BEGIN { printf "%.2f", g/v }') |"
    rows+=("$line")
done

echo "object-heavy pickle benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU," \
    "load average $load_before before / $(cut -d' ' -f1-3 /proc/loadavg) after," \
    "best of $RUNS (hyperfine)"
echo
echo "| rows | file | ckpt validate | ckpt info | pickletools.genops | genops / validate (wall) |"
echo "|---:|---:|---|---|---|---:|"
printf '%s\n' "${rows[@]}"
