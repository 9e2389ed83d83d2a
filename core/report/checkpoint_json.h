#pragma once
/// The JSON forms of a checkpoint and its statistics: the contract of `ckpt info --json`,
/// `ckpt tensors --json` and `ckpt stats --json`, shared by the CLI, the tests and the GUI.

#include "core/model/json.h"

namespace ckpt::core {

class Checkpoint;
class Node;
struct TensorStats;

/// {path, dtype, shape, nbytes[, dtype_detail][, storage]} of one tensor node.
[[nodiscard]] Json tensorJson(const Node& tensorNode, bool withStorage = false);

/// `ckpt info --json`: {format, format_description, file, file_size, metadata, model_class?,
/// layers: [{name, class_name, params, trainable_params, non_trainable_params, weights}],
/// total_params, trainable_params, non_trainable_params, tensors: [...], warnings}.
[[nodiscard]] Json checkpointInfoJson(const Checkpoint& checkpoint);

/// `ckpt stats --json` body: {count, finite, zeros, nans, pos_inf, neg_inf, min, max, mean, std,
/// histogram: {lo, hi, counts}}; non-finite doubles become null.
[[nodiscard]] Json statsJson(const TensorStats& stats);

}  // namespace ckpt::core
