#!/usr/bin/env bash
# Times `CKPT_BIN validate FILE --format json` on a 256 MiB dill pickle with large payloads and
# flagged members (see make_validate_pickle.py) against picklescan's approach, Python's
# `pickletools.genops` over the same file, in the same run; prints a markdown table.
#
#   bench/run_validate_bench.sh [CKPT_BIN]        (default: build/app/ckpt)
#
# Environment:
#   BENCH_DIR  where the generated files go (kept); default /work/bench-data/validate if
#              /work/bench-data exists, else a temp dir removed at the end
#   MIB        pickle size in MiB (default 256)
#   PROTOCOLS  pickle protocols (default "4 5")
#   WRITERS    who writes the file (default "dill reduce"; see make_validate_pickle.py)
#   RUNS       timed runs per command (default 3; the best is reported), after 1 warm-up
#
# ckpt validate reads every float tensor for NaN/Inf as well (integrity); the --no-data column
# is the pickle scan alone, the same work as genops. Wall times are the best of RUNS
# (hyperfine's min); peak RSS comes from one extra run under /usr/bin/time -v, with that run's
# CPU time (user + sys; less sensitive to other load than the wall time on a shared machine).
# The genops script includes Python's start-up, timed alone below the table.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CKPT=${1:-$HERE/../build/app/ckpt}
MIB=${MIB:-256}
PROTOCOLS=${PROTOCOLS:-"4 5"}
WRITERS=${WRITERS:-"dill reduce"}
RUNS=${RUNS:-3}
PY=/usr/bin/python3

if [[ -n "${BENCH_DIR:-}" ]]; then
    DIR=$BENCH_DIR
elif [[ -d /work/bench-data ]]; then
    DIR=/work/bench-data/validate
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-validate-bench.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR"
[[ -x "$CKPT" ]] || { echo "$CKPT is not an executable" >&2; exit 64; }

cat >"$DIR/genops_scan.py" <<'PY'
import pickletools, sys
# picklescan's walk: every opcode, collecting the globals it names.
globals_ = set()
with open(sys.argv[1], "rb") as f:
    for op, arg, pos in pickletools.genops(f):
        if op.name == "GLOBAL":
            globals_.add(arg)
print(len(globals_))
PY

best_ms() {  # best wall time in ms of RUNS runs of "$@"
    local json
    json=$(mktemp)
    hyperfine --warmup 1 --runs "$RUNS" --style none -i --export-json "$json" \
        "$(printf '%q ' "$@")" >/dev/null 2>&1
    $PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["min"]*1000))' "$json"
    rm -f "$json"
}
rss_cpu() {  # "N MiB RSS, T ms CPU" of one run under /usr/bin/time -v
    { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk -F: '
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 / 1024 }
        END { printf "%.0f MiB RSS, %.0f ms CPU", rss, cpu * 1000 }'
}
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", (b/1e6)/(t/1000) }'; }

start=$(best_ms $PY -c "pass")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for writer in $WRITERS; do
for proto in $PROTOCOLS; do
    f="$DIR/validate_${writer}_p${proto}_${MIB}mib.pkl"
    if [[ ! -s "$f" ]]; then
        echo "generating $f ..." >&2
        $PY "$HERE/make_validate_pickle.py" "$f" --mib "$MIB" --protocol "$proto" --writer "$writer" >&2
    fi
    cat "$f" >/dev/null  # in the page cache for every contender
    bytes=$(stat -c %s "$f")
    rc=0
    "$CKPT" validate "$f" --format json >"$DIR/findings_${writer}_p$proto.json" || rc=$?
    findings=$($PY -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print("%d errors, %d warnings, %d infos" % (s["errors"], s["warnings"], s["infos"]))' "$DIR/findings_${writer}_p$proto.json")
    tensors=$("$CKPT" info --json "$f" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["tensors"]))')
    ck=$(best_ms "$CKPT" validate "$f" --format json)
    ck_rss=$(rss_cpu "$CKPT" validate "$f" --format json)
    nd=$(best_ms "$CKPT" validate "$f" --format json --no-data)
    gen=$(best_ms $PY "$DIR/genops_scan.py" "$f")
    gen_rss=$(rss_cpu $PY "$DIR/genops_scan.py" "$f")
    rows+=("| $writer | $proto | $tensors | $(awk -v b="$bytes" 'BEGIN{printf "%.1f MiB", b/1048576}') | $ck ms, $(mbs "$bytes" "$ck") MB/s, $ck_rss (exit $rc: $findings) | $nd ms, $(mbs "$bytes" "$nd") MB/s | $gen ms, $(mbs "$bytes" "$gen") MB/s, $gen_rss | $(awk -v a="$gen" -v b="$ck" 'BEGIN { printf "%.2f", a/b }') |")
done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "validate benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $load_before before / $load_after after, $($PY --version 2>&1), dill $($PY -c 'import dill; print(dill.__version__)'), best of $RUNS (hyperfine)"
echo
echo "| writer | protocol | tensors seen | file size | ckpt validate --format json | same, --no-data (no NaN/Inf pass) | pickletools.genops (picklescan's walk) | genops time / ckpt time |"
echo "|---|---:|---:|---:|---|---|---|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "python start alone: $start ms (included in the genops times)."
