#pragma once
/// Architecture graphs as JSON, for `ckpt graph --json` and files written with `-o out.json`.

#include "core/graph/graph.h"
#include "core/graph/graph_diff.h"
#include "core/model/json.h"

namespace ckpt::core {

/// {kind: "data_flow"|"hierarchy", source, truncated, warnings, inputs, outputs,
///  nodes: [{id, name, path, class_name, kind, parent (null at top level), depth, params,
///  buffers, output_shape (array with null for free dimensions; absent when unknown),
///  attributes {key: text}, tensors [paths]}], edges: [{from, to}]}. Ids are node indexes.
[[nodiscard]] Json graphJson(const Graph& graph);

/// graphJson of the union graph plus, per node, {state, a, b, max_rel_l2, max_rel_l2_key,
/// tensors, tensors_changed, config_changes [{kind, path, old, new}]} under "diff", and per
/// edge "state".
[[nodiscard]] Json graphDiffJson(const GraphDiff& diff);

}  // namespace ckpt::core
