#pragma once
/// The JSON forms of a checkpoint and its statistics: the contract of `ckpt info --json`,
/// `ckpt tensors --json` and `ckpt stats --json`, shared by the CLI, the tests and the GUI.

#include <cstddef>

#include "core/model/json.h"

namespace ckpt::core {

class Checkpoint;
class Node;
struct TensorStats;

/// {path, dtype, shape, nbytes[, dtype_detail][, storage]} of one tensor node.
[[nodiscard]] Json tensorJson(const Node& tensorNode, bool withStorage = false);

/// The object view of a checkpoint as a flat list in tree order: one {path, class, kind} per
/// Object, Archive and typed Group node (kind "object", "archive", "group"), plus
/// "reconstructor" when a call rebuilds it. At most `maxEntries`; `truncated` says when cut.
[[nodiscard]] Json objectsJson(const Checkpoint& checkpoint, std::size_t maxEntries = 100'000,
                               bool* truncated = nullptr);

/// `ckpt info --json`: {format, format_description, file, file_size, metadata, model_class?,
/// layers: [{name, class_name, params, trainable_params, non_trainable_params, weights}],
/// total_params, trainable_params, non_trainable_params, params (model tensors' elements, for
/// every format), optimizer_params, modules: [{name, tensors, params, bytes, optimizer_state}],
/// scalars: {name: {type, value}} (plain values at the top, such as epoch), tensors: [...],
/// objects: [...], objects_truncated?, warnings}.
[[nodiscard]] Json checkpointInfoJson(const Checkpoint& checkpoint);

/// `ckpt stats --json` body: {count, finite, zeros, nans, pos_inf, neg_inf, min, max, mean, std,
/// histogram: {lo, hi, counts}}, plus of: "magnitude" for a complex tensor (the figures are of
/// |z|) and true: <count> for a bool one; non-finite doubles become null.
[[nodiscard]] Json statsJson(const TensorStats& stats);

}  // namespace ckpt::core
