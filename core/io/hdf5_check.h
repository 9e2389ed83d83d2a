#pragma once
/// The program that reads an untrusted HDF5 file's structure before this process does
/// (Hdf5File::open): `ckpt-hdf5-check`, started fresh with posix_spawn for each file. A fresh
/// program, not a forked copy: a copy of a multi-threaded process inherits every lock another
/// thread held at the fork (an allocator's, a sanitizer's stack depot), and can hang on one.

#include <string>

namespace ckpt::core {

/// Where ckpt-hdf5-check is, found once: $CKPT_HDF5_CHECKER, else beside this program, else in
/// ../libexec/ckpt-inspector/ beside it (the installed layout), else where this build tree made
/// it. Empty when there is none (the check then runs in a forked copy of this process).
[[nodiscard]] const std::string& hdf5CheckerPath();

/// True when $CKPT_HDF5_CHECKER names the program: it is then used for every check, even where
/// a forked copy would do.
[[nodiscard]] bool hdf5CheckerNamed();

/// The body of ckpt-hdf5-check. Arguments: --offset N --length N --seconds N --parent PID; the
/// bytes are descriptor 3 from N, length N. It bounds its own CPU time (seconds + 2) and
/// address space, dies with its parent, writes Hdf5File::checkStructureHere's report to its
/// standard output and exits 0; exit 64 on bad arguments.
int hdf5CheckerMain(int argc, char** argv);

}  // namespace ckpt::core
