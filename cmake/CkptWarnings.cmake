# ckpt_warnings: the warning set every target of the project links.
add_library(ckpt_warnings INTERFACE)
target_compile_options(ckpt_warnings INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
        -Wold-style-cast -Wcast-align -Woverloaded-virtual
        -Wimplicit-fallthrough -Wno-unused-parameter -Wno-missing-field-initializers>)
