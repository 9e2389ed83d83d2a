# Sourced by build.sh, test.sh and fuzz.sh.

# The CMake generator of a new build folder: Ninja when it is installed (setup.sh installs it),
# else CMake's default (make). Measured on the 2-core machine: make compiles nothing of a target
# until every library it uses is linked, which left a core idle for minutes of a cold build.
ckpt_generator() {
    if command -v ninja >/dev/null; then
        echo "-G Ninja"
    fi
}

# Keeps the compiler's own messages and drops the build tool's progress lines (make's and
# Ninja's); the caller reads the build's status from PIPESTATUS.
ckpt_quiet_build() {
    grep -vE '^\[ *[0-9]+(%|/[0-9]+)\] (Building|Linking|Built|Automatic|Generating|Running|Creating|Copying|Re-running)|^make\[[0-9]+\]: (Entering|Leaving)' || true
}
