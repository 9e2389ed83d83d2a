#pragma once
// The `ckpt` command line: subcommands over the core, text for people and --json for scripts.

#include <ostream>

namespace ckpt::cli {

/// Exit codes shared by every subcommand.
enum ExitCode : int {
    kOk = 0,
    kDifferent = 1,   ///< diff found differences, validate found errors
    kUnreadable = 2,  ///< the input could not be read (message on stderr)
    kUsage = 64,      ///< wrong arguments
};

/// Runs `ckpt` with the given arguments, writing to `out` and `err`; returns the exit code.
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace ckpt::cli
