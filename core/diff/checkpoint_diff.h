#pragma once
/// Compares two opened checkpoints: configuration, then every tensor pair, streamed.

#include <cstdint>
#include <string>
#include <vector>

#include "core/diff/diff_report.h"
#include "core/diff/tensor_pairing.h"
#include "core/util/progress.h"

namespace ckpt::core {

class Checkpoint;

struct DiffOptions {
    DiffTolerance tolerance;
    std::vector<RenameRule> renames;  ///< applied to A's names before the automatic pairing
    /// Elements read per chunk and side (256 Ki: 1 MiB of float32); memory is two chunks per
    /// thread. Larger chunks cost memory and gain nothing measurable.
    std::uint64_t chunkElements = std::uint64_t{1} << 18;
    /// Worker threads: 0 = one per core for 8 MiB or more of data, 1 = the calling thread.
    int threads = 0;
    /// Model weights only: leave out optimizer and training state (TensorDiff::trainingState)
    /// and the training config; their data is not read.
    bool weightsOnly = false;
};

/// Compares checkpoint `a` (the reference, "old") with `b` ("new"), of any readable formats.
///
/// Pairs the tensors (pairTensors), compares configs (diffConfigs), then streams every pair of
/// the same shape and numeric dtypes through compareTensorPairs: bitwise-equal chunks are
/// recognised from their bytes, the rest is reduced in double. Pairs of different shapes are
/// ShapeChanged, pairs of different dtypes DtypeChanged (their values are still compared), and
/// pairs of strings or other non-numeric types are Equal when shape and dtype agree (their
/// values are not read; the note says so). Fills the per-layer and overall summaries.
///
/// Progress is in bytes of tensor data read (both sides), on the calling thread. Throws
/// CancelledError when the callback returns false, and read errors with the file and tensor
/// path named. Both checkpoints must outlive the call only.
[[nodiscard]] DiffReport diffCheckpoints(const Checkpoint& a, const Checkpoint& b,
                                         const DiffOptions& options = {},
                                         const ProgressFn& progress = {});

/// The class of the checkpoint's root object, as the diff compares it: a pickled object's
/// class ("sklearn.linear_model._base.LinearRegression"), else the Keras model config's
/// class_name ("Sequential"). "" when the root is a plain container (dict, list,
/// OrderedDict) or the file has neither.
[[nodiscard]] std::string checkpointRootClass(const Checkpoint& c);

/// True when two root classes name different classes. "" matches anything; a name without
/// module matches the last part of a dotted one ("Sequential" and
/// "keras.src.models.sequential.Sequential"); Keras's "Model" and "Functional" are one class.
[[nodiscard]] bool rootClassesDiffer(const std::string& a, const std::string& b);

/// Leaves out optimizer and training-state rows and training-config changes, notes how many,
/// and recomputes the summaries (what DiffOptions::weightsOnly does, for a finished report).
void keepModelWeightsOnly(DiffReport& report);

/// Recomputes `report.layers` and `report.summary` from its tensors and config changes (after
/// a caller filtered or edited them).
void summarizeDiff(DiffReport& report);

}  // namespace ckpt::core
