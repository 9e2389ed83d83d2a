#pragma once
/// The common last step of every pickle-based reader: recognise what the graph holds, build the
/// object tree into a Checkpoint, and carry over warnings and a nested Keras model's layers.

#include <memory>
#include <string>
#include <vector>

#include "core/pickle/value.h"
#include "core/pyobj/graph_scanner.h"
#include "core/pyobj/object_tree.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::core::pyobj {

struct ObjectViewOptions {
    ScanOptions scan;
    TreeLimits limits;
    /// False: no tree (not even `<discarded>`) unless the recognisers found tensors or nested
    /// archives; recognitions, warnings, nested streams and unchecked parts are kept.
    bool tree = true;
    /// The graph being viewed, when the caller shares it: plain subtrees of the tree are then
    /// made on demand from it (lazy nodes keep it alive). Null: the whole tree is made at once.
    std::shared_ptr<const pickle::ValueGraph> graph;
};

/// Scans `g` (adding to `r`, which may already hold hook results), then builds the tree of
/// `root` under `checkpoint.root()` (see ObjectViewOptions::tree). When the tree holds one nested
/// Keras archive and the checkpoint has no layers yet, its layers (weight paths prefixed), config
/// and Keras metadata are lifted into `checkpoint`.
void buildObjectView(const pickle::ValueGraph& g, pickle::ValueId root, Recognitions& r,
                     Checkpoint& checkpoint, const ObjectViewOptions& options = {});

/// The same for pickles read back to back: the first at the root, the N-th (N >= 1) under a
/// child "<pickleN>".
void buildObjectView(const pickle::ValueGraph& g, const std::vector<pickle::ValueId>& roots,
                     Recognitions& r, Checkpoint& checkpoint,
                     const ObjectViewOptions& options = {});

/// Which library wrote a pickle, judged by its globals: "dill", "cloudpickle", "joblib" or "".
[[nodiscard]] std::string picklerOf(const pickle::ValueGraph& g);

}  // namespace ckpt::core::pyobj
