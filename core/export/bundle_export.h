#pragma once
/// The split bundle: model config JSON, weights HDF5 and params JSON, written into a folder
/// (OUT/model.json as model.to_json() gives it, OUT/model.weights.h5 in the Keras 3 layout,
/// OUT/params.json with the estimator's other parameters) from a pickled KerasClassifier /
/// KerasRegressor, a pickled Keras model, a split bundle (model JSON + weights/params pickles)
/// or a Keras .h5/.keras file. Atomic: written into a temporary
/// folder beside OUT, then renamed.

#include <filesystem>
#include <memory>

#include "core/export/export_common.h"

namespace ckpt::core {

/// Writes the bundle of `checkpoint` into the folder `out`. Throws UnsupportedError when the
/// source holds no Keras model this build can read (e.g. a TensorFlow SavedModel tar).
[[nodiscard]] ExportReport exportBundle(const Checkpoint& checkpoint,
                                        const std::filesystem::path& out,
                                        const ExportOptions& options = {});

/// The Keras model inside a pickle (a pickled Keras model, a KerasClassifier/KerasRegressor)
/// or a split bundle, as a checkpoint the Keras exporters take; null when `checkpoint` is not
/// a pickle, joblib file or bundle. Throws UnsupportedError when it is one but holds no Keras
/// model this build can read.
[[nodiscard]] std::shared_ptr<const Checkpoint> kerasModelInside(const Checkpoint& checkpoint);

}  // namespace ckpt::core
