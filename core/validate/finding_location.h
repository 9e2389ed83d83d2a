#pragma once
/// Where a finding sits in a checkpoint's node tree. Findings name members the way Python would
/// (`<root>.lock`, `<root>['model'].layers[2]`, `<root>(0)`), Keras config entries
/// (`model_config/layers[2]`), or tree paths (`model_weights/dense/dense/kernel:0`); the tree
/// names the same things with `/`-joined segments (core/pyobj/README.md). This maps one onto
/// the other, falling back to the deepest node that exists.

#include "core/validate/finding.h"

namespace ckpt::core {

class Checkpoint;
class Node;

struct FindingLocation {
    const Node* node = nullptr;  ///< never null for a checkpoint: at worst its root
    bool exact = false;          ///< false: `node` is the nearest ancestor that could be found
};

/// The node `finding` names in `checkpoint`'s tree. Never throws.
[[nodiscard]] FindingLocation locateFinding(const Checkpoint& checkpoint, const Finding& finding);

}  // namespace ckpt::core
