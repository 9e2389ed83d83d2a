#pragma once
/// The Keras weight layouts as they appear in the node tree of an .h5 file or archive member:
/// the legacy layer_names/weight_names attributes and Keras 3's layers/<name>/vars groups. Used
/// by the Keras readers and by export.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/node.h"

namespace ckpt::core {

/// A string-list attribute of a node, joining Keras's chunked form (name0, name1, ...).
[[nodiscard]] std::optional<std::vector<std::string>> nodeNameList(const Node& node,
                                                                   const std::string& name);

/// The layer groups of the vars layout, by their group name: the children of layers/ (or
/// Keras 2.12's _layer_checkpoint_dependencies/), or root members named "layers\<name>" as
/// Keras 2.12 wrote them on Windows.
[[nodiscard]] std::vector<std::pair<std::string, const Node*>> kerasLayerGroups(const Node& h5Root);

/// The top-level groups of a Keras 3 weights file that hold one group per layer ("layers",
/// and "_layer_checkpoint_dependencies" in early Keras 3), in the order they are looked at.
[[nodiscard]] const std::vector<std::string>& kerasLayerContainers();

/// True when `h5Root` looks like the vars layout (layers/*/vars, vars, optimizer/vars).
[[nodiscard]] bool hasVarsLayout(const Node& h5Root);

}  // namespace ckpt::core
