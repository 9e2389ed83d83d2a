#!/usr/bin/env bash
# The Debian package as a user gets it: builds the .deb with cpack into a temporary folder,
# unpacks it with dpkg-deb -x into a temporary root, runs the packaged programs and checks the
# man pages, the desktop files (desktop-file-validate, appstreamcli validate) and the Depends.
#
#   test_package.sh BUILD_DIR VERSION APP_ID MAN_PAGES(ON|OFF) [CPACK]
#
# Every check runs; the test fails when any of them fails. Exit 77 (CTest: skipped) when cpack or
# dpkg-deb is missing. A validator that is not installed is skipped with a message.
set -uo pipefail
build="$1" version="$2" app_id="$3" man_pages="$4" cpack_bin="${5:-$(command -v cpack || true)}"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }
skip() { echo "SKIP: $*"; }

if [ ! -x "$cpack_bin" ] || ! command -v dpkg-deb >/dev/null; then
    echo "SKIP: cpack or dpkg-deb not installed (Debian: apt-get install cmake dpkg)"
    exit 77
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ckpt-package-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# 1. The .deb, built from the configured and built tree (cpack only installs and packs).
if ! (cd "$tmp" && "$cpack_bin" -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake") \
    >"$tmp/cpack.log" 2>&1; then
    cat "$tmp/cpack.log"
    echo "FAIL: cpack -G DEB"
    exit 1
fi
shopt -s nullglob
debs=("$tmp"/out/*.deb)
if [ ${#debs[@]} -ne 1 ]; then
    cat "$tmp/cpack.log"
    echo "FAIL: expected one .deb in $tmp/out, found ${#debs[@]}"
    exit 1
fi
deb="${debs[0]}"
case "$(basename "$deb")" in
    ckpt-inspector_"$version"_*.deb) pass "package file $(basename "$deb")" ;;
    *) fail "package file $(basename "$deb") is not ckpt-inspector_${version}_<arch>.deb" ;;
esac

# 2. The control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "ckpt-inspector" ] && pass "Package: ckpt-inspector" ||
    fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] && pass "Version: $version" ||
    fail "Version is '$(field Version)', not '$version'"
[ -n "$(field Maintainer)" ] && pass "Maintainer: $(field Maintainer)" || fail "no Maintainer"
[ -n "$(field Section)" ] && pass "Section: $(field Section)" || fail "no Section"
depends="$(field Depends)"
echo "      Depends: $depends"
if [ -z "$depends" ]; then
    fail "Depends is empty"
else
    # The runtime libraries the programs link, as Debian names them.
    names="$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/[ (].*//')"
    for lib in libqt6core6 libqt6gui6 libqt6widgets6 libhdf5- libzip libgvc libcgraph \
        libarchive libssl libc6 libstdc++6; do
        found=0
        for name in $names; do
            [[ "$name" == "$lib"* ]] && found=1
        done
        if [ "$found" -eq 1 ]; then
            pass "Depends names $lib"
        else
            fail "Depends does not name $lib"
        fi
    done
fi

# 3. Only the product is in it: everything under /usr, no headers, static libraries or tests.
contents="$(dpkg-deb -c "$deb" | awk '{print $NF}')"
if grep -Ev '^\./(usr/.*)?$' <<<"$contents"; then
    fail "files outside /usr (above)"
elif grep -E '\.(a|h|o)$|/include/|test_' <<<"$contents"; then
    fail "headers, static libraries or tests in the package (above)"
else
    pass "$(grep -c '[^/]$' <<<"$contents") files, all under /usr"
fi

# 4. The programs, run from the unpacked package (no display: --version needs none).
root="$tmp/root"
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x"
out="$("$root/usr/bin/ckpt" --version 2>&1)"
[ "$out" = "ckpt $version" ] && pass "usr/bin/ckpt --version: $out" ||
    fail "usr/bin/ckpt --version printed '$out', not 'ckpt $version'"
# The HDF5 checking process ships beside it, where the packaged ckpt looks first.
checker="$root/usr/libexec/ckpt-inspector/ckpt-hdf5-check"
h5="$(cd "$(dirname "$0")/../fixtures/keras" && pwd)/k2_weights_only.h5"
if [ -x "$checker" ] && "$root/usr/bin/ckpt" info "$h5" >/dev/null 2>&1; then
    pass "usr/libexec/ckpt-inspector/ckpt-hdf5-check is there; the packaged ckpt opens an HDF5 file"
else
    fail "no executable usr/libexec/ckpt-inspector/ckpt-hdf5-check, or ckpt info of an HDF5 file failed"
fi
if "$root/usr/bin/ckpt" formats >"$tmp/formats.txt" 2>&1 && grep -q safetensors "$tmp/formats.txt"; then
    pass "usr/bin/ckpt formats lists the readers"
else
    fail "usr/bin/ckpt formats: $(head -3 "$tmp/formats.txt")"
fi
out="$(env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen \
    "$root/usr/bin/ckpt-inspector" --version 2>&1)"
grep -Fq "$version" <<<"$out" && pass "usr/bin/ckpt-inspector --version: $out" ||
    fail "usr/bin/ckpt-inspector --version printed '$out', without '$version'"
# ... and opens a checkpoint: the stripped app renders its window offscreen.
sample="$(cd "$(dirname "$0")/../../resources/samples" && pwd)/mnist_mlp.h5"
if env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$tmp" \
    "$root/usr/bin/ckpt-inspector" --screenshot "$tmp/shot.png" "$sample" >"$tmp/shot.log" 2>&1 &&
    [ -s "$tmp/shot.png" ]; then
    pass "usr/bin/ckpt-inspector --screenshot opens mnist_mlp.h5"
else
    fail "usr/bin/ckpt-inspector --screenshot on mnist_mlp.h5: $(head -5 "$tmp/shot.log")"
fi

# 5. Man pages.
man1="$root/usr/share/man/man1"
if [ "$man_pages" != "ON" ]; then
    skip "man pages: the build was configured without them (help2man not found?)"
else
    for prog in ckpt ckpt-inspector; do
        page="$man1/$prog.1.gz"
        upper="$(tr '[:lower:]' '[:upper:]' <<<"$prog")"
        th="$(zcat "$page" 2>/dev/null | grep -m1 '^\.TH')"
        if [ ! -s "$page" ]; then
            fail "no man page usr/share/man/man1/$prog.1.gz"
        elif [[ "$th" != ".TH $upper \"1\" "*"\"$prog $version\""* ]]; then
            fail "$prog.1.gz: the .TH line does not name $upper, section 1 and $prog $version: $th"
        elif ! zcat "$page" | grep -qi 'inside machine\\-learning checkpoints'; then
            fail "$prog.1.gz lacks the description of $prog --help"
        else
            pass "man page $prog.1.gz: $th"
        fi
    done
    # ckpt's page has every command's own --help.
    for cmd in info validate scan export formats; do
        zcat "$man1/ckpt.1.gz" 2>/dev/null | grep -q "^\.SS \"ckpt $cmd\"" ||
            fail "ckpt.1 has no section for 'ckpt $cmd'"
    done
fi

# 6. Desktop integration.
desktop="$root/usr/share/applications/$app_id.desktop"
metainfo="$root/usr/share/metainfo/$app_id.metainfo.xml"
mimexml="$root/usr/share/mime/packages/$app_id.xml"
icon="$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
for f in "$desktop" "$metainfo" "$mimexml" "$icon" "$root/usr/share/doc/ckpt-inspector/copyright" \
    "$root/usr/share/doc/ckpt-inspector/LICENSE" "$root/usr/share/doc/ckpt-inspector/README.md"; do
    [ -s "$f" ] && pass "${f#"$root"/}" || fail "missing or empty: ${f#"$root"/}"
done
grep -q '<svg' "$icon" 2>/dev/null || fail "the icon is not an SVG"

if command -v desktop-file-validate >/dev/null; then
    if msg="$(desktop-file-validate "$desktop" 2>&1)" && [ -z "$msg" ]; then
        pass "desktop-file-validate $app_id.desktop"
    else
        fail "desktop-file-validate $app_id.desktop: $msg"
    fi
else
    skip "desktop-file-validate not installed (Debian: desktop-file-utils)"
fi
grep -qx 'Exec=ckpt-inspector %F' "$desktop" && pass "Exec=ckpt-inspector %F" ||
    fail "Exec line: $(grep '^Exec=' "$desktop")"
grep -qx "Icon=$app_id" "$desktop" && pass "Icon=$app_id" || fail "Icon line: $(grep '^Icon=' "$desktop")"
# Every MIME type of the .desktop file is defined: by our package or by shared-mime-info.
types="$(sed -n 's/^MimeType=//p' "$desktop" | tr ';' '\n' | sed '/^$/d')"
[ -n "$types" ] || fail "the .desktop file has no MimeType"
for t in $types; do
    if grep -q "<mime-type type=\"$t\"" "$mimexml"; then
        pass "MIME type $t (ours)"
    elif grep -q "<mime-type type=\"$t\"" /usr/share/mime/packages/freedesktop.org.xml 2>/dev/null; then
        pass "MIME type $t (shared-mime-info)"
    else
        fail "MIME type $t is defined neither in $app_id.xml nor in freedesktop.org.xml"
    fi
done
for t in application/x-safetensors application/x-gguf application/x-pytorch application/x-onnx \
    application/x-python-pickle application/x-npy application/x-keras application/x-hdf; do
    grep -qx "$t" <<<"$types" || fail "the .desktop file does not list $t"
done
if command -v update-mime-database >/dev/null; then
    mkdir -p "$tmp/mime/packages"
    cp "$mimexml" "$tmp/mime/packages/"
    if msg="$(update-mime-database "$tmp/mime" 2>&1)" && ! grep -qiE 'error|warning' <<<"$msg" &&
        [ -s "$tmp/mime/mime.cache" ]; then
        pass "update-mime-database reads $app_id.xml"
    else
        fail "update-mime-database: $msg"
    fi
else
    skip "update-mime-database not installed (Debian: shared-mime-info)"
fi

if command -v appstreamcli >/dev/null; then
    # --no-net: no URL is fetched (the machines that run the tests may have no network).
    if msg="$(appstreamcli validate --no-net "$metainfo" 2>&1)"; then
        pass "appstreamcli validate --no-net $app_id.metainfo.xml: $(tail -1 <<<"$msg")"
    else
        fail "appstreamcli validate --no-net $app_id.metainfo.xml: $msg"
    fi
else
    skip "appstreamcli not installed (Debian: appstream)"
fi
grep -q "<release version=\"$version\"" "$metainfo" && pass "metainfo release $version" ||
    fail "the metainfo has no <release version=\"$version\">"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
