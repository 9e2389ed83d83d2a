#pragma once
/// Keras knowledge of the Keras readers: JSON parsing with clear errors, and the join of a model
/// config (core/model/keras_config.h) and a weight layout (core/model/keras_layout.h) into the
/// layer summary. Everything works on the node tree, so it serves files and archive members
/// alike.

#include <optional>
#include <string>
#include <vector>

#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"
#include "core/model/keras_layout.h"

namespace ckpt::core {

/// Parses JSON stored in an attribute or archive member; CorruptDataError naming `what` and
/// the parser's position when the text is not JSON.
[[nodiscard]] Json parseKerasJson(const std::string& text, const std::string& what);

/// Layer summary for the legacy layout: `weightsRoot` is /model_weights (full model) or the
/// root group (weights-only). Layers follow `specs` (config order) when given, else
/// layer_names order.
[[nodiscard]] std::vector<Layer> legacyKerasLayers(const Node& weightsRoot,
                                                   const std::vector<KerasLayerSpec>& specs);

/// Layer summary for the Keras 3 vars layout below `h5Root` (the root of a .weights.h5 or
/// model.weights.h5 node), including Keras 2.13's _layer_checkpoint_dependencies.
[[nodiscard]] std::vector<Layer> varsKerasLayers(const Node& h5Root,
                                                 const std::vector<KerasLayerSpec>& specs);

/// Metadata entries common to Keras files: model class and name from the config.
void addModelMetadata(const Json& modelConfig, Json& metadata);

}  // namespace ckpt::core
