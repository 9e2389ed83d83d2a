#pragma once
/// Checks of HDF5 structures that libhdf5 itself trusts, made on the file's bytes before the
/// library reads them: a damaged one can crash libhdf5 1.10 (fuzz_hdf5 found a root object
/// header whose messages run past their chunk: SIGSEGV in H5Aexists, and in HDF5's own
/// h5debug). Only what has crashed the library is checked; the rest is left to it.

#include <cstddef>
#include <span>
#include <string>

namespace ckpt::core {

/// Finds the superblock (at 0 or a user-block boundary) and walks the root group's object
/// header when it is a version-1 header (version 2 headers carry checksums, which libhdf5
/// verifies): every message must lie inside its chunk, every continuation chunk inside the
/// file, and the chain must end. Throws CorruptDataError naming the first problem; does
/// nothing for bytes it does not recognise (libhdf5 then gives its own error).
void precheckHdf5(std::span<const std::byte> file, const std::string& name);

}  // namespace ckpt::core
