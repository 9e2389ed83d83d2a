#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the samples need.
# Idempotent and quiet: when everything is present it prints nothing and changes nothing.
set -euo pipefail

packages=(
    # build (clang-14 and its sanitizer runtimes: the sanitized CI build and the fuzzers)
    cmake g++ make ninja-build pkg-config clang-14 libclang-rt-14-dev
    qt6-base-dev libgl-dev libhdf5-dev nlohmann-json3-dev libzip-dev zlib1g-dev
    libbz2-dev liblzma-dev libtomlplusplus-dev libssl-dev libarchive-dev
    # architecture graphs: Graphviz's cgraph + gvc (dot layout) and its renderers (cairo: PNG)
    libgraphviz-dev graphviz
    # GUI rendering without a display (screenshots, offscreen UI tests)
    fonts-dejavu-core
    # tests and fixture generators: Debian's Python libraries as real clients
    python3 python3-h5py python3-numpy python3-torch python3-dill python3-cloudpickle
    python3-joblib python3-jsonschema python3-torchvision
    # ONNX models: libonnx's generated ModelProto and protobuf; python3-onnx and Debian's ONNX
    # test models are the tests' reference
    libonnx-dev libprotobuf-dev python3-onnx libonnx-testdata
    # the hostile fixtures generator packs its 7z files with bsdtar
    libarchive-tools
    # benchmarks compare against the HDF5 command-line tools and time runs with hyperfine
    hdf5-tools hyperfine
    # ckpt scan's scale-out recipes, tested: GNU parallel, and the Kubernetes manifests read as YAML
    parallel python3-yaml
    # the .deb and its test: man pages from --help (help2man), Depends (dpkg-shlibdeps of
    # dpkg-dev; CPack finds the ELF files with file), the validators of the desktop files
    help2man dpkg-dev file desktop-file-utils appstream shared-mime-info
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
