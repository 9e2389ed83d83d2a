#pragma once
/// Keras model configs (the JSON that model.to_json() and config.json hold), read the same way
/// by the readers, the diff, the validator, export and the UI: where the layer list is, each
/// layer's name, class and config, and Keras's own names derived from classes.

#include <string>
#include <string_view>
#include <vector>

#include "core/model/json.h"

namespace ckpt::core {

/// One layer entry as the model config describes it.
struct KerasLayerSpec {
    std::string name;
    std::string className;
    bool trainable = true;
    Json config = Json::object();
};

/// The layer list of a model config and where it sits, as a JSON pointer.
struct KerasLayerList {
    const Json* layers = nullptr;  ///< null when the config has no layer list
    std::string pointer;           ///< "/config/layers", "/config" or "/layers"
};

/// The layer list of `modelConfig`, for every shape Keras wrote: {"config": [...]} (Sequential
/// in Keras 1 and multi-backend Keras <= 2.2.2), {"config": {"layers": [...]}} (Sequential and
/// Functional since, Keras 3's serialize_keras_object), and a bare {"layers": [...]}.
[[nodiscard]] KerasLayerList kerasLayerList(const Json& modelConfig);

/// The entries of kerasLayerList as specs, in config order (entries that are not objects are
/// skipped). Empty when the config has no layer list.
[[nodiscard]] std::vector<KerasLayerSpec> kerasLayerSpecs(const Json& modelConfig);

/// The name of a layer entry: its "name", else its config's "name"; "" when neither is a string.
[[nodiscard]] std::string kerasLayerName(const Json& layerEntry);

/// The top-level layer entry named `name`, or null.
[[nodiscard]] const Json* kerasLayerByName(const Json& modelConfig, std::string_view name);

/// Keras 3's to_snake_case: "Conv2D" -> "conv2d", "BatchNormalization" ->
/// "batch_normalization", "QDense" -> "q_dense".
[[nodiscard]] std::string kerasSnakeCase(const std::string& className);

}  // namespace ckpt::core
