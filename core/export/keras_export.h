#pragma once
/// Keras exports from a Keras source (legacy .h5 full or weights, Keras 3 .weights.h5, .keras):
/// legacy .h5 (model_config, model_weights with layer_names/weight_names, optimizer_weights),
/// Keras 3 .weights.h5 (layers/<snake_case>[_N]/vars/<i>) and .keras (zip, stored members:
/// metadata.json, config.json, model.weights.h5). Weights are copied bit for bit.

#include <filesystem>

#include "core/export/export_common.h"

namespace ckpt::core {

/// Writes `checkpoint` (a keras-h5, keras-h5-weights, keras3-weights-h5 or keras-archive
/// checkpoint) to `out` in `format` (KerasH5, WeightsH5 or Keras), atomically. Throws
/// UnsupportedError for other sources, or for .keras from a source without a model config.
/// Configs are not translated between Keras 2 and 3: a legacy config goes into config.json as
/// it is (a warning says so), a Keras 3 config into model_config.
[[nodiscard]] ExportReport exportKeras(const Checkpoint& checkpoint, ExportFormat format,
                                       const std::filesystem::path& out,
                                       const ExportOptions& options = {});

}  // namespace ckpt::core
