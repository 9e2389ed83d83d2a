#pragma once
/// Builds the node tree of an HDF5 file: groups, datasets as lazy tensors, attributes.

#include <memory>

#include "core/util/progress.h"

namespace ckpt::core {

class Hdf5File;
class Node;

/// Adds the contents of `file` (every group and dataset, with attributes) below `parent`.
/// Hard links that point back to an object already shown become Value nodes naming the target,
/// so cyclic files terminate. Reports progress in objects visited (total unknown).
void buildHdf5Tree(const std::shared_ptr<Hdf5File>& file, Node& parent,
                   const ProgressFn& progress = {});

}  // namespace ckpt::core
