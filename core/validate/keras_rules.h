#pragma once
/// Validator rules that read a Keras model config and its layer summary: Lambda layers with
/// embedded bytecode, custom layers that need custom_objects, weights that disagree with the
/// config.

#include <string>
#include <vector>

#include "core/validate/finding.h"

namespace ckpt::core {

class Checkpoint;

/// Findings for the Keras config of `checkpoint` (nothing when it has none). `configLabel`
/// prefixes paths: "model_config" for legacy .h5, "config.json" for .keras.
[[nodiscard]] std::vector<Finding> kerasConfigFindings(const Checkpoint& checkpoint,
                                                       const std::string& configLabel);

/// Names used by a marshalled Python code object (base64 text as Keras stores it): the
/// identifier-like strings of the marshal stream, in order, without repeats. Empty when the
/// text is not base64 marshal data.
[[nodiscard]] std::vector<std::string> marshalledCodeNames(const std::string& base64);

}  // namespace ckpt::core
