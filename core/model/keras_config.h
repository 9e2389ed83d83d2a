#pragma once
/// Keras model configs (the JSON that model.to_json() and config.json hold), read the same way
/// by the readers, the diff, the validator, export and the UI: where the layer list is, each
/// layer's name, class and config, and Keras's own names derived from classes.

#include <cstdint>
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

/// One tensor a layer call takes: the layer that made it, which call of that layer (node index)
/// and which of that call's outputs (tensor index).
struct KerasTensorRef {
    std::string layer;
    std::int64_t nodeIndex = 0;
    std::int64_t tensorIndex = 0;
    Json shape;  ///< the tensor's shape when the reference states it (Keras 3), else null
};

/// The tensors each call of a layer takes, one list per entry of its "inbound_nodes", in config
/// order. Reads both dialects: Keras 1/2 lists ([[["name", node, tensor, {kwargs}], ...], ...],
/// where tensors named in a reference's kwargs count too) and Keras 3 call records
/// ({"args": [...], "kwargs": {...}}, where every {"class_name": "__keras_tensor__"} with a
/// "keras_history" inside args or kwargs, at any nesting, is one tensor). References nested
/// deeper than `maxDepth` are not followed. Empty when the entry has no inbound nodes (inputs,
/// Sequential layers).
[[nodiscard]] std::vector<std::vector<KerasTensorRef>> kerasInboundNodes(const Json& layerEntry,
                                                                         int maxDepth = 64);

/// The tensor references in a model's "input_layers" or "output_layers" value: [name, node,
/// tensor] lists at any nesting (a single list, a list of lists, a dict of them), in order.
[[nodiscard]] std::vector<KerasTensorRef> kerasTensorRefs(const Json& value, int maxDepth = 64);

/// Keras 3's to_snake_case: "Conv2D" -> "conv2d", "BatchNormalization" ->
/// "batch_normalization", "QDense" -> "q_dense".
[[nodiscard]] std::string kerasSnakeCase(const std::string& className);

}  // namespace ckpt::core
