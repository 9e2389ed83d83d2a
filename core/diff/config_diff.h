#pragma once
/// Differences between the architecture and training configurations of two checkpoints.

#include <string>
#include <vector>

#include "core/diff/diff_report.h"
#include "core/model/json.h"

namespace ckpt::core {

class Checkpoint;

/// Compares the model configs layer by layer and the training configs field by field.
///
/// Layers (kerasLayerSpecs of each config) are matched by name first; the rest are aligned in
/// order by class, and an aligned pair whose entries are equal once their names are removed is a
/// rename. Other layers are added or removed. Matched layers have their whole entries compared
/// (config, inbound nodes, ...): paths like "layers[1].config.units", with A's index (B's for
/// added layers). The model config outside its layer list gives paths like "config.name"; the
/// training config (loss, optimizer class and settings) "training_config.optimizer_config...".
/// A config missing on one side is not compared (ConfigDiff::compared stays false).
[[nodiscard]] ConfigDiff diffConfigs(const Checkpoint& a, const Checkpoint& b);

/// True for a config that holds something: not null and not an empty object.
[[nodiscard]] bool configPresent(const Json& j);

/// Appends to `out` the differences between two JSON values found at `path`: objects key by
/// key, arrays of objects or arrays element by element, anything else (arrays of plain values
/// included) as one changed value. `layer` is copied into every change.
void diffJson(const Json& a, const Json& b, const std::string& path, const std::string& layer,
              std::vector<ConfigChange>& out);

}  // namespace ckpt::core
