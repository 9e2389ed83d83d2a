#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang-14 into build-fuzz/ and runs each for
# SECONDS (default 60), one after another, at nice 10.
#
#   scripts/fuzz.sh [SECONDS] [NAME...]     e.g. scripts/fuzz.sh 600 pickle safetensors
#
# Corpora live in build-fuzz/corpus/<name> (seeded from tests/fixtures on first use and grown
# by every run); crashing inputs land in build-fuzz/artifacts/<name>/. A crash found here
# belongs in tests/fixtures/fuzz-regressions/<name>/ (the CTest test fuzz/<name> replays it).
# The last line of each run's figures goes to build-fuzz/fuzz-summary.tsv.
# Environment: CKPT_FUZZ_BUILD_DIR, CKPT_JOBS, CKPT_FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CKPT_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-60}"
shift || true

if [ ! -f "$build/CMakeCache.txt" ]; then
    launcher=()
    if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    fi
    # shellcheck source=scripts/build-common.sh
    . "$root/scripts/build-common.sh"
    CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" $(ckpt_generator) \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
        -DCKPT_FUZZ=ON -DCKPT_BUILD_GUI=OFF -DCKPT_BUILD_BENCH=OFF -DCKPT_CHECK_HEADERS=OFF \
        "${launcher[@]}" >/dev/null
fi
nice -n 10 cmake --build "$build" -j "${CKPT_JOBS:-$(nproc)}" --target ckpt_fuzzers 2>&1 |
    grep -E 'error|warning' || true
[ -x "$build/tests/fuzz/fuzz_pickle" ] || { echo "fuzz.sh: the harnesses did not build" >&2; exit 1; }

all=(pickle safetensors npy zip joblib torch_legacy hdf5 keras_config config_diff export open archive
    policy graph gguf sharded onnx)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")

fx="$root/tests/fixtures"
summary="$build/fuzz-summary.tsv"
[ -f "$summary" ] || printf 'date\tfuzzer\tseconds\texecs\texec/s\tcov\tft\tcorpus\tcrashes\n' >"$summary"
# Leaks in libraries the project does not own (tests/conformance/lsan.supp).
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/conformance/lsan.supp}"
status=0
for name in "${names[@]}"; do
    corpus="$build/corpus/$name"
    artifacts="$build/artifacts/$name"
    mkdir -p "$corpus" "$artifacts"
    if [ -z "$(ls -A "$corpus")" ]; then
        # Seeds: the same files the CTest replay uses (listed by tests/fuzz/CMakeLists.txt).
        grep -E "^add_test\(\[?=*\[?fuzz/$name[] ]" "$build/tests/fuzz/CTestTestfile.cmake" |
            grep -oE '"/[^"]+"' | tr -d '"' | grep -F "$root/tests/" |
            while read -r f; do if [ -f "$f" ]; then cp "$f" "$corpus/"; fi; done
        case "$name" in
        keras_config) unzip -p "$fx/keras/k3_model.keras" config.json >"$corpus/k3_config.json" 2>/dev/null || true ;;
        config_diff)
            { cat "$fx/py/bundle/model.json"; printf '\0'; sed 's/"units": 4/"units": 5/' "$fx/py/bundle/model.json"; printf '\0{"loss": "mse"}\0{"loss": "mae"}'; } >"$corpus/pair.bin" ;;
        export)
            for f in "$fx/diff/torch_state.safetensors:1" "$fx/pickle/graph_p2.pkl:0" "$fx/py/torch_sd_zip.pt:4"; do
                { printf "\\x0${f##*:}"; cat "${f%:*}"; } >"$corpus/seed_$(basename "${f%:*}")"
            done ;;
        esac
    fi
    dict=()
    case "$name" in
    pickle | torch_legacy | joblib | export | open | archive) dict=(-dict="$root/tests/fuzz/pickle.dict") ;;
    safetensors | npy | keras_config | config_diff | policy | graph | sharded) dict=(-dict="$root/tests/fuzz/json.dict") ;;
    esac
    maxlen=(-max_len=65536)
    [ "$name" = hdf5 ] && maxlen=(-max_len=131072)
    # libhdf5 allocates the sizes a file's headers claim before it reads them (H5C_protect):
    # in the product malloc then fails and the open ends with a clear error (see docs/fuzzing.md),
    # under ASan it aborts the run. Let malloc fail here as it does there, so the HDF5 fuzzers
    # go on past such inputs; what they report is then a real crash, leak or hang.
    asan="${ASAN_OPTIONS:-}"
    malloc=(-malloc_limit_mb=1024)
    case "$name" in
    hdf5 | open) asan="allocator_may_return_null=1${asan:+:$asan}"; malloc=(-malloc_limit_mb=0) ;;
    esac
    log="$build/fuzz-$name.log"
    echo "fuzz.sh: $name for ${seconds}s (log $log)"
    stamp="$build/.fuzz-start-$name"
    touch "$stamp"
    set +e
    # shellcheck disable=SC2086
    ASAN_OPTIONS="$asan" nice -n 10 "$build/tests/fuzz/fuzz_$name" "$corpus" "${dict[@]}" \
        "${maxlen[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${malloc[@]}" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 ${CKPT_FUZZ_ARGS:-} >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')
    ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
    # Only what this run found: inputs kept from earlier runs stay in $artifacts.
    crashes=$(find "$artifacts" -type f -newer "$stamp" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$seconds" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "${ft:-?}" "$(ls "$corpus" | wc -l)" "$crashes" | tee -a "$summary"
    if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        echo "fuzz.sh: $name found something (exit $rc); see $log and $artifacts" >&2
        grep -E '^==[0-9]+==ERROR|SUMMARY|^#0 |^    #[0-3] ' "$log" | head -12 >&2 || true
        status=1
    fi
done
exit "$status"
