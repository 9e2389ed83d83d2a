#pragma once
/// What a checkpoint holds at a glance, for every format: parameters, tensors and bytes per
/// top-level module, and the plain values at its top (epoch, step, loss, ...).
///
/// Modules come from the tensor paths: a path's folders and the dotted parts of its last name
/// (without the final part, the parameter's own name) are its module components, so
/// `model/layer1.0.conv1.weight` has the components model / layer1 / 0 / conv1 and a
/// safetensors key `model.layers.3.mlp.up_proj.weight` has model . layers . 3 . mlp . up_proj.
/// The components every tensor shares are skipped; tensors are grouped by the next one. A
/// group that is not optimizer or training state and holds several modules is opened one level
/// further when there are few groups (a training checkpoint's `model` becomes `model/0`,
/// `model/2`; a Keras file's `model_weights` becomes one row per layer).

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt::core {

class Checkpoint;

struct ModuleSummary {
    std::string name;  ///< the path prefix the group's tensors share ("model/layer1")
    std::uint64_t tensors = 0;
    std::uint64_t params = 0;  ///< elements in the group's tensors
    std::uint64_t bytes = 0;
    bool optimizerState = false;  ///< optimizer, scheduler or scaler state, not model weights
    std::string firstTensor;      ///< path of the group's first tensor
};

struct TopLevelScalar {
    std::string name;
    std::string type;  ///< "int", "float", "str", "numpy.float64", "float32 tensor", ...
    std::string value;
};

struct CheckpointOverview {
    std::uint64_t tensors = 0;
    std::uint64_t bytes = 0;
    /// Elements of the model's tensors: the layer summary's total when there is one, else every
    /// tensor outside optimizer state.
    std::uint64_t params = 0;
    std::uint64_t optimizerParams = 0;   ///< elements in optimizer/training state tensors
    std::vector<ModuleSummary> modules;  ///< in the order of their first tensor
    std::uint64_t modulesLeftOut = 0;    ///< groups merged into the last row ("… more")
    std::vector<TopLevelScalar> scalars;
};

/// Most module rows before the rest are merged into one.
inline constexpr std::size_t kMaxOverviewModules = 64;

/// True when `name` (a first path component) names optimizer, scheduler or gradient-scaler
/// state rather than model weights.
[[nodiscard]] bool isOptimizerStateName(const std::string& name);

/// Summarises `checkpoint`. Reads at most one element for each one-element tensor at the top
/// (a scalar such as `step` stored as a 0-d tensor); reads nothing else.
[[nodiscard]] CheckpointOverview summarizeCheckpoint(const Checkpoint& checkpoint);

}  // namespace ckpt::core
