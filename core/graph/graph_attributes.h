#pragma once
/// Shared by the graph builders (not a public API): a layer's key settings and shapes.

#include <string>
#include <utility>
#include <vector>

#include "core/graph/graph.h"
#include "core/model/json.h"

namespace ckpt::core {

/// The settings that say what a layer does (units, filters, kernel_size, activation...), from
/// its config, as short texts in a fixed order; at most eight.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> layerAttributes(const Json& config);

/// Sets node.outputShape from a JSON shape ([null, 28, 28, 1]); anything else leaves it unset.
void setShape(GraphNode& node, const Json& shape);

}  // namespace ckpt::core
