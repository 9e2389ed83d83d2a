# Sanitizer and fuzzer builds.
#
# CKPT_SANITIZE: a comma-separated list of -fsanitize= values, e.g. "address,undefined" (gcc or
# clang). ON means "address,undefined"; OFF or empty builds without sanitizers. Every target of
# the project is instrumented (the compile and link options are directory-wide), and UBSan
# findings abort (-fno-sanitize-recover) so a test fails instead of printing and passing.
#
# CKPT_FUZZ: build the libFuzzer harnesses of tests/fuzz (clang only; they add
# -fsanitize=fuzzer themselves). Use a separate build folder with CC=clang-14 CXX=clang++-14.
set(CKPT_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined (empty: none)")
option(CKPT_FUZZ "Build the libFuzzer harnesses under tests/fuzz (clang)" OFF)

if(CKPT_SANITIZE STREQUAL "ON" OR CKPT_SANITIZE STREQUAL "TRUE" OR CKPT_SANITIZE STREQUAL "1")
    set(CKPT_SANITIZE "address,undefined")
elseif(CKPT_SANITIZE STREQUAL "OFF" OR CKPT_SANITIZE STREQUAL "FALSE" OR CKPT_SANITIZE STREQUAL "0")
    set(CKPT_SANITIZE "")
endif()

if(CKPT_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "CKPT_FUZZ needs clang (CC=clang-14 CXX=clang++-14 in a fresh build folder)")
    endif()
    if(CKPT_SANITIZE STREQUAL "")
        set(CKPT_SANITIZE "address,undefined")
    endif()
endif()

if(NOT CKPT_SANITIZE STREQUAL "")
    message(STATUS "Sanitizers: ${CKPT_SANITIZE}")
    set(ckpt_san_flags -fsanitize=${CKPT_SANITIZE} -fno-omit-frame-pointer)
    if(CKPT_SANITIZE MATCHES "undefined")
        list(APPEND ckpt_san_flags -fno-sanitize-recover=undefined)
    endif()
    add_compile_options(${ckpt_san_flags})
    add_link_options(-fsanitize=${CKPT_SANITIZE})
    # One spelling for "instrumented by ASan" in g++ (__SANITIZE_ADDRESS__) and clang
    # (__has_feature), for the tests' time and memory budgets.
    if(CKPT_SANITIZE MATCHES "address")
        add_compile_definitions(CKPT_SANITIZED=1)
    endif()
    if(CKPT_FUZZ)
        # Every library is instrumented for coverage; only the harnesses link libFuzzer's main.
        add_compile_options(-fsanitize=fuzzer-no-link)
    endif()
endif()
