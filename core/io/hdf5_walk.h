#pragma once
/// A read of an HDF5 file's whole structure that keeps nothing: the calls into libhdf5 that
/// the readers make when they open a file (every group's members, every object's attributes,
/// every dataset's type, shape and storage), for Hdf5File::open to run in a separate process
/// before the file is read here.

#include <cstdint>
#include <memory>
#include <string>

namespace ckpt::core {

class Hdf5File;

/// Visits every object reachable from the root once (hard links to an object already visited
/// are not followed), at most `maxObjects` of them. Returns the first damage met, as
/// "PATH\nMESSAGE" (a group that cannot be listed, an object or attribute libhdf5 cannot
/// read), or an empty string. What is merely unsupported or over a limit is not damage: the
/// readers report those themselves. The walk goes on past damage, and never throws for it.
[[nodiscard]] std::string walkHdf5Structure(const std::shared_ptr<Hdf5File>& file,
                                            std::uint64_t maxObjects);

}  // namespace ckpt::core
