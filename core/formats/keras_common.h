#pragma once
/// Keras knowledge shared by the Keras readers: layer lists from a model config, the legacy
/// (layer_names/weight_names) and Keras 3 (layers/<name>/vars/<i>) weight layouts, and the
/// join of the two into the layer summary. Everything works on the node tree, so it serves
/// files and archive members alike.

#include <optional>
#include <string>
#include <vector>

#include "core/model/checkpoint.h"

namespace ckpt::core {

/// One top-level layer as the model config describes it.
struct KerasLayerSpec {
    std::string name;
    std::string className;
    bool trainable = true;
    Json config = Json::object();
};

/// Parses JSON stored in an attribute or archive member; CorruptDataError naming `what` and
/// the parser's position when the text is not JSON.
[[nodiscard]] Json parseKerasJson(const std::string& text, const std::string& what);

/// The model's top-level layers in config order, for every config shape Keras wrote (Sequential
/// as a list or as {"layers": [...]}, Functional, Keras 3 serialize_keras_object). Empty when
/// the config has no layer list.
[[nodiscard]] std::vector<KerasLayerSpec> kerasLayerSpecs(const Json& modelConfig);

/// Keras 3's to_snake_case: "Conv2D" -> "conv2d", "BatchNormalization" ->
/// "batch_normalization", "QDense" -> "q_dense".
[[nodiscard]] std::string kerasSnakeCase(const std::string& className);

/// A string-list attribute of a node, joining Keras's chunked form (name0, name1, ...).
[[nodiscard]] std::optional<std::vector<std::string>> nodeNameList(const Node& node,
                                                                   const std::string& name);

/// Layer summary for the legacy layout: `weightsRoot` is /model_weights (full model) or the
/// root group (weights-only). Layers follow `specs` (config order) when given, else
/// layer_names order.
[[nodiscard]] std::vector<Layer> legacyKerasLayers(const Node& weightsRoot,
                                                   const std::vector<KerasLayerSpec>& specs);

/// Layer summary for the Keras 3 vars layout below `h5Root` (the root of a .weights.h5 or
/// model.weights.h5 node), including Keras 2.13's _layer_checkpoint_dependencies.
[[nodiscard]] std::vector<Layer> varsKerasLayers(const Node& h5Root,
                                                 const std::vector<KerasLayerSpec>& specs);

/// True when `h5Root` looks like the vars layout (layers/*/vars, vars, optimizer/vars).
[[nodiscard]] bool hasVarsLayout(const Node& h5Root);

/// Metadata entries common to Keras files: model class and name from the config.
void addModelMetadata(const Json& modelConfig, Json& metadata);

}  // namespace ckpt::core
