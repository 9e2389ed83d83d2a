#pragma once
/// A format-neutral view of a Keras checkpoint for the exporters: layers in model order with
/// their weights, the optimizer's variables, configs and versions. Built from either weight
/// layout (legacy layer_names/weight_names or Keras 3 vars).

#include <string>
#include <vector>

#include "core/model/checkpoint.h"

namespace ckpt::core {

/// One weight of a layer or the optimizer.
struct KerasPlanWeight {
    std::string legacyName;  ///< name for weight_names ("dense/kernel:0")
    std::string varsPath;    ///< path below the layer group in the vars layout ("vars/0")
    std::string sourcePath;  ///< tensor path in the source checkpoint
    const Tensor* tensor = nullptr;
};

struct KerasPlanLayer {
    std::string name;       ///< layer.name
    std::string className;  ///< "" when the source has no config
    std::string varsGroup;  ///< group name below layers/ when the source had one, else ""
    std::vector<KerasPlanWeight> weights;
};

struct KerasPlan {
    bool varsSource = false;  ///< the source used the Keras 3 vars layout
    std::vector<KerasPlanLayer> layers;
    std::vector<KerasPlanWeight> optimizer;
    Json config;                     ///< model config, null when the source is weights-only
    bool legacyConfig = false;       ///< config is a Keras 1/2 model_config
    std::string modelConfigText;     ///< the model_config attribute as stored (legacy sources)
    std::string trainingConfigText;  ///< the training_config attribute (legacy sources)
    std::string kerasVersion;        ///< "" when unknown
    std::string backend;
    std::string modelName;
    Json archiveMetadata;  ///< metadata.json of a .keras source, else null
    /// Source tensors the plan does not carry ("path: reason").
    std::vector<std::string> uncovered;
};

/// Builds the plan; throws UnsupportedError when `checkpoint` is not a Keras format.
[[nodiscard]] KerasPlan makeKerasPlan(const Checkpoint& checkpoint);

/// The group names Keras 3 gives the layers list: to_snake_case(class) with _1, _2, ...
/// uniquifiers; groups the source named are kept, and a layer without class uses its name.
[[nodiscard]] std::vector<std::string> kerasVarsGroupNames(const KerasPlan& plan);

/// Variable names of common layers in weight order ("kernel", "bias"), for weight_names when
/// the source (vars layout) has only indices; "variable_<i>" otherwise.
[[nodiscard]] std::string kerasVariableName(const std::string& className, std::size_t index,
                                            std::size_t count);

}  // namespace ckpt::core
