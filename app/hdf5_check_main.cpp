// ckpt-hdf5-check: started by ckpt and ckpt-inspector for each HDF5 file they open, to read the
// file's structure in a process of its own first (core/io/hdf5_check.h).
#include "core/io/hdf5_check.h"

int main(int argc, char** argv) {
    return ckpt::core::hdf5CheckerMain(argc, argv);
}
