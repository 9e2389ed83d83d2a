#include <iostream>

#include "app/cli/cli.h"
#include "core/util/temp_files.h"

int main(int argc, char** argv) {
    // An interrupted export (Ctrl-C, kill) leaves no temporary file behind.
    ckpt::core::installTempFileCleanup();
    return ckpt::cli::run(argc, argv, std::cout, std::cerr);
}
