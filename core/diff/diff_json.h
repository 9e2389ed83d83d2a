#pragma once
/// The JSON form of a DiffReport: the contract of `ckpt diff --json`.

#include <ostream>
#include <vector>

#include "core/diff/diff_report.h"
#include "core/model/json.h"

namespace ckpt::core {

/// One tensor row: {key, layer, a_path, b_path, status, paired_by, training_state, a_dtype,
/// b_dtype, a_shape, b_shape, numel, max_abs_diff, max_abs_diff_index, mean_abs_diff, rms_diff,
/// rel_l2, cosine, mismatched, nan_mismatched, inf_mismatched, identical, note}. paired_by is null
/// for one-sided rows, else "map", "name", "layer", "weight_order", "position" or "shape"
/// (PairedBy); the last two are guesses from position or shape. Metrics that were not computed, or
/// are not finite, are null; a_* / b_* fields of the missing side are null.
[[nodiscard]] Json tensorDiffJson(const TensorDiff& t);

/// One config change: {kind, path, layer, class_name, old, new}.
[[nodiscard]] Json configChangeJson(const ConfigChange& c);

/// {a: {file, format, class}, b: {...}, class_mismatch, tolerance: {atol, rtol}, config: {compared,
/// training_compared, changes: [...]}, tensors: [...], layers: [{layer, tensors, different,
/// numel, mismatched, max_abs_diff, rel_l2}], summary: {tensors, equal, changed, shape_changed,
/// dtype_changed, added, removed, identical, paired_by_position, paired_by_shape, numel_compared,
/// mismatched, max_rel_l2, max_rel_l2_key, max_abs_diff, max_abs_diff_key, config_changes,
/// class_mismatch, different}, notes: [...]}. `class` is the root object's class (null when none);
/// class_mismatch is true when A and B are objects of different classes, and the first note then
/// says so.
[[nodiscard]] Json diffReportJson(const DiffReport& report);

/// Writes the same object as diffReportJson() to `out`, with `rows` as its tensor list (a
/// filtered or sorted selection of report.tensors), one tensor and one config change per line.
/// Memory stays proportional to one row, whatever the number of tensors.
void writeDiffReportJson(std::ostream& out, const DiffReport& report,
                         const std::vector<const TensorDiff*>& rows);

}  // namespace ckpt::core
