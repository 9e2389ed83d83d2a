#pragma once
/// Which tensor of checkpoint A corresponds to which tensor of checkpoint B, across formats.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diff/diff_report.h"

namespace ckpt::core {

class Checkpoint;
class Node;

/// A user rename: A-side tensor paths, canonical keys and layer names that start with `from`
/// are looked up in B as `to` followed by the rest ("fc=linear", "module.=", "dense_3=out").
struct RenameRule {
    std::string from;
    std::string to;
};

/// Parses "from=to" (the first '=' splits; `to` may be empty, `from` may not).
[[nodiscard]] std::optional<RenameRule> parseRenameRule(std::string_view text);

/// One row of the pairing: both nodes set, or only `a` (removed) or only `b` (added).
struct TensorPair {
    const Node* a = nullptr;
    const Node* b = nullptr;
    std::string key;                     ///< canonical key, e.g. "dense/0", "fc1.weight"
    std::string layer;                   ///< layer or module the tensor belongs to
    PairedBy pairedBy = PairedBy::None;  ///< None for one-sided rows
    /// Optimizer or other training state on every side present (isTrainingStateKey).
    bool trainingState = false;
};

/// The key of a tensor path without layer knowledge: '\' becomes '/', the ":0" suffixes of
/// TensorFlow variable names go, and so do a leading wrapper group (model_weights, state_dict,
/// model_state_dict, model_state, model, module, net, network) and "module." / "_orig_mod."
/// prefixes of names (DataParallel, torch.compile). Archive members are stripped by the caller.
/// "model_weights/dense/dense/kernel:0" -> "dense/dense/kernel";
/// "state_dict/module.fc1.weight" -> "fc1.weight".
[[nodiscard]] std::string canonicalTensorKey(std::string_view path);

/// True for a canonical key of training state rather than model weights: under an optimizer,
/// scheduler or grad-scaler group ("optimizer_weights/Adam/iter", "optimizer/vars/0",
/// "optimizer.state.0.exp_avg"), a top-level scalar such as "epoch" or "global_step", or a
/// Keras 3 seed_generator state.
[[nodiscard]] bool isTrainingStateKey(std::string_view key);

/// Pairs the tensors of `a` and `b`, in this order of preference:
///  1. user rules (`rules`), applied to A's paths, keys and layer names;
///  2. layer and weight index: the layer summaries of Keras checkpoints (format "keras*";
///     Checkpoint::layers(), weightPaths in order) give every weight the key
///     "<layer>/<index>", whatever the layout (legacy
///     model_weights/dense/dense/kernel:0, Keras 3 layers/dense/vars/0, a .keras member). Layers
///     are matched by name, then the rest in order by class and weight shapes (a renamed
///     layer, or Keras 2 names against Keras 3 group names);
///  3. canonical path key (canonicalTensorKey of the path inside its archive member);
///  4. what is left, in order, by equal shape (longest common subsequence), separately for
///     model and optimizer tensors; layer weights take no part when both sides have layer
///     summaries (their layers were added or removed, not moved).
/// The rest are removed (only in A) or added (only in B). Rows come in A's order (layer
/// weights first, then other tensors in natural path order), then B-only rows in B's order.
[[nodiscard]] std::vector<TensorPair> pairTensors(const Checkpoint& a, const Checkpoint& b,
                                                  const std::vector<RenameRule>& rules = {});

}  // namespace ckpt::core
