#pragma once
// Writing an architecture graph (or a graph diff) to a file: SVG, PNG or DOT through Graphviz,
// or JSON; shared by `ckpt graph -o` and `ckpt diff --graph`.

#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/graph/graph_layout.h"
#include "core/model/json.h"

namespace ckpt::cli {

/// True when `path` ends in an extension writeGraphFile knows (.svg .png .dot .gv .json).
[[nodiscard]] bool graphOutputPathOk(const std::string& path);

/// Writes `graph` to `path` atomically (never over one of `inputs`): `json` for .json, else a
/// Graphviz rendering with `style` (may be null). Throws core errors.
void writeGraphFile(const std::string& path, const core::Graph& graph, const core::Json& json,
                    const core::GraphLayoutOptions& options, const core::GraphStyle* style,
                    const std::vector<std::string>& inputs);

}  // namespace ckpt::cli
